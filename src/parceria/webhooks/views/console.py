"""Webhooks in the console: the staff endpoints (which receive every partner's events), and every partner's
endpoints read-only with re-send."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from parceria.accounts.tenancy import Ability
from parceria.web.access import actor, console_view, may
from parceria.webhooks.views import pages


def _area(request: HttpRequest) -> pages.Area:
    return pages.Area(base="console/base.html", ns="webhooks_console", partner=None, sees_all_partners=True,
                      actor=actor(request), can_write=may(request, Ability.MANAGE_PARTNERS))


@console_view(write=Ability.MANAGE_PARTNERS)
def endpoints(request: HttpRequest) -> HttpResponse:
    return pages.endpoints(request, _area(request))


@console_view()
def endpoint(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    return pages.detail(request, _area(request), endpoint_id)


@console_view(read=None, write=Ability.MANAGE_PARTNERS)
def endpoint_action(request: HttpRequest, endpoint_id: int, action: str) -> HttpResponse:
    return pages.act(request, _area(request), endpoint_id, action)
