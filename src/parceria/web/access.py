"""Who may open which pages: partner users the portal, staff (with a second factor) the console. What a
signed-in user may do is its principal's abilities (accounts/tenancy.py `Ability`), the same system the API
uses; no page checks a role by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect

from parceria.accounts.models import PARTNER_ROLES, STAFF_ROLES, User
from parceria.accounts.tenancy import Ability, Principal, enter_partner_scope, request_scope
from parceria.common.audit import Actor

View = Callable[..., HttpResponseBase]


def second_factor_passed(user: Any) -> bool:
    """True once the user confirmed a TOTP code in this session (set by django-otp's middleware)."""
    return bool(getattr(user, "is_verified", lambda: False)())


def principal_for(request: HttpRequest) -> Principal:
    return Principal.for_user(request.user)


def actor(request: HttpRequest) -> Actor:
    return principal_for(request).actor


def may(request: HttpRequest, ability: str) -> bool:
    return principal_for(request).can(ability)


def require(request: HttpRequest, ability: str) -> None:
    """403 unless the signed-in user may `ability`."""
    if not may(request, ability):
        raise PermissionDenied("your account may not do this")


def portal_user(request: HttpRequest) -> User:
    return cast(User, request.user)


def partner_of(request: HttpRequest) -> Any:
    """The signed-in partner user's partner, a `partners.Partner` (`partner_required` guarantees there is one);
    the portal always takes the partner from here, never from the address."""
    return portal_user(request).partner


def partner_required(view: View) -> View:
    """The portal: a signed-in user of a partner. Staff are sent to the console."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.role not in PARTNER_ROLES or user.partner_id is None:
            return redirect("console:home") if user.role in STAFF_ROLES else _forbidden()
        with request_scope():
            enter_partner_scope(principal_for(request))
            return view(request, *args, **kwargs)

    wrapper.partner_only = True  # type: ignore[attr-defined]  # the portal sweep checks every portal view has it
    return wrapper


def staff_required(view: View) -> View:
    """The console: a staff member who passed the second factor."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.role not in STAFF_ROLES:
            return redirect("portal:home")
        if not second_factor_passed(user):
            return redirect("site:two_factor")
        return view(request, *args, **kwargs)

    return wrapper


def console_view(*, read: str | None = Ability.READ, write: str | None = None) -> Callable[[View], View]:
    """A console page for staff (`staff_required`). `read`: the ability that may GET it (None: no GET); `write`: the
    ability that may POST to it (None: no POST). A principal that may only read (the analyst) gets 403 on every
    POST."""

    def decorate(view: View) -> View:
        @wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            principal = principal_for(request)
            if request.method == "POST":
                if principal.read_only or (write is not None and not principal.can(write)):
                    raise PermissionDenied("your account may not change anything here")
                if write is None:
                    return HttpResponseNotAllowed(["GET"])
            elif request.method in ("GET", "HEAD"):
                if read is None:
                    return HttpResponseNotAllowed(["POST"])
                if not principal.can(read):
                    raise PermissionDenied("your account does not open this page")
            else:
                return HttpResponseNotAllowed(["GET", "POST"])
            return view(request, *args, **kwargs)

        wrapped = staff_required(inner)
        wrapped.console_access = (read, write)  # type: ignore[attr-defined]  # read by the console access sweep
        return wrapped

    return decorate


def abilities(request: HttpRequest) -> dict[str, bool]:
    """What the signed-in user may do, as flags for templates (`can.finance`, `can.write`, …)."""
    principal = principal_for(request)
    return {
        "write": not principal.read_only,
        "finance": principal.can(Ability.FINANCE),
        "disputes": principal.can(Ability.RESOLVE_DISPUTES),
        "manage_partners": principal.can(Ability.MANAGE_PARTNERS),
        "manage_users": principal.can(Ability.MANAGE_USERS),
        "ingest": principal.can(Ability.INGEST),
        "privacy": principal.can(Ability.PRIVACY),
    }


def _forbidden() -> HttpResponse:
    raise PermissionDenied("this account has no access to the portal")
