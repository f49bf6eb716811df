"""The facts of a range of months, computed from the invoices, refunds, customers and ledger: the one place that
says how each is counted (docs/analytics.md, "The facts"). Set-based: a fixed number of queries for the range
whatever the number of partners and customers, plus one per month for the twelve-month retention.
`analytics.rollup` keeps them per month once a month is over; `analytics.facts` and the KPIs read them.

Per month (local time, America/Sao_Paulo) and partner (the customer's attributed partner; None: direct):

* **revenue**: the invoices paid in it minus the refunds made in it, in R$. An amount in another currency converts
  at the rate of the day it was paid or refunded (`FxBook`: the latest rate on or before the day, as the intake
  looks it up), rounded half-even to 4 places; one without a usable rate is left out and counted in
  `revenue_unconverted` (the pages say so).
* **new customers**: customers whose first invoice (the earliest `paid_at`; equal times broken by invoice id) was
  paid in it. A customer that never paid is not a customer yet. `first_value` sums their first invoices in R$
  (`first_known` counts those converted); `first_paid_on` and `last_first_paid_on` are the earliest and the latest
  of those payments' local days.
* **paying customers**: customers with an invoice paid in it.
* **retained_12m**: customers new in the month twelve months earlier that paid an invoice in this one.
* **churned**: customers whose `churned_at` falls in it.
* **commissions**: the ledger's accrual, clawback and adjustment lines (signed; never payouts) of the accounting
  month (`LedgerLine.period`), in R$ at the rate of the day the line's event happened; a line without a rate is
  counted in `commissions_unconverted`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, time
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, Count, DateField, Exists, F, Max, Min, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate, TruncMonth

from parceria.commissions.models import LedgerKind, LedgerLine
from parceria.common.dbsum import exact_sums_and
from parceria.common.fx import FxBook
from parceria.common.money import multiply
from parceria.common.months import add_months, month_start
from parceria.customers.models import Customer, Invoice, Refund

PartnerKey = int | None  # a partner's id, or None for direct
#: The ledger's kinds that are commission (what the program pays for its partners' customers), not payouts.
COMMISSION_KINDS = (LedgerKind.ACCRUAL, LedgerKind.CLAWBACK, LedgerKind.ADJUSTMENT)
_PLACES = Decimal("0.0001")


@dataclass
class Cell:
    """The facts of one month for one partner (or the direct customers); the fields of `MonthFact`."""

    revenue: Decimal = Decimal(0)
    revenue_unconverted: int = 0
    new_customers: int = 0
    first_value: Decimal = Decimal(0)
    first_known: int = 0
    first_paid_on: date | None = None
    last_first_paid_on: date | None = None
    paying_customers: int = 0
    retained_12m: int = 0
    churned: int = 0
    commissions: Decimal = Decimal(0)
    commissions_unconverted: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


Cells = dict[tuple[date, PartnerKey], Cell]
CELL_FIELDS = [f.name for f in fields(Cell)]


def local_start(month: date) -> datetime:
    """The first instant of `month` (or of the day) in the platform's time zone."""
    return datetime.combine(month, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def months(first: date, last: date) -> list[date]:
    """The months from `first`'s to `last`'s, both included, as their first days."""
    out, month = [], month_start(first)
    while month <= last:
        out.append(month)
        month = add_months(month, months=1)
    return out


def _day(value: date | datetime) -> date:
    """A truncated month or day as a date (the database answers a datetime for a truncated timestamp)."""
    return value.date() if isinstance(value, datetime) else value


def _between(queryset: QuerySet[Any], column: str, first: date, last: date) -> QuerySet[Any]:
    start, end = local_start(month_start(first)), local_start(add_months(month_start(last), months=1))
    return queryset.filter(**{f"{column}__gte": start, f"{column}__lt": end})


def _only(queryset: QuerySet[Any], partner_path: str, partners: Collection[int] | None) -> QuerySet[Any]:
    return queryset if partners is None else queryset.filter(**{f"{partner_path}__in": list(partners)})


def _foreign_day(column: str) -> Case:
    """The local day of `column` for an amount in another currency (each day has its own rate), None for R$."""
    return Case(When(currency="BRL", then=Value(None)),
                default=TruncDate(column, tzinfo=ZoneInfo(settings.TIME_ZONE)), output_field=DateField())


def in_brl(rows: Iterable[tuple[Any, str, date, Decimal]]) -> list[tuple[Any, Decimal | None]]:
    """(key, currency, day, amount) → (key, amount in R$ or None without a usable rate), one FX query."""
    listed = list(rows)
    foreign = [(c, d) for _k, c, d, _a in listed if c != "BRL"]
    book = FxBook.load({(c, "BRL") for c, _d in foreign}, min(d for _c, d in foreign),
                       max(d for _c, d in foreign)) if foreign else FxBook({})
    out: list[tuple[Any, Decimal | None]] = []
    for key, currency, day, amount in listed:
        if currency == "BRL":
            out.append((key, amount))
        else:
            quote = book.quote(currency, "BRL", day)
            out.append((key, None if quote is None else
                        multiply(amount, quote.rate).quantize(_PLACES, ROUND_HALF_EVEN)))
    return out


def _money_rows(queryset: QuerySet[Any], when: str, partner_path: str, month_column: str | None = None,
                ) -> list[tuple[tuple[date, PartnerKey], str, date, Decimal]]:
    """Σ amount per (month, partner, currency, day of a foreign amount) as (key, currency, day, amount) rows."""
    tz = ZoneInfo(settings.TIME_ZONE)
    base = queryset.annotate(d=_foreign_day(when))
    base = base.annotate(m=TruncMonth(when, tzinfo=tz) if month_column is None else F(month_column))
    rows = []
    for (m, d, partner, currency), total, _extra in exact_sums_and(base, "amount", ("m", "d", partner_path,
                                                                                      "currency")):
        month = _day(m)
        rows.append(((month, partner), currency, month if d is None else d, total))
    return rows


def _revenue(cells: Cells, first: date, last: date, partners: Collection[int] | None) -> None:
    for model, when, path, sign in ((Invoice, "paid_at", "customer__partner_id", 1),
                                    (Refund, "refunded_at", "invoice__customer__partner_id", -1)):
        queryset = _only(_between(model.objects.all(), when, first, last), path, partners)
        for key, value in in_brl(_money_rows(queryset, when, path)):
            cell = cells.setdefault(key, Cell())
            if value is None:
                cell.revenue_unconverted += 1
            else:
                cell.revenue += sign * value


def first_invoices(first: date, last: date, partners: Collection[int] | None = None, *,
                   until: datetime | None = None) -> QuerySet[Invoice]:
    """The invoices paid from `first`'s month to `last`'s (before `until` when given) that are their customer's
    first (no earlier `paid_at`; equal times broken by invoice id)."""
    earlier = Invoice.objects.filter(customer=OuterRef("customer")).filter(
        Q(paid_at__lt=OuterRef("paid_at")) | Q(paid_at=OuterRef("paid_at"), invoice_id__lt=OuterRef("invoice_id")))
    paid = _between(Invoice.objects.all(), "paid_at", first, last)
    if until is not None:
        paid = paid.filter(paid_at__lt=until)
    return _only(paid, "customer__partner_id", partners).exclude(Exists(earlier))


def _firsts(cells: Cells, first: date, last: date, partners: Collection[int] | None) -> None:
    tz = ZoneInfo(settings.TIME_ZONE)
    base = first_invoices(first, last, partners).annotate(m=TruncMonth("paid_at", tzinfo=tz),
                                                         d=_foreign_day("paid_at"))
    rows = exact_sums_and(base, "amount", ("m", "d", "customer__partner_id", "currency"),
                          n=Count("invoice_id"), at=Min("paid_at"), latest=Max("paid_at"))
    converted = in_brl((i, c, _day(m) if d is None else d, total)
                       for i, ((m, d, _p, c), total, _x) in enumerate(rows))
    for ((m, _d, partner, _c), _total, extra), (_i, value) in zip(rows, converted, strict=True):
        cell = cells.setdefault((_day(m), partner), Cell())
        cell.new_customers += extra["n"]
        if value is not None:
            cell.first_value += value
            cell.first_known += extra["n"]
        day, latest = extra["at"].astimezone(tz).date(), extra["latest"].astimezone(tz).date()
        cell.first_paid_on = day if cell.first_paid_on is None else min(cell.first_paid_on, day)
        cell.last_first_paid_on = latest if cell.last_first_paid_on is None else max(cell.last_first_paid_on, latest)


def _paying(cells: Cells, first: date, last: date, partners: Collection[int] | None) -> None:
    tz = ZoneInfo(settings.TIME_ZONE)
    rows = (_only(_between(Invoice.objects.all(), "paid_at", first, last), "customer__partner_id", partners)
            .annotate(m=TruncMonth("paid_at", tzinfo=tz)).order_by()
            .values("m", "customer__partner_id").annotate(n=Count("customer_id", distinct=True)))
    for row in rows:
        cells.setdefault((_day(row["m"]), row["customer__partner_id"]), Cell()).paying_customers = row["n"]


def _retained(cells: Cells, first: date, last: date, partners: Collection[int] | None) -> None:
    """Per month: customers whose first invoice was paid twelve months earlier and that paid in it (one query per
    month, over the months from the first to the last invoice of the range: two index look-ups find them)."""
    paid = _between(Invoice.objects.all(), "paid_at", first, last).aggregate(low=Min("paid_at"), high=Max("paid_at"))
    if paid["low"] is None:
        return
    tz = ZoneInfo(settings.TIME_ZONE)
    for month in months(month_start(paid["low"].astimezone(tz).date()), paid["high"].astimezone(tz).date()):
        cohort = add_months(month, months=-12)
        start = local_start(cohort)
        in_cohort = Invoice.objects.filter(customer=OuterRef("customer"), paid_at__gte=start,
                                           paid_at__lt=local_start(add_months(cohort, months=1)))
        before = Invoice.objects.filter(customer=OuterRef("customer"), paid_at__lt=start)
        rows = (_only(_between(Invoice.objects.all(), "paid_at", month, month), "customer__partner_id", partners)
                .filter(Exists(in_cohort)).exclude(Exists(before)).order_by()
                .values("customer__partner_id").annotate(n=Count("customer_id", distinct=True)))
        for row in rows:
            cells.setdefault((month, row["customer__partner_id"]), Cell()).retained_12m = row["n"]


def _churned(cells: Cells, first: date, last: date, partners: Collection[int] | None) -> None:
    tz = ZoneInfo(settings.TIME_ZONE)
    rows = (_only(_between(Customer.objects.all(), "churned_at", first, last), "partner_id", partners)
            .annotate(m=TruncMonth("churned_at", tzinfo=tz)).order_by()
            .values("m", "partner_id").annotate(n=Count("id")))
    for row in rows:
        cells.setdefault((_day(row["m"]), row["partner_id"]), Cell()).churned = row["n"]


def _commissions(cells: Cells, first: date, last: date, partners: Collection[int] | None) -> None:
    lines = _only(LedgerLine.objects.filter(period__gte=month_start(first), period__lte=month_start(last),
                                            kind__in=COMMISSION_KINDS), "partner_id", partners)
    for key, value in in_brl(_money_rows(lines, "occurred_at", "partner_id", month_column="period")):
        cell = cells.setdefault(key, Cell())
        if value is None:
            cell.commissions_unconverted += 1
        else:
            cell.commissions += value


def compute(first: date, last: date, *, partners: Collection[int] | None = None) -> Cells:
    """Every fact of the months from `first`'s to `last`'s per (month, partner); only of `partners`' customers
    and lines when given (then without the direct customers)."""
    cells: Cells = {}
    for part in (_revenue, _firsts, _paying, _retained, _churned, _commissions):
        part(cells, first, last, partners)
    return cells
