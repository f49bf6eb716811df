"""What-if (SPEC §6.7): run a plan — typically a draft (parceria.commissions.plans) — over a past period
without writing anything, and compare per partner with what the ledger actually accrued.

How the what-if recomputes each invoice paid in the period (paid_at in the platform's time zone):

* the engine (`engine.accrue_invoice`) with the given plan alone, its effective dates ignored (the
  question is "what if this plan had applied to the whole period");
* the partners' terms in force at the invoice's payment time (PartnerTerms), the customer's
  attribution, and the usage split of the invoice's service period (usage days within
  [period_start, period_end], inclusive — the intake's rule), from the usage known now;
* the FX rates of the payment day, with the intake's look-up rule (`parceria.common.fx`);
* all of these loaded by the loaders the intake uses (`parceria.commissions.inputs`), so the preview can never
  compute from inputs the real accrual would not see;
* partner status: the engine only pays active partners, and status has no history. A partner counts as
  active for an invoice if it is active now, or if the ledger holds an accrual of that invoice for it
  (it was evidently active then) — so a partner terminated since keeps its past in the comparison.

"Current" is what the ledger holds for the same invoices: accrual lines (before clawbacks), and,
separately, the clawback lines of those invoices' refunds (recorded up to now). The what-if clawback of
an accrual C is what the cumulative refund rule would have clawed back: round4(C × refunded / amount).

Set-based: a fixed number of queries whatever the number of invoices (invoices with their customers,
ledger sums, refund sums, usage sums, partners, terms, FX rates); nothing is written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from parceria.commissions import engine
from parceria.commissions.inputs import Usage, engine_fx, engine_partners_named, engine_plan, engine_usage
from parceria.commissions.models import CommissionPlan, LedgerKind, LedgerLine
from parceria.common.dbsum import exact_sums
from parceria.common.errors import InvalidInput
from parceria.common.fx import FxBook
from parceria.common.money import divide, multiply, round_ledger
from parceria.customers.models import Invoice, Refund

ZERO = Decimal("0.0000")
MAX_PERIOD_DAYS = 3 * 366  # a what-if runs in one request: at most about three years


class _Differences:
    """What-if minus current, for a result that carries accrued and clawed-back amounts both ways."""

    current_accrued: Decimal
    what_if_accrued: Decimal
    current_clawed_back: Decimal
    what_if_clawed_back: Decimal

    @property
    def difference(self) -> Decimal:
        """What-if accrued − current accrued (before clawbacks)."""
        return self.what_if_accrued - self.current_accrued

    @property
    def net_difference(self) -> Decimal:
        """The same difference after clawbacks."""
        return (self.what_if_accrued - self.what_if_clawed_back) - (self.current_accrued - self.current_clawed_back)


@dataclass(frozen=True)
class PartnerWhatIf(_Differences):
    """One partner's accruals on the period's invoices: in the ledger now, and under the what-if plan."""

    partner_id: int
    name: str
    currency: str
    current_accrued: Decimal
    what_if_accrued: Decimal
    current_clawed_back: Decimal
    what_if_clawed_back: Decimal


@dataclass(frozen=True)
class CurrencyWhatIf(_Differences):
    """The totals of one payout currency."""

    currency: str
    partners: int
    current_accrued: Decimal
    what_if_accrued: Decimal
    current_clawed_back: Decimal
    what_if_clawed_back: Decimal


@dataclass(frozen=True)
class InvoiceNotComputed:
    """An invoice the engine could not compute under the plan (e.g. no FX rate), left out of the what-if."""

    invoice_id: str
    error: str


@dataclass(frozen=True)
class WhatIfReport:
    plan_id: int
    plan_name: str
    plan_version: int
    plan_status: str
    period_from: date
    period_to: date
    invoices: int
    partners: list[PartnerWhatIf]
    totals: list[CurrencyWhatIf]
    not_computed: list[InvoiceNotComputed] = field(default_factory=list)


@dataclass
class _Sums:
    current_accrued: Decimal = ZERO
    what_if_accrued: Decimal = ZERO
    current_clawed_back: Decimal = ZERO
    what_if_clawed_back: Decimal = ZERO


@dataclass(frozen=True)
class _InvoiceRow:
    invoice: engine.PaidInvoice
    referrer_id: int | None
    attributed_at: datetime | None


def plan_what_if(*, plan: CommissionPlan, period_from: date, period_to: date) -> WhatIfReport:
    """Recompute, without writing, the accruals of every invoice paid from `period_from` to `period_to`
    (inclusive days, platform time zone) under `plan`, and compare per partner with the ledger."""
    if period_from > period_to:
        raise InvalidInput("the period's start must not be after its end", code="invalid_period")
    if (period_to - period_from).days >= MAX_PERIOD_DAYS:
        raise InvalidInput("a what-if covers at most three years", code="period_too_long")
    if period_from.year < 1900 or period_to.year > 9998:
        raise InvalidInput("the period must lie between the years 1900 and 9998", code="invalid_period")
    start, end = _bounds(period_from, period_to)
    invoices = _load_invoices(start, end)
    sums: dict[tuple[int, str], _Sums] = defaultdict(_Sums)
    accrued_pairs = _load_ledger(start, end, sums)
    not_computed: list[InvoiceNotComputed] = []
    partner_ids = {pid for pid, _ in sums}
    if invoices:
        customers = Invoice.objects.filter(paid_at__gte=start, paid_at__lt=end).values("customer_id")
        first = min(row.invoice.period_start for row in invoices)
        usage = engine_usage(customers, first, max(row.invoice.period_end for row in invoices))
        refunded = exact_sums(
            Refund.objects.filter(invoice__paid_at__gte=start, invoice__paid_at__lt=end), "amount", "invoice_id"
        )
        partner_ids |= {row.referrer_id for row in invoices if row.referrer_id}
        partner_ids |= {pid for rows in usage.values() for _, pid, _ in rows if pid}
        partners, names = engine_partners_named(partner_ids)
        fx = engine_fx({row.invoice.currency for row in invoices}, {p.currency for p in partners.values()},
                       [timezone.localdate(row.invoice.paid_at) for row in invoices])
        not_computed = _run(
            engine_plan(plan, whole_period=True), invoices, usage, refunded, partners, accrued_pairs, fx, sums
        )
    else:
        names = engine_partners_named(partner_ids)[1]
    return _report(plan, period_from, period_to, len(invoices), sums, names, not_computed)


def _bounds(period_from: date, period_to: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(period_from, time.min), tz)
    end = timezone.make_aware(datetime.combine(period_to + timedelta(days=1), time.min), tz)
    return start, end


def _load_invoices(start: datetime, end: datetime) -> list[_InvoiceRow]:
    rows = (
        Invoice.objects.filter(paid_at__gte=start, paid_at__lt=end)
        .order_by("paid_at", "invoice_id")
        .values(
            "invoice_id",
            "event_id",
            "customer_id",
            "amount",
            "currency",
            "period_start",
            "period_end",
            "paid_at",
            "customer__partner_id",
            "customer__attributed_at",
        )
    )
    return [
        _InvoiceRow(
            engine.PaidInvoice(
                event_id=r["event_id"],
                invoice_id=r["invoice_id"],
                customer_id=r["customer_id"],
                amount=r["amount"],
                currency=r["currency"],
                paid_at=r["paid_at"],
                period_start=r["period_start"],
                period_end=r["period_end"],
            ),
            referrer_id=r["customer__partner_id"],
            attributed_at=r["customer__attributed_at"],
        )
        for r in rows
    ]


def _load_ledger(start: datetime, end: datetime, sums: dict[tuple[int, str], _Sums]) -> set[tuple[str, int]]:
    """Add the ledger's accruals and clawbacks of the period's invoices to `sums`; answer which
    (invoice, partner) pairs accrued."""
    lines = LedgerLine.objects.filter(
        invoice__paid_at__gte=start, invoice__paid_at__lt=end, kind__in=(LedgerKind.ACCRUAL, LedgerKind.CLAWBACK)
    )
    accrued_pairs: set[tuple[str, int]] = set()
    for key, total in exact_sums(lines, "amount", "invoice_id", "partner_id", "currency", "kind").items():
        assert isinstance(key, tuple)
        invoice_id, partner_id, currency, kind = key
        if kind == LedgerKind.ACCRUAL:
            sums[(partner_id, currency)].current_accrued += total
            accrued_pairs.add((invoice_id, partner_id))
        else:
            sums[(partner_id, currency)].current_clawed_back -= total
    return accrued_pairs


class _StatusAtPayment:
    """Partners as the engine should see them for one invoice (see the module docstring on status)."""

    def __init__(self, partners: Mapping[int, engine.PartnerInfo], accrued_pairs: set[tuple[str, int]]) -> None:
        self.partners = partners
        self.accrued_pairs = accrued_pairs
        self._active = {
            pid: replace(p, status=engine.ACTIVE) for pid, p in partners.items() if p.status != engine.ACTIVE
        }

    def get(self, partner_id: int | None, invoice_id: str) -> engine.PartnerInfo | None:
        if partner_id is None:
            return None
        if partner_id in self._active and (invoice_id, partner_id) in self.accrued_pairs:
            return self._active[partner_id]
        return self.partners.get(partner_id)


def _run(
    plan: engine.Plan,
    invoices: list[_InvoiceRow],
    usage: Usage,
    refunded: Mapping[Any, Decimal],
    partners: Mapping[int, engine.PartnerInfo],
    accrued_pairs: set[tuple[str, int]],
    fx: FxBook,
    sums: dict[tuple[int, str], _Sums],
) -> list[InvoiceNotComputed]:
    status = _StatusAtPayment(partners, accrued_pairs)
    quotes_by_day: dict[date, dict[tuple[str, str], engine.FxQuote]] = {}
    not_computed: list[InvoiceNotComputed] = []
    for row in invoices:
        invoice = row.invoice
        split = engine.usage_split(usage.get(invoice.customer_id, []), invoice.period_start, invoice.period_end)
        integrators = {
            pid: info for pid in split.by_partner if (info := status.get(pid, invoice.invoice_id)) is not None
        }
        day = timezone.localdate(invoice.paid_at)
        if day not in quotes_by_day:
            quotes_by_day[day] = fx.quotes_on(day)
        try:
            postings = engine.accrue_invoice(
                invoice,
                [plan],
                status.get(row.referrer_id, invoice.invoice_id),
                row.attributed_at,
                integrators,
                split,
                quotes_by_day[day],
            )
        except engine.EngineError as exc:
            not_computed.append(InvoiceNotComputed(invoice.invoice_id, str(exc)))
            continue
        share_refunded = refunded.get(invoice.invoice_id, ZERO)
        for posting in postings:
            totals = sums[(posting.partner_id, posting.currency)]
            totals.what_if_accrued += posting.amount
            if share_refunded and invoice.amount > 0:
                totals.what_if_clawed_back += round_ledger(
                    multiply(posting.amount, divide(share_refunded, invoice.amount))
                )
    return not_computed


def _report(
    plan: CommissionPlan,
    period_from: date,
    period_to: date,
    invoices: int,
    sums: Mapping[tuple[int, str], _Sums],
    names: Mapping[int, str],
    not_computed: list[InvoiceNotComputed],
) -> WhatIfReport:
    partners = [
        PartnerWhatIf(
            pid,
            names.get(pid, f"Partner {pid}"),
            currency,
            s.current_accrued,
            s.what_if_accrued,
            s.current_clawed_back,
            s.what_if_clawed_back,
        )
        for (pid, currency), s in sorted(sums.items())
    ]
    by_currency: dict[str, list[PartnerWhatIf]] = defaultdict(list)
    for p in partners:
        by_currency[p.currency].append(p)
    totals = [
        CurrencyWhatIf(
            currency,
            len(rows),
            sum((r.current_accrued for r in rows), ZERO),
            sum((r.what_if_accrued for r in rows), ZERO),
            sum((r.current_clawed_back for r in rows), ZERO),
            sum((r.what_if_clawed_back for r in rows), ZERO),
        )
        for currency, rows in sorted(by_currency.items())
    ]
    return WhatIfReport(
        plan.pk, plan.name, plan.version, plan.status, period_from, period_to, invoices, partners, totals, not_computed
    )
