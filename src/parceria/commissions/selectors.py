"""Reads of the ledger. Balances are sums of the partner's lines, read from the ledger-totals projection
(commissions/totals.py: a few rows per month, kept in step with the lines and checked against them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet

from parceria.commissions.models import LedgerKind, LedgerLine, LedgerTotal
from parceria.commissions.totals import as_date, from_units
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


@dataclass(frozen=True)
class PeriodTotal:
    """Σ of a partner's lines of one kind in one accounting month."""

    period: date
    kind: str
    amount: Decimal


_TOTALS_SQL = (
    f"SELECT period, kind, amount_units FROM {LedgerTotal._meta.db_table} WHERE partner_id = %s"
)


def period_totals(partner: Partner | int) -> list[PeriodTotal]:
    """The partner's ledger summed per accounting month and kind: one small query on the projection."""
    partner_id = partner if isinstance(partner, int) else partner.pk
    with connection.cursor() as cursor:
        cursor.execute(_TOTALS_SQL, [partner_id])
        rows = [(as_date(period), kind, units) for period, kind, units in cursor.fetchall()]
    merged: dict[tuple[date, str], int] = {}
    for period, kind, units in rows:  # a partner whose currency changed has two rows for a month
        merged[(period, kind)] = merged.get((period, kind), 0) + units
    return [PeriodTotal(period, kind, from_units(units)) for (period, kind), units in sorted(merged.items())]


def balance_of(currency: str, totals: Sequence[PeriodTotal]) -> Balance:
    zero = Decimal("0.0000")
    by_kind: dict[str, Decimal] = {}
    for row in totals:
        by_kind[row.kind] = by_kind.get(row.kind, zero) + row.amount

    def total(kind: str) -> Decimal:
        return by_kind.get(kind, zero)

    paid_out = -(total(LedgerKind.PAYOUT) + total(LedgerKind.PAYOUT_REVERSAL))
    accrued, clawed_back, adjusted = (
        total(LedgerKind.ACCRUAL),
        -total(LedgerKind.CLAWBACK),
        total(LedgerKind.ADJUSTMENT),
    )
    return Balance(
        currency=currency,
        balance=accrued - clawed_back + adjusted - paid_out,
        accrued=accrued,
        clawed_back=clawed_back,
        adjusted=adjusted,
        paid_out=paid_out,
    )


def partner_balance(partner: Partner) -> Balance:
    return balance_of(partner.currency, period_totals(partner))


def ledger_lines_for(partner: Partner, *, kind: str | None = None) -> QuerySet[LedgerLine]:
    lines = LedgerLine.objects.filter(partner=partner).order_by("-occurred_at", "-id")
    if kind:
        lines = lines.filter(kind=kind)
    return lines
