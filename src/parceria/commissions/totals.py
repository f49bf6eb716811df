"""The ledger-totals projection: Σ amount and line count per partner, accounting month, kind and currency.

`ledger_post` adds every line it writes to its group here in the same transaction (`totals_add`), so the
totals always equal the lines; reads that used to sum a partner's whole ledger (the balance, the month's
earnings, the 12-month chart) read a few dozen total rows instead. The lines stay the truth: `totals_check`
compares the projection with them and `totals_rebuild` recomputes it (`parceria ledger-totals`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection, transaction

from parceria.commissions.models import LedgerLine, LedgerTotal

#: The ledger keeps 4 decimal places; totals are integers of ten-thousandths.
PLACES = 4
#: Rows per upsert statement (6 parameters each: well under SQLite's and PostgreSQL's limits).
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
    """Add grouped amounts to the projection: one upsert per chunk, groups in key order so that concurrent
    writers lock the same rows in the same order (no deadlocks). Runs inside the writer's transaction."""
    if not groups:
        return
    table = connection.ops.quote_name(LedgerTotal._meta.db_table)
    sqlite = connection.vendor == "sqlite"
    ordered = sorted(groups.items())
    with connection.cursor() as cursor:
        for start in range(0, len(ordered), CHUNK):
            part = ordered[start : start + CHUNK]
            params: list[int | str | date] = []
            for (partner_id, period, kind, currency), (units, count) in part:
                params += [partner_id, period.isoformat() if sqlite else period, kind, currency, units, count]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(part))
            cursor.execute(
                f"INSERT INTO {table} (partner_id, period, kind, currency, amount_units, lines) VALUES {values} "
                "ON CONFLICT (partner_id, period, kind, currency) DO UPDATE SET "
                f"amount_units = {table}.amount_units + excluded.amount_units, "
                f"lines = {table}.lines + excluded.lines",
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
