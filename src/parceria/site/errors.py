"""The error pages (Django's handler403, handler404 and handler500, wired in config/urls.py): inside the shell of the
reader's area (the portal's or the console's sidebar, or the plain top bar), in the reader's language. A database
fault (common/dbfaults.py) is a plain 503 page instead, drawn without the database."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse

from parceria.common.dbfaults import DatabaseFault, current_fault, log_fault, mark_logged, where
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


def database_fault_page(fault: DatabaseFault) -> HttpResponse:
    """A database fault as a page answers it: 503 with `Retry-After`, a plain page in the request's language (the
    shell needs the user, read from the database), saying what the reader can do. The caller has logged the fault
    (log_fault)."""
    html = loader.render_to_string("site/errors/503.html", {"fault": fault.code, "status": fault.status})
    response = HttpResponse(html, status=fault.status)
    response["Retry-After"] = str(fault.retry_after)
    return mark_logged(response)


def server_error(request: HttpRequest) -> HttpResponse:
    """The shell needs the database (the user, the partner); when that is what failed, a page without it. A database
    fault met outside a view (a middleware, the session) is the 503 page, logged here as one warning."""
    met = current_fault()
    if met is not None:
        fault, exc = met
        log_fault(fault, exc, where(request))
        return database_fault_page(fault)
    try:
        return _page(request, "site/errors/500.html", 500)
    except Exception:
        logger.exception("the error page could not be drawn inside the shell")
        return HttpResponseServerError(loader.render_to_string("site/errors/500_plain.html"))
