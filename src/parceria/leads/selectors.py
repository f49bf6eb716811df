"""Reads of lead routing, and what a principal may see of them (DESIGN rule 6): a partner sees only the offers made
to it (and, through them, those leads); staff see every lead and offer."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from parceria.accounts.tenancy import Principal, partner_owned
from parceria.common.errors import NotFound
from parceria.leads.models import Lead, LeadOffer, OfferStatus


def scope_offers(principal: Principal, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The offers `principal` may see: a partner credential the ones made to it, staff all."""
    return partner_owned(principal, queryset if queryset is not None else LeadOffer.objects.all())


def offer_list(principal: Principal, *, status: str | None = None) -> QuerySet[Any]:
    """Offers as `principal` may see them, newest first, with their lead and partner."""
    qs = scope_offers(principal).select_related("lead", "partner", "registration")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-offered_at", "-id")


def partner_offer(principal: Principal, lead_id: int) -> LeadOffer:
    """A partner's latest offer of lead `lead_id`; NotFound when the lead was never offered to it (another
    partner's lead is as if it did not exist)."""
    offer = offer_list(principal).filter(lead_id=lead_id).first()
    if offer is None:
        raise NotFound(f"lead {lead_id} not found")
    return offer


def lead_list(*, status: str | None = None) -> QuerySet[Any]:
    """Staff: every lead, newest first, optionally of one status."""
    qs = Lead.objects.all()
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def lead_get(lead_id: int) -> Lead:
    """Staff: one lead."""
    lead = Lead.objects.filter(pk=lead_id).first()
    if lead is None:
        raise NotFound(f"lead {lead_id} not found")
    return lead


def lead_offers(lead: Lead) -> QuerySet[Any]:
    """Staff: a lead's offers (its history), newest first."""
    return LeadOffer.objects.filter(lead=lead).select_related("partner", "registration").order_by("-offered_at", "-id")


def waiting_offers(principal: Principal) -> QuerySet[Any]:
    """The offers waiting for `principal`'s partner's answer (the deadline may have passed: the page says so)."""
    return offer_list(principal, status=OfferStatus.PENDING)
