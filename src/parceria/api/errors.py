"""One error format for the whole API: {"error": {"code", "message", "details"?}}."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import InterfaceError, InternalError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.urls import URLPattern
from django.views import defaults
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from parceria.accounts.tenancy import request_scope
from parceria.common.append_only import AppendOnlyError
from parceria.common.dbfaults import DatabaseFault, current_fault, database_fault, log_fault, mark_logged, where
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


def database_fault_response(fault: DatabaseFault) -> HttpResponse:
    """A database fault as the API answers it (common/dbfaults.py): 503, the JSON error and `Retry-After`. Nothing
    of the driver's message is in it; the caller has logged the fault (log_fault)."""
    response = HttpResponse(json.dumps(fault.as_dict()), status=fault.status,
                            content_type="application/json; charset=utf-8")
    response["Retry-After"] = str(fault.retry_after)
    return mark_logged(response)


PageHandler = Callable[[HttpRequest, Exception], HttpResponse]


def not_found_handler(api: NinjaAPI, *, page: PageHandler = defaults.page_not_found) -> PageHandler:
    """The site's 404 (Django's `handler404`, see config/urls.py): under /api/ a URL no route matches
    (`/partners/abc` where an id is expected) is `api`'s JSON error, in its renderer as every other API answer;
    elsewhere `page`, the site's page."""

    def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
        if not request.path.startswith(API_ROOT):
            return page(request, exception)
        return api.create_response(request, _body("not_found", "no API route matches this URL"), status=404)

    return not_found


def server_error_handler(
    api: NinjaAPI, *, page: Callable[[HttpRequest], HttpResponse] = defaults.server_error
) -> Callable[[HttpRequest], HttpResponse]:
    """The site's 500 (Django's `handler500`): under /api/ the API's JSON error, elsewhere `page`. Django logs the
    exception after this. A database fault met outside a view (a middleware, the session) is the 503 of
    `database_fault_response` instead, logged here as one warning."""

    def server_error(request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_ROOT):
            return page(request)
        met = current_fault()
        if met is not None:
            fault, exc = met
            log_fault(fault, exc, where(request))
            return database_fault_response(fault)
        body = _body("server_error", "the server failed to answer this request; the error was logged")
        return api.create_response(request, body, status=500)

    return server_error


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
        if isinstance(exc.__cause__, ParceriaError):  # django-ninja wraps what the API's parser raises in a 400
            return domain_error(request, exc.__cause__)
        code = {400: "malformed_request", 403: "forbidden", 405: "method_not_allowed"}.get(exc.status_code, "error")
        return api.create_response(request, _body(code, str(exc)), status=exc.status_code)

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, _body("not_found", str(exc) or "not found"), status=404)

    def append_only(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, _body("append_only", str(exc)), status=409)

    def too_big(request: HttpRequest, exc: Any) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        message = f"the body is larger than the {limit:,} bytes a request may send" if limit else str(exc)
        return api.create_response(request, _body("too_large", message), status=413)

    def unreadable(request: HttpRequest, exc: Any) -> HttpResponse:
        """A body or query string Django cannot read: a broken multipart body, too many fields."""
        return api.create_response(request, _body("malformed_request", f"the request cannot be read: {exc}"),
                                   status=400)

    def database_error(request: HttpRequest, exc: Any) -> HttpResponse:
        """A database fault (common/dbfaults.py) is a 503 the client may retry; any other database error is a bug,
        left to the 500."""
        fault = database_fault(exc)
        if fault is None:
            raise exc
        log_fault(fault, exc, where(request))
        return database_fault_response(fault)

    api.add_exception_handler(ParceriaError, domain_error)
    for database_error_class in (OperationalError, InterfaceError, InternalError):
        api.add_exception_handler(database_error_class, database_error)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(AuthenticationError, auth_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(AppendOnlyError, append_only)
    api.add_exception_handler(RequestDataTooBig, too_big)
    api.add_exception_handler(SuspiciousOperation, unreadable)
    api.add_exception_handler(MultiPartParserError, unreadable)
    api.add_exception_handler(UnreadablePostError, unreadable)


def guard_api_views(api: NinjaAPI, patterns: list[Any]) -> list[Any]:
    """Wrap the API's views so that a method a route does not serve is the API's JSON error (405,
    `method_not_allowed`, a sorted `Allow`), where django-ninja answers with a plain-text body of its own.
    Nothing here reads the request: its data is read and checked by the API's parser (parser.py), after the
    API key."""

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            with request_scope():  # the API key's authentication enters its partner's scope (api/auth.py)
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
