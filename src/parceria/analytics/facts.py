"""The monthly facts every analytic is built from, in R$: revenue, ARR and new customers per month and partner.
How each is counted is `analytics.monthly` (the one definition); where they are kept is `analytics.rollup` (the
months that are over, stored per month and partner; the month in progress computed live). Every KPI, benchmark,
forecast and risk reads its money and its new customers here.

* **ARR** of a month: 12 × that month's net revenue, rounded to the cent (the month's run rate; the program bills
  monthly). A partner's ARR on its tier page (tiers.metrics) is the same rate taken from each customer's current
  invoice at a moment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from parceria.analytics import rollup
from parceria.analytics.monthly import PartnerKey, months

__all__ = ["MonthlyMoney", "PartnerKey", "arr_by_month", "months", "new_customers_by_month", "revenue_by_month"]


@dataclass
class MonthlyMoney:
    """R$ per (month, partner); `unconverted` counts amounts left out for want of an FX rate."""

    values: dict[tuple[date, PartnerKey], Decimal] = field(default_factory=dict)
    unconverted: int = 0

    def month_total(self, month: date, *, channel: str = "partner") -> Decimal:
        """The month's sum over partners ("partner"), of direct customers ("direct"), or of all ("all")."""
        return sum((v for (m, p), v in self.values.items() if m == month and (
            channel == "all" or (p is None) == (channel == "direct"))), Decimal(0))

    def partner_totals(self, first: date, last: date) -> dict[int, Decimal]:
        """Each partner's sum over the months from `first` to `last`."""
        out: dict[int, Decimal] = defaultdict(Decimal)
        for (m, p), v in self.values.items():
            if p is not None and first <= m <= last:
                out[p] += v
        return dict(out)


def revenue_by_month(first: date, last: date, *, partners: Collection[int] | None = None) -> MonthlyMoney:
    """Net revenue in R$ per month (from `first`'s month to `last`'s) and per partner (None: direct), the months
    without any left out; only of the customers of `partners` when given."""
    result = MonthlyMoney()
    for key, cell in rollup.cells(first, last, partners=partners).items():
        if cell.revenue:
            result.values[key] = cell.revenue
        result.unconverted += cell.revenue_unconverted
    return result


def arr_by_month(first: date, last: date, *, partners: Collection[int] | None = None) -> MonthlyMoney:
    """ARR (12 × the month's net revenue) per month and partner, in R$, rounded to the cent."""
    revenue = revenue_by_month(first, last, partners=partners)
    return MonthlyMoney({k: (v * 12).quantize(Decimal("0.01"), ROUND_HALF_EVEN) for k, v in revenue.values.items()},
                        revenue.unconverted)


def new_customers_by_month(first: date, last: date, *,
                           partners: Collection[int] | None = None) -> dict[tuple[date, PartnerKey], int]:
    """Customers whose first invoice was paid in each month (from `first`'s to `last`'s), per partner; only the
    customers of `partners` when given."""
    return {key: cell.new_customers for key, cell in rollup.cells(first, last, partners=partners).items()
            if cell.new_customers}
