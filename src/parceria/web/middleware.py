"""Security headers for the pages Parceria renders (DESIGN: security headers on every page)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# The admin and the API docs ship their own scripts and styles; our pages use only files from /static/.
_OWN_PAGES_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)
_EXEMPT_PREFIXES = ("/admin/", "/api/v1/docs")


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        is_html = response.get("Content-Type", "").startswith("text/html")
        if is_html and not request.path.startswith(_EXEMPT_PREFIXES):
            response.setdefault("Content-Security-Policy", _OWN_PAGES_CSP)
        if request.path.startswith(("/portal/", "/console/", "/login", "/password-reset")):
            response.setdefault("Cache-Control", "no-store")
        return response
