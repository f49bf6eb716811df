"""The error pages (Django's handler403, handler404 and handler500, wired in config/urls.py): inside the shell of the
reader's area (the portal's or the console's sidebar, or the plain top bar), in the reader's language."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse

from parceria.web.context import navigation

logger = logging.getLogger(__name__)

_SHELLS = {
    "portal": ("portal/base.html", "portal:home"),
    "console": ("console/base.html", "console:home"),
}


def _page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    base, home = _SHELLS.get(navigation(request)["area"], ("web/base.html", "site:start"))
    return render(request, template, {"base": base, "home": reverse(home), "status": status}, status=status)


def forbidden(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "site/errors/403.html", 403)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "site/errors/404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The shell needs the database (the user, the partner); when that is what failed, a page without it."""
    try:
        return _page(request, "site/errors/500.html", 500)
    except Exception:
        logger.exception("the error page could not be drawn inside the shell")
        return HttpResponseServerError(loader.render_to_string("site/errors/500_plain.html"))
