"""Reading marketing funds, scoped through accounts.tenancy.partner_owned, and their return on investment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from parceria.accounts.tenancy import Principal, partner_owned
from parceria.common.dbsum import exact_sums
from parceria.common.fx import fx_quote
from parceria.customers.models import Invoice, Refund
from parceria.mdf.models import Budget, FundRequest, RequestStatus

REAIS = "BRL"


def scope_budgets(principal: Principal) -> QuerySet[Budget]:
    return partner_owned(principal, Budget.objects.select_related("partner"))


def scope_requests(principal: Principal) -> QuerySet[FundRequest]:
    return partner_owned(principal, FundRequest.objects.select_related("budget", "partner"))


@dataclass(frozen=True)
class FundRoi:
    request: FundRequest
    reimbursed: Decimal
    currency: str
    deals: int
    customers: int
    revenue_brl: Decimal | None  # None: a revenue currency had no FX rate
    reimbursed_brl: Decimal | None

    @property
    def roi(self) -> Decimal | None:
        """Revenue ÷ reimbursement (both in BRL), to 2 places; None without a reimbursement or a rate."""
        if not self.reimbursed_brl or self.revenue_brl is None:
            return None
        return (self.revenue_brl / self.reimbursed_brl).quantize(Decimal("0.01"))


def _to_brl(amount: Decimal, currency: str, on: date) -> Decimal | None:
    quote = fx_quote(currency, REAIS, on)
    return None if quote is None else (amount * quote.rate).quantize(Decimal("0.01"))


def customer_net_revenue(customer_ids: list[int]) -> dict[tuple[int, str], Decimal]:
    """Invoiced revenue net of refunds per (customer, currency), to date (two queries)."""
    invoiced = exact_sums(Invoice.objects.filter(customer_id__in=customer_ids), "amount", "customer_id", "currency")
    refunded = exact_sums(Refund.objects.filter(invoice__customer_id__in=customer_ids), "amount",
                          "invoice__customer_id", "currency")
    result: dict[tuple[int, str], Decimal] = {}
    for key, total in invoiced.items():
        assert isinstance(key, tuple)
        result[(int(key[0]), str(key[1]))] = total - refunded.get(key, Decimal(0))
    return result


def funds_roi(requests: QuerySet[FundRequest] | list[FundRequest], *, today: date | None = None) -> list[FundRoi]:
    """Each request's reimbursement, linked deals, customers converted from them, their revenue to date in BRL
    (converted at `today`'s rate) and ROI = revenue ÷ reimbursement."""
    today = today or timezone.localdate()
    rows = list(requests)
    links: dict[int, list[tuple[int, int | None]]] = {}
    through: Any = FundRequest.deals.through
    for request_id, deal_id, customer_id in through.objects.filter(
        fundrequest_id__in=[r.pk for r in rows], dealregistration__partner_id__in={r.partner_id for r in rows}
    ).values_list("fundrequest_id", "dealregistration_id", "dealregistration__customer_id"):
        links.setdefault(request_id, []).append((deal_id, customer_id))
    customer_ids = sorted({c for pairs in links.values() for _, c in pairs if c})
    revenue = customer_net_revenue(customer_ids)
    result = []
    for request in rows:
        pairs = links.get(request.pk, [])
        customers = sorted({c for _, c in pairs if c})
        total: Decimal | None = Decimal("0.00")
        for (customer_id, currency), amount in sorted(revenue.items()):
            if customer_id in customers and total is not None:
                converted = _to_brl(amount, currency, today)
                total = None if converted is None else total + converted
        reimbursed = request.reimbursement if request.status == RequestStatus.REIMBURSED else Decimal(0)
        reimbursed = reimbursed or Decimal(0)
        result.append(FundRoi(request, reimbursed, request.budget.currency, len(pairs), len(customers), total,
                              _to_brl(reimbursed, request.budget.currency, today) if reimbursed else None))
    return result
