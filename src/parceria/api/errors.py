"""One error format for the whole API: {"error": {"code", "message", "details"?}}."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from parceria.commissions.models import AppendOnlyError
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
