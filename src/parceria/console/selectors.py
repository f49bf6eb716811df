"""Reads for the console's own pages: the counts that need attention, a partner's page and the search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from parceria.accounts.models import User
from parceria.commissions.models import LedgerKind
from parceria.commissions.selectors import balances, ledger_lines_for, partner_balances, program_totals
from parceria.common.dbsum import exact_sums
from parceria.common.models import AuditRecord
from parceria.common.months import add_months, month_start, next_month
from parceria.customers.models import Customer, EventBatch, Invoice
from parceria.disputes.models import ACTIVE_DISPUTE_STATUSES, Adjustment, AdjustmentStatus, Dispute
from parceria.disputes.selectors import overdue_q
from parceria.partners.models import Partner, PartnerTerms
from parceria.partners.selectors import PAYOUT_HISTORY_ROWS, payout_method_history, payout_method_shown
from parceria.payouts.close import CloseDue, close_due
from parceria.payouts.informe import paid_years
from parceria.payouts.models import Payout, PayoutBatch, PayoutStatus
from parceria.payouts.selectors import (
    PayeeWithoutMethod,
    late_payouts,
    payees_without_method,
    payout_rows,
    payouts_with_status,
)
from parceria.payouts.services import BatchStage, batch_stages, batch_states, batches_with_state
from parceria.safeguards.selectors import open_flag_count
from parceria.tiers.selectors import tier_overview

SEARCH_LIMIT = 20
CHART_MONTHS = 12
ZERO = Decimal("0.0000")


@dataclass(frozen=True)
class Attention:
    disputes_overdue: int
    disputes_open: int
    adjustments_waiting: int
    batches_waiting: int
    rejected_events: int
    late_payouts: int


def attention() -> Attention:
    now = timezone.now()
    disputes = Dispute.objects.aggregate(
        overdue=Count("pk", filter=overdue_q(now)),
        open=Count("pk", filter=Q(status__in=[s.value for s in ACTIVE_DISPUTE_STATUSES])),
    )
    week = EventBatch.objects.filter(received_at__gte=now - timedelta(days=7)).exclude(rejected=[])
    return Attention(
        disputes_overdue=disputes["overdue"],
        disputes_open=disputes["open"],
        adjustments_waiting=Adjustment.objects.filter(status=AdjustmentStatus.PENDING_APPROVAL).count(),
        batches_waiting=sum(1 for _, state in batches_with_state() if not state.approved),
        rejected_events=sum(len(rejected) for rejected in week.values_list("rejected", flat=True)),
        late_payouts=late_payouts().count(),
    )


@dataclass
class Liability:
    """What the program owes partners in one currency now: the positive balances (partners' lines not yet paid
    out) and the payouts a close made that the bank has not paid yet (their gross). Negative balances (clawbacks
    after a payout) are what partners owe back: shown apart, never netted against what is owed to others."""

    currency: str
    balances: Decimal = ZERO
    balances_partners: int = 0
    pending: Decimal = ZERO
    pending_payouts: int = 0
    negative: Decimal = ZERO
    negative_partners: int = 0
    late: Decimal = ZERO
    late_payouts: int = 0

    @property
    def owed(self) -> Decimal:
        return self.balances + self.pending


@dataclass
class MonthFigures:
    """One currency's accruals and clawbacks (a positive amount) in one accounting month."""

    currency: str
    accrued: Decimal = ZERO
    accruals: int = 0
    clawed_back: Decimal = ZERO
    clawbacks: int = 0


@dataclass(frozen=True)
class FinanceOverview:
    liabilities: list[Liability]
    month: date
    this_month: list[MonthFigures]
    close: CloseDue
    batch_stages: dict[str, int]
    chart: dict[str, Any]
    without_method: list[PayeeWithoutMethod]  # the partners the next close cannot pay for want of a payout method


def finance_overview(today: date | None = None) -> FinanceOverview:
    """The figures of the console's overview for finance, per currency (amounts in two currencies are never added),
    in a fixed number of queries whatever the number of partners, payouts or months."""
    today = today or timezone.localdate()
    month = month_start(today)
    close = close_due(today)
    return FinanceOverview(
        liabilities=_liabilities(today),
        month=month,
        this_month=_months(month, month)[month],
        close=close,
        batch_stages=_batch_stage_counts(),
        chart=_chart(month),
        without_method=payees_without_method(close.month),
    )


def _liabilities(today: date) -> list[Liability]:
    found: dict[str, Liability] = {}
    for balance in balances().values():
        row = found.setdefault(balance.currency, Liability(balance.currency))
        if balance.balance > 0:
            row.balances += balance.balance
            row.balances_partners += 1
        elif balance.balance < 0:
            row.negative += balance.balance
            row.negative_partners += 1
    pending = payouts_with_status(Payout.objects.all(), today=today).filter(current_status=PayoutStatus.PENDING)
    for currency, is_late, count, gross in _payout_sums(pending):
        row = found.setdefault(currency, Liability(currency))
        row.pending += gross
        row.pending_payouts += count
        if is_late:
            row.late += gross
            row.late_payouts += count
    return [found[c] for c in sorted(found) if found[c].owed or found[c].negative]


def _payout_sums(payouts: Any) -> list[tuple[str, bool, int, Decimal]]:
    """(currency, late, number, Σ gross) of the payouts, one grouped query."""
    sums = exact_sums(payouts, "gross", "currency", "late")
    counts = {(c, late): n for c, late, n in payouts.values_list("currency", "late").annotate(n=Count("pk")).order_by()}
    return [(str(k[0]), bool(k[1]), counts[(k[0], k[1])], total) for k, total in sums.items() if isinstance(k, tuple)]


def _months(first: date, last: date) -> dict[date, list[MonthFigures]]:
    """Accruals and clawbacks per accounting month from `first` to `last`, per currency (one grouped query)."""
    found: dict[date, dict[str, MonthFigures]] = {}
    for total in program_totals(since=first, until=next_month(last)):
        if total.kind not in (LedgerKind.ACCRUAL, LedgerKind.CLAWBACK):
            continue
        row = found.setdefault(total.period, {}).setdefault(total.currency, MonthFigures(total.currency))
        if total.kind == LedgerKind.ACCRUAL:
            row.accrued += total.amount
            row.accruals += total.lines
        else:
            row.clawed_back -= total.amount
            row.clawbacks += total.lines
    result: dict[date, list[MonthFigures]] = {}
    current = first
    while current <= last:
        result[current] = [found.get(current, {})[c] for c in sorted(found.get(current, {}))]
        current = next_month(current)
    return result


def _chart(month: date) -> dict[str, Any]:
    """The last 12 accounting months' accruals and clawbacks (negative) per currency, for the chart: labels
    YYYY-MM and one series per currency, amounts as text (exact decimals; the script draws them)."""
    first = add_months(month, months=-(CHART_MONTHS - 1))
    by_month = _months(first, month)
    currencies = sorted({f.currency for figures in by_month.values() for f in figures})
    series = []
    for currency in currencies:
        rows = [next((f for f in figures if f.currency == currency), MonthFigures(currency))
                for figures in by_month.values()]
        series.append({"currency": currency, "accrued": [str(r.accrued) for r in rows],
                       "clawed_back": [str(-r.clawed_back) for r in rows]})
    return {"labels": [f"{m:%Y-%m}" for m in by_month], "series": series}


def _batch_stage_counts() -> dict[str, int]:
    batches = list(PayoutBatch.objects.order_by("-period"))
    stages = batch_stages(batches, batch_states(batches))
    return {stage: sum(1 for s in stages.values() if s == stage) for stage in BatchStage.ALL}


def partner_overview(partner: Partner) -> dict[str, Any]:
    """Everything about one partner, for its page in the console."""
    customers = Customer.objects.filter(partner=partner)
    revenue = exact_sums(Invoice.objects.filter(customer__partner=partner), "amount", "currency")
    payouts = Payout.objects.filter(partner=partner).order_by("-batch__period", "-id")[:12]
    history = payout_method_history(partner, limit=PAYOUT_HISTORY_ROWS + 1)
    return {
        "balances": partner_balances(partner),
        "terms": list(PartnerTerms.objects.filter(partner=partner).order_by("-created_at", "-id")[:5]),
        "ledger": list(ledger_lines_for(partner)[:10]),
        "customers_count": customers.count(),
        "customers_active": customers.filter(status="active").count(),
        "revenue": sorted((str(currency), Decimal(total)) for currency, total in revenue.items()),
        "payouts": payout_rows(payouts),
        "income_years": paid_years(partner),
        "disputes": list(Dispute.objects.filter(partner=partner).order_by("-opened_at", "-id")[:10]),
        "adjustments": list(Adjustment.objects.filter(partner=partner).order_by("-requested_at", "-id")[:10]),
        "users": list(User.objects.filter(partner=partner).order_by("username")),
        "tier": tier_overview(partner),
        "safeguard_flags": open_flag_count(partner.pk),
        "payout_method": payout_method_shown(partner),
        "payout_history": history[:PAYOUT_HISTORY_ROWS],
        "payout_history_cut": len(history) > PAYOUT_HISTORY_ROWS,
        "payout_history_rows": PAYOUT_HISTORY_ROWS,
        "audit": list(AuditRecord.objects.filter(object_type="partners.partner", object_id=str(partner.pk))
                      .order_by("-at", "-id")[:10]),
    }


def search(text: str) -> dict[str, list[Any]]:
    """Partners by name, legal name or tax id; customers by name, external id, domain or tax id."""
    text = text.strip()
    if len(text) < 2:
        return {"partners": [], "customers": []}
    compact = "".join(ch for ch in text if ch.isalnum())
    tax = Q(tax_id__icontains=compact) if compact else Q(pk__in=[])
    partners = Partner.objects.filter(Q(name__icontains=text) | Q(legal_name__icontains=text) | tax)
    customers = Customer.objects.select_related("partner").filter(
        Q(name__icontains=text) | Q(external_id__icontains=text) | Q(domain__icontains=text) | tax
    )
    return {
        "partners": list(partners.order_by("name")[:SEARCH_LIMIT]),
        "customers": list(customers.order_by("name")[:SEARCH_LIMIT]),
    }
