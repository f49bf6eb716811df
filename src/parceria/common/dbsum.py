"""Exact sums of decimal columns on every database.

SQLite has no decimal type: a DecimalField is stored as a binary floating-point number, so SQL SUM() of
many amounts drifts (0.1875 − 0.18 comes back as 0.00750000000000001). Every stored amount has at most
4 decimal places, so on SQLite the sum is taken over exact integers, CAST(ROUND(x × 10⁴) AS INTEGER),
and scaled back as a Decimal. PostgreSQL's numeric SUM is exact already. Use these helpers for every
SUM over money or quantities.
"""

from __future__ import annotations

from collections.abc import Hashable
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField, F, Func, QuerySet, Sum, Value

PLACES = 4
_SCALE = 10**PLACES


def _sum_expression(field: str) -> Sum:
    if connection.vendor == "sqlite":
        scaled = Func(
            F(field),
            Value(_SCALE),
            template="CAST(ROUND(%(expressions)s) AS INTEGER)",
            arg_joiner=" * ",
            output_field=BigIntegerField(),
        )
        return Sum(scaled)
    return Sum(field)


def _to_decimal(value: Any) -> Decimal:
    if value is None:
        return Decimal("0.0000")
    if connection.vendor == "sqlite":
        return Decimal(int(value)).scaleb(-PLACES)
    return Decimal(value)


def exact_sums(queryset: QuerySet[Any], field: str, *group_by: str) -> dict[Hashable, Decimal]:
    """SUM(field) per group: {value: total} for one group column, {(v1, v2, …): total} for several."""
    rows = queryset.values_list(*group_by).annotate(total=_sum_expression(field)).order_by()
    result: dict[Hashable, Decimal] = {}
    for *keys, total in rows:
        result[keys[0] if len(keys) == 1 else tuple(keys)] = _to_decimal(total)
    return result


def exact_sums_and(queryset: QuerySet[Any], field: str, group_by: tuple[str, ...],
                   **aggregates: Any) -> list[tuple[tuple[Any, ...], Decimal, dict[str, Any]]]:
    """`exact_sums` with other aggregates beside the sum (a Count, a Min): [(group values, total, {name: value})]."""
    rows = queryset.values(*group_by).annotate(_total=_sum_expression(field), **aggregates).order_by()
    return [(tuple(row[k] for k in group_by), _to_decimal(row["_total"]), {k: row[k] for k in aggregates})
            for row in rows]


def exact_sum(field: str) -> Sum:
    """The SUM(field) expression of `exact_sums`, for a query that aggregates more than one column; read each
    result with `exact_value`."""
    return _sum_expression(field)


def exact_value(value: Any) -> Decimal:
    """The Decimal of an `exact_sum` result (0.0000 for the SUM of no rows)."""
    return _to_decimal(value)
