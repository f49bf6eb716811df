"""Reads for the portal's dashboard. Every query here is filtered to one partner, given by the caller from the
signed-in user (DESIGN rule 6): nothing takes a partner id from a URL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from parceria.commissions.inputs import active_plans
from parceria.commissions.models import LedgerKind
from parceria.commissions.selectors import Balance, PeriodTotal, partner_balances, period_totals
from parceria.common.money import round_down_minor
from parceria.common.months import add_months, month_end, month_start, next_month
from parceria.common.pix import masked_pix_key
from parceria.partners.models import Partner, Tier
from parceria.partners.payout_details import payout_details_held_until
from parceria.payouts.close import carry_reason, payee_of, payout_due_date, payout_minimum
from parceria.payouts.selectors import Earnings, estimated_withheld, last_closed_month, partner_earnings
from parceria.safeguards.selectors import held_partner_ids

EARNING_KINDS = (LedgerKind.ACCRUAL, LedgerKind.CLAWBACK)
TIER_ORDER = (None, Tier.CERTIFIED, Tier.PREFERRED, Tier.STRATEGIC)


# --- dashboard ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentUnderWay:
    """A payout a close made that the bank has not paid yet."""

    id: int
    period: date
    currency: str
    gross: Decimal
    net: Decimal
    due_date: date
    pix_key: str  # masked
    late: bool


@dataclass(frozen=True)
class NextPayout:
    """What the next close would pay in one currency, or why it would pay nothing (`reason`: a CarryReason,
    or "nothing" when nothing is owed); `amount` is the gross and `net` an estimate after withholding."""

    close_month: date
    close_after: date
    due_date: date
    amount: Decimal
    net: Decimal
    withheld: Decimal
    minimum: Decimal | None
    reason: str
    held_until: datetime | None
    pix_key: str  # masked; blank when the partner has none
    partner_status: str

    @property
    def pays(self) -> bool:
        return not self.reason

    @property
    def shortfall(self) -> Decimal:
        """How much more the balance needs to reach the minimum."""
        return max((self.minimum or Decimal(0)) - self.amount, Decimal(0))


@dataclass(frozen=True)
class CurrencyFigures:
    """The dashboard's figures in one currency: never added to another currency's."""

    currency: str
    earned_this_month: Decimal
    balance: Decimal
    earnings: Earnings
    next_payout: NextPayout
    pending: tuple[PaymentUnderWay, ...]


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


def next_close_month(last_closed: date | None, month: date) -> date:
    """The month the next close closes: last month while it is not closed (closing it pays every month up to it,
    however far behind the closes are), else this month."""
    previous = add_months(month, months=-1)
    return previous if last_closed is None or last_closed < previous else month


def next_payout(
    partner: Partner, totals: Sequence[PeriodTotal], currency: str, last_closed: date | None, now: datetime
) -> NextPayout:
    """What the next close that pays would pay the partner in `currency`: the balance of the months up to the one
    it closes, judged by the close's own rule (payouts.close.carry_reason) at the moment the close can run. When
    the close that is due pays nothing, the close of this month is judged too; with neither paying, the reason is
    this month's (the whole balance)."""
    today = timezone.localdate(now)
    month = month_start(today)
    first = next_close_month(last_closed, month)
    found = _projected(partner, totals, currency, first, now)
    if found.reason and first < month:
        found = _projected(partner, totals, currency, month, now)
    return found


def _projected(partner: Partner, totals: Sequence[PeriodTotal], currency: str, close_month: date,
               now: datetime) -> NextPayout:
    balance = sum(
        (t.amount for t in totals if t.currency == currency and t.period is not None and t.period <= close_month),
        Decimal("0.0000"),
    )
    minimum = payout_minimum(currency, close_month)
    after = next_month(close_month)
    runs_at = max(now, timezone.make_aware(datetime(after.year, after.month, after.day)))
    if balance == 0:
        reason = "nothing"
    else:
        reason = carry_reason(payee_of(partner), currency, balance, {currency: minimum}, runs_at,
                              flagged=bool(held_partner_ids([partner.pk])))
    amount = round_down_minor(balance, currency) if balance > 0 else balance
    withheld = Decimal(0)
    if not reason:
        withheld = estimated_withheld(partner, amount, currency, on=max(timezone.localdate(now), after))
    held_until = payout_details_held_until(partner)
    return NextPayout(
        close_month=close_month, close_after=month_end(close_month), due_date=payout_due_date(close_month),
        amount=amount, net=amount - withheld, withheld=withheld, minimum=minimum, reason=reason,
        held_until=held_until if held_until is not None and held_until > now else None,
        pix_key=masked_pix_key(partner.pix_key) if partner.pix_key else "",
        partner_status=partner.get_status_display(),
    )


def tier_info(partner: Partner, now: datetime) -> TierInfo:
    """The partner's tier, its referral rate under the plan in force at `now` (the plan versions that accrue,
    newest first, judged by the engine's own rule), and the tier after it."""
    plan = next((p for p in active_plans() if p.covers(now)), None)
    rate: Decimal | None = None
    if plan is not None:
        rate = plan.referral_rates.get(partner.tier) if partner.tier else plan.entry_rate
    position = TIER_ORDER.index(partner.tier) if partner.tier in TIER_ORDER else 0
    following = TIER_ORDER[position + 1] if position + 1 < len(TIER_ORDER) else None
    return TierInfo(partner.tier, rate, plan.label if plan else "", following)


def _shown(
    partner: Partner, totals: Sequence[PeriodTotal], balances: Sequence[Balance], earnings: dict[str, Earnings],
    month: date,
) -> list[str]:
    """The currencies the dashboard shows: the payout currency, then each other currency that has a balance,
    a payout not yet paid or earnings in the chart's months."""
    others = {b.currency for b in balances if b.balance != 0} | {c for c, e in earnings.items() if e.in_payment}
    others |= {b.currency for b in balances if any(v for _, v in monthly_earnings(totals, month, b.currency))}
    return [partner.currency, *sorted(others - {partner.currency})]


def _empty(currency: str) -> Earnings:
    zero = Decimal("0.0000")
    return Earnings(currency, zero, zero, (), zero, zero, zero, None, ())


def dashboard(partner: Partner, *, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    today = timezone.localdate(now)
    month = month_start(today)
    totals = period_totals(partner)  # one query on the ledger-totals projection for every figure and currency
    balances = partner_balances(partner, totals)
    last_closed = last_closed_month()
    earnings = partner_earnings(partner, totals, last_closed=last_closed)
    currencies = _shown(partner, totals, balances, earnings, month)
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
            earnings=earnings.get(c) or _empty(c),
            next_payout=next_payout(partner, totals, c, last_closed, now),
            pending=tuple(
                PaymentUnderWay(p.id, p.period, p.currency, p.gross, p.net, p.due_date,
                                masked_pix_key(p.pix_key) if p.pix_key else "", p.due_date < today)
                for p in (earnings.get(c) or _empty(c)).in_payment
            ),
        )
        for c in currencies
    )
    return Dashboard(currency=partner.currency, figures=figures, chart=chart, tier=tier_info(partner, now))
