"""Reads of deal registrations, and which of them a principal may see (DESIGN rule 6)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from parceria.accounts.tenancy import Principal, partner_owned
from parceria.common.errors import NotFound
from parceria.deals.models import DealRegistration, DealStatus, ExtensionStatus
from parceria.deals.services import warning_days


def scope_deals(principal: Principal, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The registrations `principal` may see: a partner credential its own, staff all."""
    return partner_owned(principal, queryset if queryset is not None else DealRegistration.objects.all())


def deal_list(principal: Principal, *, status: str | None = None, partner_id: int | None = None) -> QuerySet[Any]:
    """Registrations as `principal` may see them, newest first, optionally of one status or partner."""
    qs = scope_deals(principal).select_related("partner")
    if status:
        qs = qs.filter(status=status)
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    return qs.order_by("-created_at", "-id")


def deal_get(principal: Principal, registration_id: int) -> DealRegistration:
    """One registration `principal` may see; another partner's is NotFound, as if it did not exist."""
    registration = scope_deals(principal).select_related("partner").filter(pk=registration_id).first()
    if registration is None:
        raise NotFound(f"deal registration {registration_id} not found")
    return registration


def review_queue() -> QuerySet[Any]:
    """Staff: the registrations waiting for a decision, oldest first."""
    return DealRegistration.objects.filter(status=DealStatus.IN_REVIEW).select_related("partner").order_by(
        "created_at", "id")


def soon_until(today: date) -> date:
    """The last expiry day that counts as "expiring soon" on `today` (the warning days ahead)."""
    return today + timedelta(days=warning_days())


def expiring_soon_q(today: date) -> Q:
    """Approved registrations that expire after `today` and within the warning days: the ones the partner is warned
    of (by e-mail, once, by `parceria deals_expire`; in the portal while it lasts)."""
    return Q(status=DealStatus.APPROVED, expires_on__gt=today, expires_on__lte=soon_until(today))


def expiring_soon(principal: Principal, today: date) -> QuerySet[Any]:
    """The registrations `principal` may see that expire soon, the first to expire first."""
    return scope_deals(principal).filter(expiring_soon_q(today)).order_by("expires_on", "id")


def extension_queue() -> QuerySet[Any]:
    """Staff: the extension requests waiting for a decision, the registration that expires first first."""
    return DealRegistration.objects.filter(extension_status=ExtensionStatus.REQUESTED).select_related(
        "partner").order_by("expires_on", "id")
