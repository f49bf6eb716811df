"""The monthly roll-up: `analytics.monthly`'s facts kept per month and partner (`MonthFact`) for the months that
are over, so that the scorecard, the benchmarks and the forecasts read a few rows per partner and month instead of
every invoice (docs/analytics.md, "Speed").

It follows the writes instead of trusting a schedule. `RollupState` remembers the newest event batch, audit record,
ledger line and FX rate it has seen; before any read, `ensure` looks at the newest of each (four index look-ups)
and, when something new touches a month already built, builds again from the first month it touches to the last
month over:

* new event batches: from the month of their earliest event (a late invoice, a refund, a churn, a CSAT score);
* customers changed since (audit records `customer.updated`, e.g. a new attribution): from their first invoice or
  churn;
* new ledger lines: from their earliest accounting month; new FX rates: from the month of their earliest day.

Every later month is built again too (a late first invoice makes a later one not new; a cohort's retention is
read twelve months on). The month in progress is never stored: reads compute it live from the same definitions.
The build runs under a lock on the state row, so concurrent readers wait for one build instead of racing.
`parceria analytics-rollup` builds it ahead of the readers, `--check` compares it with a fresh computation and
`--rebuild` recomputes it all.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, IntegerField, Max, Min, Q, Sum, Value, When
from django.utils import timezone

from parceria.analytics import monthly
from parceria.analytics.models import MonthFact, RollupState
from parceria.analytics.monthly import CELL_FIELDS, Cell, Cells
from parceria.commissions.models import LedgerLine
from parceria.common.dbsum import exact_sum, exact_value
from parceria.common.models import AuditRecord, FxRate
from parceria.common.months import add_months, month_start
from parceria.customers.models import Customer, Event, EventBatch, Invoice

STATE = "months"
#: The audit actions after which a customer's months are built again (its attribution may have changed).
CUSTOMER_ACTIONS = ("customer.updated",)
CHUNK = 2000


@dataclass(frozen=True)
class Marks:
    """The newest row of each table the roll-up follows."""

    batch: int
    audit: int
    ledger: int
    fx: int

    @classmethod
    def now(cls) -> Marks:
        """The newest id of each followed table, in one statement (four index look-ups, one round trip)."""
        tables = [connection.ops.quote_name(m._meta.db_table) for m in (EventBatch, AuditRecord, LedgerLine, FxRate)]
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(f"(SELECT MAX(id) FROM {t})" for t in tables))
            row = cursor.fetchone()
        return cls(*(int(v or 0) for v in row))

    @classmethod
    def seen(cls, state: RollupState) -> Marks:
        return cls(state.seen_batch, state.seen_audit, state.seen_ledger, state.seen_fx)


def last_month_over() -> date:
    """The last month that is over (the one before today's, local time)."""
    return add_months(month_start(timezone.localdate()), months=-1)


def _month_of(value: date | datetime | None) -> date | None:
    if value is None:
        return None
    return month_start(timezone.localtime(value).date() if isinstance(value, datetime) else value)


def _earliest_data() -> date | None:
    """The first month anything the roll-up counts happened in."""
    found = [_month_of(Invoice.objects.aggregate(m=Min("paid_at"))["m"]),
             _month_of(Customer.objects.aggregate(m=Min("churned_at"))["m"]),
             LedgerLine.objects.aggregate(m=Min("period"))["m"]]
    known = [m for m in found if m is not None]
    return min(known) if known else None


def _changed_from(seen: Marks, now: Marks) -> date | None:
    """The first month the writes after `seen` may change, or None if they change none."""
    found: list[date | None] = []
    if now.batch > seen.batch:
        found.append(_month_of(Event.objects.filter(batch_id__gt=seen.batch).aggregate(m=Min("occurred_at"))["m"]))
    if now.audit > seen.audit:
        changed = {int(pk) for pk in AuditRecord.objects.filter(
            id__gt=seen.audit, object_type=Customer._meta.label_lower, action__in=CUSTOMER_ACTIONS,
        ).values_list("object_id", flat=True)}
        if changed:
            found.append(_month_of(Invoice.objects.filter(customer_id__in=changed).aggregate(m=Min("paid_at"))["m"]))
            found.append(_month_of(Customer.objects.filter(pk__in=changed).aggregate(m=Min("churned_at"))["m"]))
    if now.ledger > seen.ledger:
        found.append(LedgerLine.objects.filter(id__gt=seen.ledger).aggregate(m=Min("period"))["m"])
    if now.fx > seen.fx:
        found.append(_month_of(FxRate.objects.filter(id__gt=seen.fx).aggregate(m=Min("on_date"))["m"]))
    known = [m for m in found if m is not None]
    return min(known) if known else None


def _state() -> RollupState:
    state = RollupState.objects.filter(name=STATE).first()
    if state is None:
        try:
            with transaction.atomic():
                state = RollupState.objects.create(name=STATE)
        except IntegrityError:  # created by a concurrent reader
            state = RollupState.objects.get(name=STATE)
    return state


def _up_to_date(state: RollupState, marks: Marks, last: date) -> bool:
    return Marks.seen(state) == marks and state.last_month is not None and state.last_month >= last


def _store(cells: Cells) -> None:
    rows = [MonthFact(month=month, partner_id=partner, **cell.as_dict()) for (month, partner), cell in cells.items()]
    MonthFact.objects.bulk_create(rows, batch_size=CHUNK)


def _build(state: RollupState, marks: Marks, last: date, *, rebuild: bool = False,
           since: date | None = None) -> list[date]:
    """Bring the locked `state` up to `marks` and `last` (building again from `since` at the latest); answers the
    months built."""
    start: date | None
    if rebuild or state.first_month is None or state.last_month is None:
        start = _earliest_data()
        MonthFact.objects.all().delete()
        state.first_month = start
    else:
        changed = _changed_from(Marks.seen(state), marks)
        start = add_months(state.last_month, months=1)
        for earlier in (changed, since):
            if earlier is not None and earlier < start:
                start = earlier
        if state.first_month is not None and start < state.first_month:
            state.first_month = start
        MonthFact.objects.filter(month__gte=start).delete()
    built: list[date] = []
    if start is not None and start <= last:
        _store(monthly.compute(start, last))
        built = monthly.months(start, last)
        state.version += 1
    if state.first_month is None:
        state.first_month = last  # nothing happened yet: an empty roll-up up to `last`
    state.last_month = last
    state.seen_batch, state.seen_audit, state.seen_ledger, state.seen_fx = (marks.batch, marks.audit, marks.ledger,
                                                                           marks.fx)
    state.built_at = timezone.now()
    state.save()
    return built


def ensure(*, rebuild: bool = False) -> RollupState:
    """The roll-up brought up to date with every write so far (module docstring); cheap when it already is."""
    last = last_month_over()
    state = _state()
    if not rebuild and _up_to_date(state, Marks.now(), last):
        return state
    with transaction.atomic():
        state = RollupState.objects.select_for_update().get(pk=state.pk)
        marks = Marks.now()
        if rebuild or not _up_to_date(state, marks, last):
            _build(state, marks, last, rebuild=rebuild)
    return state


def repair() -> list[date]:
    """Build again from the first stored month that differs from a fresh computation (none: nothing is written).
    What the daily `parceria analytics-rollup --check --repair` does: a batch committed while a build ran, with an
    id below the newest one that build saw, is otherwise not followed (ids are handed out in order, but
    transactions commit in any order)."""
    found = differences()
    if not found:
        return []
    with transaction.atomic():
        state = RollupState.objects.select_for_update().get(name=STATE)
        return _build(state, Marks.now(), last_month_over(), since=date.fromisoformat(found[0]["month"]))


def version(state: RollupState | None = None) -> str:
    """What the stored analytics depend on, as one string: the roll-up's version and the newest audit record
    (figures imported, disputes, deals, agreements, partners changed); of `state` when given (just ensured)."""
    state = state or ensure()
    return f"{state.version}.{state.seen_audit}"


def _stored(first: date, last: date, partners: Collection[int] | None) -> Cells:
    rows = MonthFact.objects.filter(month__gte=first, month__lte=last)
    if partners is not None:
        rows = rows.filter(partner_id__in=list(partners))
    out: Cells = {}
    for row in rows.values("month", "partner_id", *CELL_FIELDS):
        key = (row.pop("month"), row.pop("partner_id"))
        out[key] = Cell(**row)
    return out


def cells(first: date, last: date, *, partners: Collection[int] | None = None) -> Cells:
    """The facts of the months from `first`'s to `last`'s per (month, partner): the built months from the roll-up,
    the month in progress computed live (nothing happened before the first month built: a write there would have
    moved it); only `partners`' when given."""
    first, last = month_start(first), month_start(last)
    state = ensure()
    if state.first_month is None or state.last_month is None:
        return monthly.compute(first, last, partners=partners)
    out: Cells = {}
    low, high = max(first, state.first_month), min(last, state.last_month)
    if low <= high:
        out.update(_stored(low, high, partners))
    if last > state.last_month:
        out.update(monthly.compute(max(first, add_months(state.last_month, months=1)), last, partners=partners))
    return out


def differences() -> list[dict[str, Any]]:
    """The built months' stored facts that differ from a fresh computation (empty when the roll-up is right)."""
    state = ensure()
    if state.first_month is None or state.last_month is None or state.first_month > state.last_month:
        return []
    stored = _stored(state.first_month, state.last_month, None)
    fresh = monthly.compute(state.first_month, state.last_month)
    out = []
    for key in sorted(set(stored) | set(fresh), key=lambda k: (k[0], k[1] or 0)):
        before, after = stored.get(key, Cell()), fresh.get(key, Cell())
        if before != after:
            out.append({"month": key[0].isoformat(), "partner_id": key[1],
                        "stored": before.as_dict(), "computed": after.as_dict()})
    return out


def new_customers_before(before: date, *, partners: Collection[int] | None = None) -> dict[int, tuple[date, int]]:
    """Per partner, over every month before `before`'s: the latest new customer's first payment (local day) and how
    many new customers it had."""
    month = month_start(before)
    state = ensure()
    out: dict[int, tuple[date, int]] = {}
    rows = MonthFact.objects.filter(partner__isnull=False, new_customers__gt=0, month__lt=month)
    if partners is not None:
        rows = rows.filter(partner_id__in=list(partners))
    for pk, day, n in rows.values("partner_id").annotate(day=Max("last_first_paid_on"), n=Sum("new_customers")) \
            .values_list("partner_id", "day", "n"):
        out[pk] = (day, n)
    live_from = add_months(state.last_month, months=1) if state.last_month is not None else None
    if live_from is not None and live_from < month:
        for (_m, key), cell in monthly.compute(live_from, add_months(month, months=-1), partners=partners).items():
            if key is not None and cell.last_first_paid_on is not None:
                day, n = out.get(key, (cell.last_first_paid_on, 0))
                out[key] = (max(day, cell.last_first_paid_on), n + cell.new_customers)
    return out


def first_customer_days(last: date, *, partners: Collection[int] | None = None) -> dict[int, date]:
    """Each partner's first customer's first payment (local day), up to the end of `last`'s month: the earliest
    `first_paid_on` of its months."""
    last = month_start(last)
    state = ensure()
    out: dict[int, date] = {}
    rows = MonthFact.objects.filter(partner__isnull=False, first_paid_on__isnull=False, month__lte=last)
    if partners is not None:
        rows = rows.filter(partner_id__in=list(partners))
    for partner, day in rows.values("partner_id").annotate(first=Min("first_paid_on")).values_list("partner_id",
                                                                                                     "first"):
        out[partner] = day
    live_from = add_months(state.last_month, months=1) if state.last_month is not None else last
    if live_from is not None and live_from <= last:
        live = monthly.compute(live_from, last, partners=partners)
        for (_month, key), cell in live.items():
            if key is not None and cell.first_paid_on is not None:
                out[key] = min(out.get(key, cell.first_paid_on), cell.first_paid_on)
    return out


@dataclass
class MonthTotals:
    """The facts of some months summed per month for the partners' customers ("partner") and the direct ones
    ("direct") — the scorecard's view — with each partner's revenue (where not zero) and how many partners won a
    new customer, per month."""

    channels: dict[tuple[date, str], Cell] = field(default_factory=dict)
    partner_revenue: dict[date, dict[int, Decimal]] = field(default_factory=dict)
    acquiring: dict[date, int] = field(default_factory=dict)

    def add(self, month: date, partner: int | None, cell: Cell) -> None:
        total = self.channels.setdefault((month, "direct" if partner is None else "partner"), Cell())
        for name in _SUMMED:
            setattr(total, name, getattr(total, name) + getattr(cell, name))
        if partner is not None:
            if cell.revenue:
                self.partner_revenue.setdefault(month, {})[partner] = cell.revenue
            if cell.new_customers:
                self.acquiring[month] = self.acquiring.get(month, 0) + 1


_SUMMED = [name for name in CELL_FIELDS if name not in ("first_paid_on", "last_first_paid_on")]
_MONEY = ("revenue", "first_value", "commissions")


def month_totals(first: date, last: date) -> MonthTotals:
    """`MonthTotals` of the months from `first`'s to `last`'s: the built months summed by the database (a few
    rows per month whatever the number of partners), the month in progress from its live facts."""
    first, last = month_start(first), month_start(last)
    state = ensure()
    out = MonthTotals()
    high = last if state.last_month is None else min(last, state.last_month)
    if state.first_month is not None and first <= high:
        built = MonthFact.objects.filter(month__gte=first, month__lte=high)
        direct = Case(When(partner__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField())
        sums: dict[str, Any] = {name: exact_sum(name) if name in _MONEY else Sum(name) for name in _SUMMED}
        rows: Any = built.annotate(direct=direct).order_by().values("month", "direct").annotate(
            acquiring=Count("id", filter=Q(partner__isnull=False, new_customers__gt=0)), **sums)
        for row in rows:
            values: dict[str, Any] = {
                name: exact_value(row[name]) if name in _MONEY else int(row[name] or 0) for name in _SUMMED}
            out.channels[(row["month"], "direct" if row["direct"] else "partner")] = Cell(**values)
            if row["acquiring"]:
                out.acquiring[row["month"]] = row["acquiring"]
        for month, pk, revenue in built.filter(partner__isnull=False).exclude(revenue=0).values_list(
                "month", "partner_id", "revenue"):
            out.partner_revenue.setdefault(month, {})[pk] = revenue
    if state.last_month is not None and last > state.last_month:
        for (month, partner), cell in monthly.compute(max(first, add_months(state.last_month, months=1)),
                                                      last).items():
            out.add(month, partner, cell)
    return out
