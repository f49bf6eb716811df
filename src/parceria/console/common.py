"""What every console view shares: who may open or post to a page, rendering with the role flags,
turning a domain error into a message beside the right form field, and a confirmation step."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import render

from parceria.common.audit import Actor
from parceria.common.errors import ParceriaError
from parceria.web.access import principal_for, staff_required

View = Callable[..., HttpResponseBase]
FINANCE = ("finance",)
DISPUTES = ("partner_manager", "finance")
ANY_STAFF: tuple[str, ...] = ()


def _allowed(role: str, roles: tuple[str, ...]) -> bool:
    return not roles or role in roles or role == "admin"


def console_view(
    *, read: tuple[str, ...] | None = ANY_STAFF, write: tuple[str, ...] | None = None
) -> Callable[[View], View]:
    """`read`: roles that may GET (empty: any staff; None: no GET); `write`: roles that may POST (None: no POST).
    The analyst is read-only: every POST of theirs is refused with 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            role = request.user.role  # type: ignore[union-attr]
            if request.method == "POST":
                if role == "analyst" or (write is not None and not _allowed(role, write)):
                    raise PermissionDenied("your role may not change anything here")
                if write is None:
                    return HttpResponseNotAllowed(["GET"])
            elif request.method in ("GET", "HEAD"):
                if read is None:
                    return HttpResponseNotAllowed(["POST"])
                if not _allowed(role, read):
                    raise PermissionDenied("your role does not open this page")
            else:
                return HttpResponseNotAllowed(["GET", "POST"])
            return view(request, *args, **kwargs)

        return staff_required()(inner)

    return decorate


def can(request: HttpRequest) -> dict[str, bool]:
    role = request.user.role  # type: ignore[union-attr]
    return {"finance": _allowed(role, FINANCE), "disputes": _allowed(role, DISPUTES), "write": role != "analyst"}


def page(
    request: HttpRequest, template: str, context: dict[str, Any], *, nav: str = "", status: int = 200
) -> HttpResponse:
    return render(request, template, {"nav": nav, "can": can(request), **context}, status=status)


def actor(request: HttpRequest) -> Actor:
    return principal_for(request).actor


def attempt(form: forms.Form, action: Callable[[], Any], field: str | None = None) -> Any:
    """Run a service; a domain error becomes a message beside `field` or the field it names (or above the form)."""
    try:
        return action()
    except ParceriaError as exc:
        add_domain_error(form, exc, field)
        return None


def add_domain_error(form: forms.Form, exc: ParceriaError, field: str | None = None) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    name = details.get("field") if details.get("field") in form.fields else field
    form.add_error(name if name in form.fields else None, exc.message)


def confirm_page(request: HttpRequest, *, title: str, lines: Iterable[str], button: str, cancel: str) -> HttpResponse:
    """The second step of a money or destructive action: the same POST again with confirmed=1."""
    fields = [(k, v) for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "confirmed")]
    return page(request, "console/confirm.html",
                {"title": title, "lines": list(lines), "button": button, "cancel": cancel, "fields": fields})


def confirmed(request: HttpRequest) -> bool:
    return request.POST.get("confirmed") == "1"
