"""One error format for the whole API: {"error": {"code", "message", "details"?}}."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import orjson
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.urls import URLPattern
from django.views import defaults
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from parceria.common.append_only import AppendOnlyError
from parceria.common.errors import ParceriaError


def _body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error}


def _describe_validation(errors: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    details = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "payload", "query", "path")]
        details.append({"field": ".".join(loc), "message": err.get("msg", "invalid")})
    message = "; ".join(f"{d['field']}: {d['message']}" if d["field"] else d["message"] for d in details)
    return message or "invalid request", details


API_ROOT = "/api/"


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 404 (Django's `handler404`): under /api/ a URL no route matches (`/partners/abc` where an id is
    expected) is the API's JSON error, elsewhere Django's page."""
    if not request.path.startswith(API_ROOT):
        return defaults.page_not_found(request, exception)
    from parceria.api.urls import api  # the API's renderer, as for every other API answer

    return api.create_response(request, _body("not_found", "no API route matches this URL"), status=404)


def install_error_handlers(api: NinjaAPI) -> None:
    def domain_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, exc.as_dict(), status=exc.status)

    def validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
        message, details = _describe_validation(exc.errors)
        return api.create_response(request, _body("invalid", message, details), status=422)

    def auth_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(
            request,
            _body("unauthorized", "a valid, unrevoked API key is required (Authorization: Bearer <key>)"),
            status=401,
        )

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        code = {400: "malformed_request", 403: "forbidden", 405: "method_not_allowed"}.get(exc.status_code, "error")
        return api.create_response(request, _body(code, str(exc)), status=exc.status_code)

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, _body("not_found", str(exc) or "not found"), status=404)

    def append_only(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, _body("append_only", str(exc)), status=409)

    api.add_exception_handler(ParceriaError, domain_error)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(AuthenticationError, auth_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(AppendOnlyError, append_only)


NUL_MESSAGE = "text may not contain NUL (\\x00) characters"


def _nul_in(value: Any, field: str) -> str | None:
    """The dotted field of the first string (or key) holding a NUL character in parsed JSON, else None."""
    if isinstance(value, str):
        return field if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        name = f"{field}.{key}" if field else str(key)
        if isinstance(key, str) and "\x00" in key:
            return name
        found = _nul_in(item, name)
        if found is not None:
            return found
    return None


def _field_with_nul(request: HttpRequest) -> str | None:
    """A query, form or JSON body field holding a NUL character: no database stores one (PostgreSQL refuses it
    in text), so the API refuses it as bad input before any query runs. A body that cannot be read or parsed is
    left to the view, which answers it with its own error."""
    try:
        sources = [request.GET, request.POST] if request.content_type == "multipart/form-data" else [request.GET]
        for data in sources:
            for key, values in data.lists():
                if "\x00" in key or any("\x00" in v for v in values):
                    return key
        if request.content_type == "application/json" and b"\\u0000" in request.body:
            return _nul_in(orjson.loads(request.body), "")
    except (SuspiciousOperation, MultiPartParserError, UnreadablePostError, orjson.JSONDecodeError):
        return None
    return None


def guard_api_views(api: NinjaAPI, patterns: list[Any]) -> list[Any]:
    """Wrap the API's views so that
    - text with a NUL character in a query, form or JSON field is a 422 `invalid` naming the field;
    - a method a route does not serve is the API's JSON error (405, `method_not_allowed`, a sorted `Allow`),
      where django-ninja answers with a plain-text body of its own."""

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            field = _field_with_nul(request)
            if field is not None:
                details = [{"field": field, "message": NUL_MESSAGE}]
                return api.create_response(request, _body("invalid", f"{field}: {NUL_MESSAGE}", details), status=422)
            response = view(request, *args, **kwargs)
            if not isinstance(response, HttpResponseNotAllowed):
                return response
            allowed = ", ".join(sorted(response["Allow"].split(", ")))
            body = _body("method_not_allowed", f"{request.method} is not allowed here; allowed: {allowed}")
            answer = api.create_response(request, body, status=405)
            answer["Allow"] = allowed
            return answer

        return wrapped

    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = wrap(pattern.callback)
    return patterns
