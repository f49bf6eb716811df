"""Rendering a console page: its place in the navigation, and the confirmation step of a money or destructive
action. (What the user may do reaches every template as `can`, from web/context.py.)"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def page(
    request: HttpRequest, template: str, context: dict[str, Any], *, nav: str = "", status: int = 200
) -> HttpResponse:
    return render(request, template, {"nav": nav, **context}, status=status)


def confirm_page(request: HttpRequest, *, title: str, lines: Iterable[str], button: str, cancel: str) -> HttpResponse:
    """The second step of a money or destructive action: the same POST again with confirmed=1."""
    fields = [(k, v) for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "confirmed")]
    return page(request, "console/confirm.html",
                {"title": title, "lines": list(lines), "button": button, "cancel": cancel, "fields": fields})


def confirmed(request: HttpRequest) -> bool:
    return request.POST.get("confirmed") == "1"
