"""The Django admin for staff: a password and a TOTP code (django-otp), and the same sign-in throttle
as the portal and the console."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django_otp.admin import OTPAdminSite

from parceria.accounts.throttle import client_address, minutes_locked, record_attempt


class ParceriaAdminSite(OTPAdminSite):
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.method != "POST":
            return super().login(request, extra_context)
        username = request.POST.get("username", "")
        address = client_address(request)
        wait = minutes_locked(username, address)
        if wait:
            message = _("Too many failed sign-ins. Try again in %(minutes)s minutes.") % {"minutes": wait}
            return HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
        response = super().login(request, extra_context)
        record_attempt(username, address, succeeded=response.status_code == 302)
        return response
