"""The ledger-totals projection: Σ amount and line count per partner, accounting month, kind and currency.

`ledger_post` adds every line it writes to its group here in the same transaction (`totals_add`), so the
totals always equal the lines; reads that used to sum a partner's whole ledger (the balance, the month's
earnings, the 12-month chart) read a few dozen total rows instead. The lines stay the truth: `totals_check`
compares the projection with them and `totals_rebuild` recomputes it (`parceria ledger-totals`).

The balance snapshots (BalanceSnapshot) are the projection summed over every month up to a closed month, written by
that month's close (`snapshot_take`), so that a balance reads the months after the last close only;
`snapshots_check` compares them with the projection and `snapshots_rebuild` recomputes them from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection, transaction

from parceria.commissions.models import BalanceSnapshot, LedgerLine, LedgerTotal

#: The ledger keeps 4 decimal places; totals are integers of ten-thousandths.
PLACES = 4
#: Rows per upsert statement on SQLite (6 parameters each: well under its limit).
CHUNK = 500

GroupKey = tuple[int, date, str, str]  # partner_id, period, kind, currency


def to_units(amount: Decimal) -> int:
    """An amount of at most 4 decimal places as an integer of ten-thousandths; more places are a bug."""
    scaled = Decimal(amount).scaleb(PLACES)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"ledger amount {amount} has more than {PLACES} decimal places")
    return int(scaled)


def from_units(units: int) -> Decimal:
    return Decimal(units).scaleb(-PLACES).quantize(Decimal("0.0001"))


def group(lines: Iterable[tuple[int, date, str, str, Decimal]]) -> dict[GroupKey, tuple[int, int]]:
    """(partner_id, period, kind, currency, amount) per line → {group: (units, lines)}."""
    groups: dict[GroupKey, tuple[int, int]] = {}
    for partner_id, period, kind, currency, amount in lines:
        key = (partner_id, period, kind, currency)
        units, count = groups.get(key, (0, 0))
        groups[key] = (units + to_units(amount), count + 1)
    return groups


def totals_add(groups: dict[GroupKey, tuple[int, int]]) -> None:
    """Add grouped amounts to the projection: one upsert (one per CHUNK groups on SQLite), groups in key order so
    that concurrent writers lock the same rows in the same order (no deadlocks). Runs inside the writer's
    transaction."""
    if not groups:
        return
    table = connection.ops.quote_name(LedgerTotal._meta.db_table)
    sqlite = connection.vendor == "sqlite"
    ordered = sorted(groups.items())
    upsert = (f"ON CONFLICT (partner_id, period, kind, currency) DO UPDATE SET "
              f"amount_units = {table}.amount_units + excluded.amount_units, lines = {table}.lines + excluded.lines")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Every group in one statement of six array parameters, in key order (unnest keeps it): a VALUES list
            # of six parameters a group cost more to bind (the driver splits the statement at each placeholder)
            # than the statement took to run.
            columns = list(zip(*((*key, *sums) for key, sums in ordered), strict=True))
            cursor.execute(
                f"INSERT INTO {table} (partner_id, period, kind, currency, amount_units, lines) "
                "SELECT * FROM unnest(%s::bigint[], %s::date[], %s::text[], %s::text[], %s::bigint[], %s::bigint[]) "
                + upsert,
                [list(column) for column in columns],
            )
            return
        for start in range(0, len(ordered), CHUNK):
            part = ordered[start : start + CHUNK]
            params: list[int | str | date] = []
            for (partner_id, period, kind, currency), (units, count) in part:
                params += [partner_id, period.isoformat() if sqlite else period, kind, currency, units, count]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(part))
            cursor.execute(
                f"INSERT INTO {table} (partner_id, period, kind, currency, amount_units, lines) VALUES {values} "
                + upsert,
                params,
            )


def _grouped_sql() -> str:
    """SELECT of the lines grouped like the projection, exact on both databases."""
    lines = connection.ops.quote_name(LedgerLine._meta.db_table)
    if connection.vendor == "postgresql":
        units = "SUM(amount * 10000)::bigint"
    else:
        units = "SUM(CAST(ROUND(amount * 10000) AS INTEGER))"
    return f"SELECT partner_id, period, kind, currency, {units}, COUNT(*) FROM {lines} GROUP BY 1, 2, 3, 4"


@dataclass(frozen=True)
class Difference:
    partner_id: int
    period: date
    kind: str
    currency: str
    lines_amount: Decimal
    lines_count: int
    total_amount: Decimal
    total_count: int


def as_date(value: object) -> date:
    """A date column read with raw SQL: a date on PostgreSQL, ISO text on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _check_sql() -> str:
    """One statement (so one snapshot, whatever ledger writers commit meanwhile): each group whose lines and
    stored total differ, as partner, period, kind, currency, lines' units and count, total's units and count."""
    totals = connection.ops.quote_name(LedgerTotal._meta.db_table)
    same_group = "t.partner_id = l.partner_id AND t.period = l.period AND t.kind = l.kind AND t.currency = l.currency"
    return (
        f"WITH l (partner_id, period, kind, currency, units, n) AS ({_grouped_sql()}) "
        f"SELECT l.partner_id, l.period, l.kind, l.currency, l.units, l.n, "
        f"COALESCE(t.amount_units, 0), COALESCE(t.lines, 0) FROM l LEFT JOIN {totals} t ON {same_group} "
        "WHERE t.partner_id IS NULL OR t.amount_units <> l.units OR t.lines <> l.n "
        "UNION ALL "
        f"SELECT t.partner_id, t.period, t.kind, t.currency, 0, 0, t.amount_units, t.lines FROM {totals} t "
        f"WHERE NOT EXISTS (SELECT 1 FROM l WHERE {same_group}) "
        "ORDER BY 1, 2, 3, 4"
    )


def totals_check(partner_ids: Sequence[int] | None = None) -> list[Difference]:
    """Every group whose stored total differs from the sum of its lines (empty when all agree). It reads both in
    one statement, so lines and totals committed together by a writer meanwhile are seen together or not at all."""
    with connection.cursor() as cursor:
        cursor.execute(_check_sql())
        rows = cursor.fetchall()
    wanted = set(partner_ids) if partner_ids is not None else None
    return [
        Difference(
            partner_id, as_date(period), kind, currency,
            from_units(int(line_units)), int(line_count), from_units(int(total_units)), int(total_count),
        )
        for partner_id, period, kind, currency, line_units, line_count, total_units, total_count in rows
        if wanted is None or partner_id in wanted
    ]


def totals_rebuild() -> int:
    """Recompute the projection from the lines, under the close's exclusive lock (PostgreSQL) or SQLite's
    write lock, so no line is posted meanwhile. Returns the number of groups."""
    from parceria.commissions.ledger import lock_periods

    table = connection.ops.quote_name(LedgerTotal._meta.db_table)
    with transaction.atomic():
        lock_periods(exclusive=True)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # the projection only, never the ledger
            cursor.execute(
                f"INSERT INTO {table} (partner_id, period, kind, currency, amount_units, lines) {_grouped_sql()}"
            )
        return LedgerTotal.objects.count()


# --- balance snapshots of closed months ---------------------------------------------------------------------------


def latest_snapshot(before: date | None = None) -> date | None:
    """The latest month with a balance snapshot (before `before` when given), or None: one index lookup."""
    table = connection.ops.quote_name(BalanceSnapshot._meta.db_table)
    day = connection.ops.adapt_datefield_value  # a date as the driver takes it (ISO text on SQLite)
    where, params = ("WHERE month < %s", [day(before)]) if before is not None else ("", [])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(month) FROM {table} {where}", params)
        found = cursor.fetchone()[0]
    return None if found is None else as_date(found)


def snapshot_take(month: date) -> int:
    """Write the balance snapshot of `month`, which the caller (the close) has just closed in its transaction, under
    the exclusive period lock, after posting its own lines: the snapshot of the latest month before it that has one
    plus the projection of the months after that one up to `month` (the whole projection up to `month` when none
    has), in one INSERT … SELECT. Returns the number of groups written.

    Exact because no ledger line is ever posted into a closed month (commissions/ledger.py `ledger_post` refuses a
    period before the first open month), so neither the earlier snapshot nor the projection of the months up to
    `month` can change once they are closed."""
    snapshots = connection.ops.quote_name(BalanceSnapshot._meta.db_table)
    totals = connection.ops.quote_name(LedgerTotal._meta.db_table)
    previous = latest_snapshot(before=month)
    day = connection.ops.adapt_datefield_value  # a date as the driver takes it (ISO text on SQLite)
    parts = [f"SELECT partner_id, kind, currency, amount_units, lines FROM {totals} WHERE period <= %s"]
    params = [day(month)]
    if previous is not None:
        parts[0] += " AND period > %s"
        params.append(day(previous))
        parts.append(f"SELECT partner_id, kind, currency, amount_units, lines FROM {snapshots} WHERE month = %s")
        params.append(day(previous))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {snapshots} (month, partner_id, kind, currency, amount_units, lines) "
            f"SELECT %s, partner_id, kind, currency, SUM(amount_units), SUM(lines) "
            f"FROM ({' UNION ALL '.join(parts)}) AS upto GROUP BY partner_id, kind, currency",
            [day(month), *params],
        )
        return int(cursor.rowcount)


SnapshotKey = tuple[int, str, str]  # partner_id, kind, currency


@dataclass(frozen=True)
class SnapshotDifference:
    """A group of a balance snapshot that differs from the projection summed over the months up to its month."""

    month: date
    partner_id: int
    kind: str
    currency: str
    totals_amount: Decimal
    totals_count: int
    snapshot_amount: Decimal
    snapshot_count: int


def snapshots_check() -> list[SnapshotDifference]:
    """Every group of every balance snapshot that differs from the ledger-totals projection summed over the months up
    to the snapshot's month (the projection itself is checked against the lines by `totals_check`). One pass over
    the snapshots and the projection of the snapshotted months, in month order: the months up to a snapshot are
    closed, so their rows no longer change while it reads them."""
    stored: dict[date, dict[SnapshotKey, tuple[int, int]]] = {}
    for month, partner_id, kind, currency, units, count in BalanceSnapshot.objects.values_list(
        "month", "partner_id", "kind", "currency", "amount_units", "lines"
    ):
        stored.setdefault(month, {})[(partner_id, kind, currency)] = (units, count)
    if not stored:
        return []
    rows = (
        LedgerTotal.objects.filter(period__lte=max(stored))
        .order_by("period")
        .values_list("period", "partner_id", "kind", "currency", "amount_units", "lines")
        .iterator(chunk_size=5000)
    )
    running: dict[SnapshotKey, tuple[int, int]] = {}
    differences: list[SnapshotDifference] = []
    pending = sorted(stored)

    def compare(month: date) -> None:
        snapshot = stored[month]
        for key in sorted(running.keys() | snapshot.keys()):
            want, have = running.get(key, (0, 0)), snapshot.get(key, (0, 0))
            if want != have or (key in running) != (key in snapshot):
                differences.append(SnapshotDifference(
                    month, *key, from_units(want[0]), want[1], from_units(have[0]), have[1]
                ))

    for period, partner_id, kind, currency, units, count in rows:
        while pending and pending[0] < period:
            compare(pending.pop(0))
        key = (partner_id, kind, currency)
        total_units, total_count = running.get(key, (0, 0))
        running[key] = (total_units + units, total_count + count)
    for month in pending:
        compare(month)
    return differences


def snapshots_rebuild() -> int:
    """Recompute every balance snapshot from the projection, month after month, under the close's exclusive lock.
    Returns the number of groups written."""
    from parceria.commissions.ledger import lock_periods

    table = connection.ops.quote_name(BalanceSnapshot._meta.db_table)
    written = 0
    with transaction.atomic():
        lock_periods(exclusive=True)
        months = sorted(set(BalanceSnapshot.objects.values_list("month", flat=True)))
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # a projection of the projection, never the ledger
        for month in months:
            written += snapshot_take(month)
    return written


# --- projections of higher apps, checked and rebuilt with these -------------------------------------------------------


@dataclass(frozen=True)
class DerivedProjection:
    """A projection a higher app keeps beside the ledger's (payouts' reimbursement snapshots), which `parceria
    ledger-totals` checks and rebuilds with the totals and the balance snapshots. `check` returns one line per
    difference (empty when it agrees); `rebuild` recomputes it and returns the rows written. `source`: what it is
    checked against ("the payouts")."""

    name: str
    source: str
    check: Callable[[], list[str]]
    rebuild: Callable[[], int]


_DERIVED: dict[str, DerivedProjection] = {}


def register_derived_projection(projection: DerivedProjection) -> None:
    """Called by the owning app's `AppConfig.ready()`; registering a name again replaces it."""
    _DERIVED[projection.name] = projection


def derived_projections() -> list[DerivedProjection]:
    return [_DERIVED[name] for name in sorted(_DERIVED)]

