"""Who may open which pages: partner users the portal, staff (with a second factor) the console."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect

from parceria.accounts.models import PARTNER_ROLES, STAFF_ROLES
from parceria.accounts.tenancy import Principal

View = Callable[..., HttpResponseBase]


def second_factor_passed(user: Any) -> bool:
    """True once the user confirmed a TOTP code in this session (set by django-otp's middleware)."""
    return bool(getattr(user, "is_verified", lambda: False)())


def principal_for(request: HttpRequest) -> Principal:
    return Principal.for_user(request.user)


def partner_required(view: View) -> View:
    """The portal: a signed-in user of a partner. Staff are sent to the console."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.role not in PARTNER_ROLES or user.partner_id is None:
            return redirect("console:home") if user.role in STAFF_ROLES else _forbidden()
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(*roles: str) -> Callable[[View], View]:
    """The console: a staff member who passed the second factor; `roles` narrows it (empty: any staff)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.role not in STAFF_ROLES:
                return redirect("portal:home")
            if not second_factor_passed(user):
                return redirect("web:two_factor")
            if roles and user.role not in roles and user.role != "admin":
                raise PermissionDenied("your role does not open this page")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _forbidden() -> HttpResponse:
    raise PermissionDenied("this account has no access to the portal")
