"""The API's OpenAPI document states what the server enforces on every request, in one place.

The rules that hold for every route are added to the generated document here rather than repeated on each field:
- text sent to the API (a query or path parameter, a JSON or form field, or an object key) never holds a NUL
  character (the parser refuses it with a 422; see parser.py): every request string without a narrower rule of its
  own (an enum, a pattern or a format) gets the pattern NO_NUL_PATTERN, and every JSON object's keys get it too, as
  does the text of an upload's parts that a route does not read;
- every answer may be 413 (a body over the size limit) or 415 (a body that is not JSON on a JSON route), in the API's
  error format, besides the statuses each route declares;
- every answer may be 503 with `Retry-After` (a database fault: the database is unreachable, busy, read-only or out of
  storage; common/dbfaults.py), in the API's error format.
"""

from __future__ import annotations

import re
from typing import Any

#: Text without a NUL character (ECMA-262 and Python regular expressions alike).
NO_NUL_PATTERN = "^[^\u0000]*$"

_UNAVAILABLE = {
    "description": "The database is unreachable, busy, read-only or out of storage: send the request again after "
                   "`Retry-After` seconds (`database_unavailable`, `database_busy`, `database_read_only`, "
                   "`storage_full`)",
    "headers": {"Retry-After": {"description": "Seconds to wait before sending the request again",
                                "schema": {"type": "integer", "minimum": 0}}},
}
_REF = re.compile(r"#/components/schemas/(\w+)")
_NARROWER = ("enum", "const", "pattern", "format")


def _subschemas(schema: dict[str, Any]) -> list[Any]:
    found: list[Any] = list(schema.get("properties", {}).values())
    for key in ("items", "additionalProperties", "not"):
        if isinstance(schema.get(key), dict):
            found.append(schema[key])
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        found.extend(schema.get(key, []))
    return found


def _text_schemas(schema: dict[str, Any], *, keys: bool = True) -> None:
    """Give every string schema in `schema` without a narrower rule the no-NUL pattern; with `keys`, object keys
    too (a JSON body's keys; an upload's part names are not stated, since Django's multipart reader may alter a
    name before the parser sees it)."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        if node.get("type") == "string" and not any(rule in node for rule in _NARROWER):
            node["pattern"] = NO_NUL_PATTERN
        open_object = node.get("type") == "object" and node.get("additionalProperties", True)
        if keys and open_object and "propertyNames" not in node:
            node["propertyNames"] = {"pattern": NO_NUL_PATTERN}
        stack.extend(_subschemas(node))


def _request_components(document: dict[str, Any]) -> set[str]:
    """The component schemas a request body refers to, directly or through other components."""
    components = document.get("components", {}).get("schemas", {})
    pending = set()
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            body = operation.get("requestBody", {})
            pending.update(_REF.findall(repr(body)))
    found: set[str] = set()
    while pending:
        name = pending.pop()
        if name in found or name not in components:
            continue
        found.add(name)
        pending.update(_REF.findall(repr(components[name])))
    return found


def declare_request_rules(document: dict[str, Any], error_schema: dict[str, Any]) -> dict[str, Any]:
    """Add the rules every request is held to (see the module's docstring) to a generated document, in place."""
    components = document.get("components", {}).get("schemas", {})
    for name in _request_components(document):
        _text_schemas(components[name])
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                _text_schemas(parameter.get("schema", {}))
            for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
                schema = media.get("schema", {})
                if media_type == "multipart/form-data" and "additionalProperties" not in schema:
                    # a part the route does not read is ignored, but its text holds no NUL either (a list: the
                    # same part sent more than once)
                    schema["additionalProperties"] = {"pattern": NO_NUL_PATTERN, "items": {"pattern": NO_NUL_PATTERN}}
                if "$ref" not in schema:
                    _text_schemas(schema, keys=media_type == "application/json")
            responses = operation.setdefault("responses", {})
            if 503 not in responses and "503" not in responses:  # a route's own 503 (django-ninja keys it by number)
                responses["503"] = {**_UNAVAILABLE, **error_schema}
            if "requestBody" in operation:
                responses.setdefault("413", {"description": "The body is over the size limit", **error_schema})
                responses.setdefault("415", {"description": "The body is not of the media type the route takes",
                                             **error_schema})
    return document
