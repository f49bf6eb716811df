"""How the API reads what a client sends: one JSON parser, and the checks every request's data passes.

django-ninja calls the parser only after the API key has been checked (an unauthenticated request is answered
401 before its body is read) and only for the parts of the request a route declares: `parse_body` for a JSON
body, `parse_querydict` for the query string, form fields and uploaded files (a multipart body is then checked whole).

The parser refuses, as the API's JSON error:
- a body that is not `application/json` (UTF-8) on a JSON route: 415 `unsupported_media_type`;
- a body that is not JSON, repeats a key in an object (`{"partner_id": 1, "partner_id": 7}`), uses `NaN` or
  `Infinity`, or nests deeper than MAX_DEPTH levels: 400 `malformed_request`;
- text with a NUL character anywhere (a query, form or JSON field, or a key; in a multipart body, any part's name or
  text, read by the route or not): 422 `invalid` naming the field, since no database stores one (PostgreSQL refuses
  it in text);
- a JSON string or key escaping half of a surrogate pair alone (`"\\ud800"`): valid JSON, but no UTF-8 text, so no
  database stores it either: 422 `invalid` naming the field.
A body larger than Django's DATA_UPLOAD_MAX_MEMORY_SIZE is answered 413 by the error handlers (errors.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser

from parceria.common.errors import InvalidInput, ParceriaError

#: How deep a JSON body may nest (objects and arrays): the API's bodies nest a few levels; a deeper one is refused
#: rather than handed to code that walks it.
MAX_DEPTH = 32
NUL_MESSAGE = "text may not contain NUL (\\x00) characters"
SURROGATE_MESSAGE = "text may not contain half of a surrogate pair alone (\\ud800 to \\udfff)"
JSON_MEDIA_TYPE = "application/json"


class MalformedBody(ParceriaError):
    status = 400
    code = "malformed_request"


class UnsupportedMediaType(ParceriaError):
    status = 415
    code = "unsupported_media_type"


class NulInText(InvalidInput):
    def __init__(self, field: str, message: str = NUL_MESSAGE) -> None:
        super().__init__(f"{field}: {message}", details=[{"field": field, "message": message}])


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise MalformedBody(f"the body's JSON repeats the key {key!r} in one object")
            seen.add(key)
    return obj


def _constant(name: str) -> Any:
    raise MalformedBody(f"the body's JSON has {name}, which is not a JSON number")


_DECODER = json.JSONDecoder(object_pairs_hook=_object, parse_constant=_constant)


_CONTAINERS = (dict, list)


def _too_deep(value: Any) -> bool:
    """Whether the parsed JSON nests deeper than MAX_DEPTH (level by level: the input's depth is not the stack's)."""
    level: list[Any] = [value]
    for _ in range(MAX_DEPTH):
        level = [child for node in level for child in (node.values() if type(node) is dict else node)
                 if type(child) in _CONTAINERS]
        if not level:
            return False
    return True


def _has_nul(text: str) -> bool:
    return "\x00" in text


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def field_with_nul(value: Any, bad: Callable[[str], bool] = _has_nul) -> str | None:
    """The dotted place (`events.1.id`) of the first string or key holding a NUL character (or, with `bad`, any
    other text `bad` refuses) in parsed JSON, in document order, else None. Iterative, so any depth is safe."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        node, place = stack.pop()
        if isinstance(node, str):
            if bad(node):
                return place
            continue
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        children = []
        for key, item in items:
            name = f"{place}.{key}" if place else str(key)
            if isinstance(key, str) and bad(key):
                return name
            children.append((item, name))
        stack.extend(reversed(children))
    return None


#: A JSON escape of a high or low surrogate (\ud800 to \udfff), in either case: a lone one is possible only then.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")


def parse_json(body: bytes) -> Any:
    """The API's JSON: strict UTF-8, no repeated keys, no NaN or Infinity, at most MAX_DEPTH levels, no NUL."""
    try:
        text = body.decode("utf-8")
        value = _DECODER.decode(text)
    except UnicodeDecodeError:
        raise MalformedBody("the body is not UTF-8 text") from None
    except RecursionError:
        raise MalformedBody(f"the body's JSON nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # JSONDecodeError, and integers too long to read
        raise MalformedBody(f"the body is not valid JSON: {exc}") from None
    if isinstance(value, dict | list) and _too_deep(value):
        raise MalformedBody(f"the body's JSON nests deeper than {MAX_DEPTH} levels")
    # A NUL in a JSON string is always written \u0000: without that text there is none to look for.
    if b"\\u0000" in body:
        field = field_with_nul(value)
        if field is not None:
            raise NulInText(field)
    if _SURROGATE_ESCAPE.search(body):
        field = field_with_nul(value, _has_lone_surrogate)
        if field is not None:
            raise NulInText(field, SURROGATE_MESSAGE)
    return value


class ApiParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        charset = (request.encoding or "utf-8").lower()
        if request.content_type != JSON_MEDIA_TYPE or charset not in ("utf-8", "utf8"):
            raise UnsupportedMediaType(
                f"send the body as JSON (Content-Type: {JSON_MEDIA_TYPE}), not {request.content_type or 'nothing'}"
            )
        return parse_json(request.body)

    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest) -> dict[str, Any]:
        # A multipart body is checked whole, whichever of its parts the route reads (its form fields, its files or
        # both): every part's name, and every text part's value. The document states the same of every part.
        sources: list[MultiValueDict] = [data]
        if request.content_type == "multipart/form-data":
            sources += [request.POST, request.FILES]
        for source in sources:
            for key, values in source.lists():
                if "\x00" in key or any(isinstance(v, str) and "\x00" in v for v in values):
                    raise NulInText(key)
        return super().parse_querydict(data, list_fields, request)
