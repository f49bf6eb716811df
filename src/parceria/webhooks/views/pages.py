"""The webhook pages of both areas: the portal (a partner admin's endpoints) and the console (staff endpoints, and
every partner's endpoints read-only with re-send). portal.py and console.py say who may open them and which
endpoints they see; the pages themselves are the same."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from parceria.common.audit import Actor
from parceria.common.errors import Conflict, InvalidInput
from parceria.webhooks.delivery import RETRY_SECONDS
from parceria.webhooks.forms import EndpointForm
from parceria.webhooks.models import Attempt, Delivery, DeliveryState, Endpoint, EventType
from parceria.webhooks.services import (
    delivery_resend,
    endpoint_create,
    endpoint_delete,
    endpoint_ping,
    endpoint_set_enabled,
)


@dataclass(frozen=True)
class Area:
    """Where the pages are: the shell they extend, their URL namespace, whose endpoints they manage (`partner`:
    a partner's; None: staff's) and whether they show every partner's endpoints too (the console)."""

    base: str
    ns: str
    partner: Any
    sees_all_partners: bool
    actor: Actor
    can_write: bool

    def managed(self) -> QuerySet[Endpoint]:
        if self.partner is None:
            return Endpoint.objects.filter(partner__isnull=True)
        return Endpoint.objects.filter(partner=self.partner)

    def visible(self) -> QuerySet[Endpoint]:
        if self.sees_all_partners:
            return Endpoint.objects.all()
        return self.managed()

    def manages(self, endpoint: Endpoint) -> bool:
        return self.can_write and self.managed().filter(pk=endpoint.pk).exists()


def _with_counts(endpoints: QuerySet[Endpoint]) -> QuerySet[Endpoint]:
    return endpoints.select_related("partner").annotate(
        pending=Count("deliveries", filter=Q(deliveries__state=DeliveryState.PENDING)),
        failed=Count("deliveries", filter=Q(deliveries__state=DeliveryState.FAILED)),
        last_delivery=Max("deliveries__created_at"),
    ).order_by("partner__name", "-created_at", "-id")


def _context(area: Area, **extra: Any) -> dict[str, Any]:
    return {"nav": "webhooks", "base": area.base, "ns": area.ns, "area": area, "event_labels": dict(EventType.choices),
            **extra}


def endpoints(request: HttpRequest, area: Area) -> HttpResponse:
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and area.can_write and form.is_valid():
        try:
            endpoint, secret = endpoint_create(partner=area.partner, url=form.cleaned_data["url"],
                                               event_types=form.cleaned_data["event_types"],
                                               description=form.cleaned_data["description"], actor=area.actor)
        except InvalidInput as exc:
            form.add_error("url" if (exc.details or {}).get("field") == "url" else "event_types", exc.message)
        else:
            return detail(request, area, endpoint.pk, secret=secret, status=201)
    rows = list(_with_counts(area.managed()))
    others = list(_with_counts(area.visible().exclude(pk__in=[e.pk for e in rows]))) if area.sees_all_partners else []
    return render(request, "webhooks/endpoints.html", _context(area, rows=rows, others=others, form=form),
                  status=422 if form.errors else 200)


def _visible(area: Area, endpoint_id: int) -> Endpoint:
    endpoint: Endpoint = get_object_or_404(area.visible().select_related("partner"), pk=endpoint_id)
    return endpoint


def detail(request: HttpRequest, area: Area, endpoint_id: int, *, secret: str = "", status: int = 200) -> HttpResponse:
    endpoint = _visible(area, endpoint_id)
    deliveries = list(Delivery.objects.filter(endpoint=endpoint).select_related("event")
                      .order_by("-created_at", "-id")[:50])
    attempts: dict[int, list[Attempt]] = {}
    for attempt in Attempt.objects.filter(delivery__in=deliveries).order_by("-at", "-id"):
        attempts.setdefault(attempt.delivery_id, []).append(attempt)
    rows = [(d, attempts.get(d.pk, [])[:5]) for d in deliveries]
    return render(request, "webhooks/endpoint.html", _context(
        area, endpoint=endpoint, rows=rows, secret=secret, manages=area.manages(endpoint),
        can_resend=area.can_write, retries=len(RETRY_SECONDS)), status=status)


def act(request: HttpRequest, area: Area, endpoint_id: int, action: str) -> HttpResponse:
    """A button on an endpoint's page: ping, disable, enable, delete (its owner), resend (a delivery)."""
    endpoint = _visible(area, endpoint_id)
    if not area.can_write or (action != "resend" and not area.manages(endpoint)):
        return HttpResponse(status=403)
    try:
        if action == "ping":
            endpoint_ping(endpoint=endpoint, actor=area.actor)
            messages.success(request, _("Ping queued: it is sent in a few seconds."))
        elif action in ("disable", "enable"):
            endpoint_set_enabled(endpoint=endpoint, enabled=action == "enable", actor=area.actor)
            messages.success(request, _("Endpoint enabled.") if action == "enable" else _("Endpoint disabled."))
        elif action == "delete":
            endpoint_delete(endpoint=endpoint, actor=area.actor)
            messages.success(request, _("Endpoint deleted."))
            return redirect(f"{area.ns}:list")
        elif action == "resend":
            delivery = get_object_or_404(Delivery, pk=request.POST.get("delivery", ""), endpoint=endpoint)
            delivery_resend(delivery=delivery, actor=area.actor)
            messages.success(request, _("Delivery queued to be sent again."))
        else:
            raise Http404("no such action")
    except (Conflict, InvalidInput) as exc:
        messages.error(request, exc.message)
    except ValueError:
        return HttpResponse(status=400)
    return redirect(f"{area.ns}:detail", endpoint_id=endpoint.pk)
