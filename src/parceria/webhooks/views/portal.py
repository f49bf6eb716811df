"""Webhooks in the portal (partner admins): their partner's endpoints, deliveries and attempts."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from parceria.accounts.tenancy import Ability
from parceria.web.access import actor, may, partner_of, partner_required
from parceria.webhooks.views import pages


def _area(request: HttpRequest) -> pages.Area:
    if not may(request, Ability.MANAGE_USERS):  # the partner's admins
        raise PermissionDenied("only the partner's admins manage webhooks")
    return pages.Area(base="portal/base.html", ns="webhooks_portal", partner=partner_of(request),
                      sees_all_partners=False, actor=actor(request), can_write=True)


@partner_required
def endpoints(request: HttpRequest) -> HttpResponse:
    return pages.endpoints(request, _area(request))


@partner_required
def endpoint(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    return pages.detail(request, _area(request), endpoint_id)


@partner_required
@require_POST
def endpoint_action(request: HttpRequest, endpoint_id: int, action: str) -> HttpResponse:
    return pages.act(request, _area(request), endpoint_id, action)
