"""Reads for the portal's dashboard. Every query here is filtered to one partner, given by the caller from the
signed-in user (DESIGN rule 6): nothing takes a partner id from a URL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from parceria.commissions.models import CommissionPlan, LedgerKind
from parceria.commissions.selectors import Balance, PeriodTotal, partner_balances, period_totals
from parceria.common.money import round_down_minor
from parceria.common.months import add_months, month_end, month_start
from parceria.partners.models import Partner, Tier
from parceria.partners.payout_details import payout_details_held_until
from parceria.payouts.close import payout_due_date, payout_minimum
from parceria.payouts.selectors import pending_payouts

EARNING_KINDS = (LedgerKind.ACCRUAL, LedgerKind.CLAWBACK)
TIER_ORDER = (None, Tier.CERTIFIED, Tier.PREFERRED, Tier.STRATEGIC)


# --- dashboard ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextPayout:
    """What the next close would pay in one currency."""

    close_date: date
    due_date: date
    amount: Decimal
    minimum: Decimal | None
    pays: bool
    held_until: datetime | None


@dataclass(frozen=True)
class PendingPayout:
    """A payout a close made that the bank has not paid yet."""

    id: int
    period: date
    currency: str
    net: Decimal
    due_date: date


@dataclass(frozen=True)
class CurrencyFigures:
    """The dashboard's figures in one currency: never added to another currency's."""

    currency: str
    earned_this_month: Decimal
    balance: Decimal
    next_payout: NextPayout
    pending: tuple[PendingPayout, ...]


@dataclass(frozen=True)
class TierInfo:
    tier: str | None
    rate: Decimal | None
    plan_name: str
    next_tier: str | None

    @property
    def percent(self) -> Decimal | None:
        return None if self.rate is None else self.rate * 100


@dataclass(frozen=True)
class Dashboard:
    currency: str  # the payout currency, whose figures come first
    figures: tuple[CurrencyFigures, ...]
    chart: dict[str, list[Any]]
    tier: TierInfo

    @property
    def several_currencies(self) -> bool:
        return len(self.figures) > 1


def earned_in(totals: Sequence[PeriodTotal], month: date, currency: str) -> Decimal:
    """Accruals minus clawbacks of the accounting month in `currency` (clawback lines are negative)."""
    return sum(
        (t.amount for t in totals if t.period == month and t.currency == currency and t.kind in EARNING_KINDS),
        Decimal("0.0000"),
    )


def monthly_earnings(
    totals: Sequence[PeriodTotal], last: date, currency: str, months: int = 12
) -> list[tuple[date, Decimal]]:
    first = add_months(last, months=-(months - 1))
    sums: dict[date, Decimal] = {}
    for t in totals:
        if t.period is not None and first <= t.period <= last and t.currency == currency and t.kind in EARNING_KINDS:
            sums[t.period] = sums.get(t.period, Decimal("0.0000")) + t.amount
    return [(m, sums.get(m, Decimal("0.0000"))) for m in (add_months(first, months=i) for i in range(months))]


def next_payout(partner: Partner, balance: Decimal, currency: str, today: date, now: datetime) -> NextPayout:
    month = month_start(today)
    minimum = payout_minimum(currency, month)
    amount = round_down_minor(balance, currency) if balance > 0 else Decimal(0)
    held_until = payout_details_held_until(partner)
    if held_until is not None and held_until <= now:
        held_until = None
    pays = minimum is not None and amount >= minimum and amount > 0
    return NextPayout(month_end(month), payout_due_date(month), amount, minimum, pays, held_until)


def tier_info(partner: Partner, now: datetime) -> TierInfo:
    plan = active_plan(now)
    rate: Decimal | None = None
    if plan is not None:
        raw = plan.referral_rates.get(partner.tier) if partner.tier else plan.entry_rate
        rate = Decimal(str(raw)) if raw is not None else None
    position = TIER_ORDER.index(partner.tier) if partner.tier in TIER_ORDER else 0
    following = TIER_ORDER[position + 1] if position + 1 < len(TIER_ORDER) else None
    return TierInfo(partner.tier, rate, str(plan) if plan else "", following)


def active_plan(now: datetime) -> CommissionPlan | None:
    return (
        CommissionPlan.objects.filter(status=CommissionPlan.Status.ACTIVE)
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=now))
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=now))
        .order_by("-effective_from", "-version")
        .first()
    )


def _shown(
    partner: Partner, totals: Sequence[PeriodTotal], balances: Sequence[Balance], pending: Sequence[PendingPayout],
    month: date,
) -> list[str]:
    """The currencies the dashboard shows: the payout currency, then each other currency that has a balance,
    a pending payout or earnings in the chart's months."""
    others = {b.currency for b in balances if b.balance != 0} | {p.currency for p in pending}
    others |= {b.currency for b in balances if any(v for _, v in monthly_earnings(totals, month, b.currency))}
    return [partner.currency, *sorted(others - {partner.currency})]


def dashboard(partner: Partner, *, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    today = timezone.localdate(now)
    month = month_start(today)
    totals = period_totals(partner)  # one query on the ledger-totals projection for every figure and currency
    balances = partner_balances(partner, totals)
    pending = [
        PendingPayout(p.pk, p.batch.period, p.currency, p.net, p.due_date) for p in pending_payouts(partner.pk)
    ]
    currencies = _shown(partner, totals, balances, pending, month)
    balance_in = {b.currency: b.balance for b in balances}
    chart: dict[str, list[Any]] = {
        "labels": [f"{m:%Y-%m}" for m in (add_months(month, months=i - 11) for i in range(12))],
        "series": [
            {"currency": c, "values": [str(v) for _, v in monthly_earnings(totals, month, c)]} for c in currencies
        ],
    }
    figures = tuple(
        CurrencyFigures(
            currency=c,
            earned_this_month=earned_in(totals, month, c),
            balance=balance_in.get(c, Decimal("0.0000")),
            next_payout=next_payout(partner, balance_in.get(c, Decimal(0)), c, today, now),
            pending=tuple(p for p in pending if p.currency == c),
        )
        for c in currencies
    )
    return Dashboard(currency=partner.currency, figures=figures, chart=chart, tier=tier_info(partner, now))
