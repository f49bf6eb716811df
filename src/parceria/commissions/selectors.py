"""Reads of the ledger: balances are derived by SUM, never stored."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from parceria.commissions.models import LedgerKind, LedgerLine
from parceria.common.dbsum import exact_sums
from parceria.partners.models import Partner


@dataclass(frozen=True)
class Balance:
    """A partner's balance and its parts. balance = accrued − clawed_back + adjusted − paid_out."""

    currency: str
    balance: Decimal
    accrued: Decimal
    clawed_back: Decimal
    adjusted: Decimal
    paid_out: Decimal


def partner_balance(partner: Partner) -> Balance:
    sums = exact_sums(LedgerLine.objects.filter(partner=partner), "amount", "kind")
    zero = Decimal("0.0000")

    def total(kind: str) -> Decimal:
        return Decimal(sums.get(kind) or zero)

    paid_out = -(total(LedgerKind.PAYOUT) + total(LedgerKind.PAYOUT_REVERSAL))
    accrued, clawed_back, adjusted = (
        total(LedgerKind.ACCRUAL),
        -total(LedgerKind.CLAWBACK),
        total(LedgerKind.ADJUSTMENT),
    )
    return Balance(
        currency=partner.currency,
        balance=accrued - clawed_back + adjusted - paid_out,
        accrued=accrued,
        clawed_back=clawed_back,
        adjusted=adjusted,
        paid_out=paid_out,
    )


def ledger_lines_for(partner: Partner, *, kind: str | None = None) -> QuerySet[LedgerLine]:
    lines = LedgerLine.objects.filter(partner=partner).order_by("-occurred_at", "-id")
    if kind:
        lines = lines.filter(kind=kind)
    return lines
