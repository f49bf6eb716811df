"""The Django admin for staff: a password and a TOTP code (django-otp), under the same sign-in throttle as
the portal and the console (the backend checks every password under it); the admin's password change checks
the old password under it too."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django_otp.admin import OTPAdminSite

from parceria.web.forms import AdminSignInForm, ThrottledPasswordChangeForm


class _PasswordChangeView(PasswordChangeView):
    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}


class ParceriaAdminSite(OTPAdminSite):
    login_form = AdminSignInForm

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().login(request, extra_context)
        form = getattr(response, "context_data", None) and response.context_data.get("form")
        if form is not None and form.has_error(NON_FIELD_ERRORS, "locked"):
            response.status_code = 429
        return response

    def password_change(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """Django's own page, with the old password checked under the sign-in throttle."""
        request.current_app = self.name
        view = _PasswordChangeView.as_view(
            form_class=ThrottledPasswordChangeForm,
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
            **({"template_name": self.password_change_template} if self.password_change_template else {}),
        )
        return view(request)  # type: ignore[return-value]
