"""The monthly facts every analytic is built from, set-based (one pass over each table whatever the number of
partners), in R$. Every KPI, benchmark, forecast and risk reads its money and its new customers here, so the
definitions below are the program's:

* **revenue** of a month: the invoices paid in it (local time, America/Sao_Paulo) minus the refunds made in it,
  per partner (the customer's attributed partner; None for a customer without a partner, i.e. direct). An amount in
  another currency converts to R$ at the rate of the day it was paid or refunded, looked up as the intake does
  (`FxBook`: the latest rate on or before the day), rounded half-even to 4 places; one without a usable rate is
  left out and counted in `unconverted` (the pages say so).
* **ARR** of a month: 12 × that month's revenue (the month's run rate; the program bills monthly). A partner's ARR
  on its tier page (tiers.metrics) is the same rate taken from each customer's current invoice at a moment.
* a **new customer** of a month: a customer whose first paid invoice was paid in that month (a customer that never
  paid is not a customer yet), counted for its attributed partner or as direct.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_EVEN, Decimal
from typing import cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, Count, DateField, OuterRef, Subquery, Value, When
from django.db.models.functions import TruncDate, TruncMonth

from parceria.common.dbsum import exact_sums
from parceria.common.fx import FxBook
from parceria.common.money import multiply
from parceria.common.months import add_months, month_start
from parceria.customers.models import Customer, Invoice, Refund

PartnerKey = int | None  # a partner's id, or None for direct


def _local(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _day(value: date | datetime) -> date:
    """A truncated month or day as a date (the database answers a datetime for a truncated timestamp)."""
    return value.date() if isinstance(value, datetime) else value


def months(first: date, last: date) -> list[date]:
    """The months from `first`'s to `last`'s, both included, as their first days."""
    out, month = [], month_start(first)
    while month <= last:
        out.append(month)
        month = add_months(month, months=1)
    return out


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


def _in_brl(rows: list[tuple[date, PartnerKey, str, date, Decimal]], sign: int, into: MonthlyMoney) -> None:
    """Add (month, partner, currency, day, amount) rows to `into`, converting to R$ at the day's rate."""
    foreign = [(c, d) for _, _, c, d, _ in rows if c != "BRL"]
    book = FxBook.load({(c, "BRL") for c, _ in foreign}, min(d for _, d in foreign), max(d for _, d in foreign)) \
        if foreign else FxBook({})
    for month, partner, currency, day, amount in rows:
        if currency == "BRL":
            value = amount
        elif (quote := book.quote(currency, "BRL", day)) is not None:
            value = multiply(amount, quote.rate).quantize(Decimal("0.0001"), ROUND_HALF_EVEN)
        else:
            into.unconverted += 1
            continue
        key = (month, partner)
        into.values[key] = into.values.get(key, Decimal(0)) + sign * value


def revenue_by_month(first: date, last: date, *, partners: Collection[int] | None = None) -> MonthlyMoney:
    """Net revenue in R$ per month (from `first`'s month to `last`'s) and per partner (None: direct); only of the
    customers of `partners` when given."""
    start, end = _local(month_start(first)), _local(add_months(month_start(last), months=1))
    tz = ZoneInfo(settings.TIME_ZONE)
    result = MonthlyMoney()
    for model, when, partner_path, sign in ((Invoice, "paid_at", "customer__partner_id", 1),
                                             (Refund, "refunded_at", "invoice__customer__partner_id", -1)):
        # One pass over the table: R$ amounts summed per month, others per day (each day has its own rate).
        local_day = Case(When(currency="BRL", then=Value(None)), default=TruncDate(when, tzinfo=tz),
                         output_field=DateField())
        base = model.objects.filter(**{f"{when}__gte": start, f"{when}__lt": end})
        if partners is not None:
            base = base.filter(**{f"{partner_path}__in": list(partners)})
        base = base.annotate(m=TruncMonth(when, tzinfo=tz), d=local_day)
        rows: list[tuple[date, PartnerKey, str, date, Decimal]] = []
        for key, v in exact_sums(base, "amount", "m", "d", partner_path, "currency").items():
            m, d, p, c = cast(tuple[datetime | date, date | None, PartnerKey, str], key)
            rows.append((_day(m), p, c, _day(m) if d is None else d, v))
        _in_brl(rows, sign, result)
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
    tz = ZoneInfo(settings.TIME_ZONE)
    start, end = _local(month_start(first)), _local(add_months(month_start(last), months=1))
    first_paid = Invoice.objects.filter(customer=OuterRef("pk")).order_by("paid_at").values("paid_at")[:1]
    customers = Customer.objects.all() if partners is None else Customer.objects.filter(partner_id__in=list(partners))
    firsts = (customers.annotate(first_paid=Subquery(first_paid))
              .filter(first_paid__gte=start, first_paid__lt=end)
              .annotate(m=TruncMonth("first_paid", tzinfo=tz)).order_by()
              .values("m", "partner_id").annotate(n=Count("id")))
    out: dict[tuple[date, PartnerKey], int] = {}
    for row in firsts:
        out[(_day(row["m"]), row["partner_id"])] = row["n"]
    return out
