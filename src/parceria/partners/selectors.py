"""Reads of partners: which partners a principal may see (the tenancy scoping of the partner family), and a
partner's payout method and its history as the portal and the console show them (masked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from parceria.accounts.tenancy import Principal, partner_owned
from parceria.common.payout_methods import METHODS, account_summary
from parceria.partners.models import Partner, PayoutMethodChange
from parceria.partners.payout_details import payout_details_held_until


def scope_partners(principal: Principal, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The partners `principal` may see: a partner credential its own only, staff all."""
    return partner_owned(principal, queryset if queryset is not None else Partner.objects.all(), field="pk")


def scoped_partner(principal: Principal, partner_id: int) -> Partner | None:
    """The partner `partner_id` if the principal may see it, else None. A partner credential sees its own
    partner only: the one its key or user belongs to (loaded with it, so no further query)."""
    if principal.is_partner:
        if partner_id != principal.partner_id:
            return None
        holder = principal.api_key or principal.user
        if holder is not None:  # its partner is the principal's own (loaded with it by the sign-in and the API key)
            return holder.partner
    return scope_partners(principal).filter(pk=partner_id).first()


@dataclass(frozen=True)
class PayoutMethodShown:
    """A partner's payout method as its pages show it: the label, the account masked but its last characters (a PIX
    key too), and until when payouts to it are held (None: not held now)."""

    method: str
    label: str
    summary: str
    changed_at: datetime | None
    held_until: datetime | None


@dataclass(frozen=True)
class PayoutMethodRow:
    """One version of where a partner's payouts went (PayoutMethodChange), masked."""

    changed_at: datetime
    changed_by: str
    method: str
    label: str
    summary: str
    reason: str


#: How many versions the history tables show (the newest); a partner rarely changes its account.
PAYOUT_HISTORY_ROWS = 20


def _method_label(method: str) -> str:
    spec = METHODS.get(method)
    return str(spec.label) if spec is not None else ""


def payout_method_shown(partner: Partner, *, now: datetime | None = None) -> PayoutMethodShown:
    """The partner's current payout method (from the partner row: no query)."""
    method = partner.payout_method
    held_until = payout_details_held_until(partner)
    if held_until is not None and held_until <= (now or timezone.now()):
        held_until = None
    return PayoutMethodShown(
        method=method,
        label=_method_label(method),
        summary=account_summary(method, partner.payout_account or {}) if method else "",
        changed_at=partner.payout_details_changed_at,
        held_until=held_until,
    )


def payout_method_history(partner: Partner, *, limit: int = PAYOUT_HISTORY_ROWS) -> list[PayoutMethodRow]:
    """The partner's payout method versions, newest first, at most `limit` (one query), every account masked."""
    changes = PayoutMethodChange.objects.filter(partner=partner).order_by("-changed_at", "-id")[:limit]
    return [
        PayoutMethodRow(
            changed_at=change.changed_at,
            changed_by=change.changed_by,
            method=change.method,
            label=_method_label(change.method),
            summary=account_summary(change.method, change.account or {}) if change.method else "",
            reason=change.reason,
        )
        for change in changes
    ]
