"""Fixed SQL for the reads every page request makes.

Building and compiling an ORM query costs far more than running a small indexed one: on the portal's dashboard the
ORM's work was most of the Python time of a request. The few reads every request makes are written once as SQL
text here or beside their selector, and their values go through the same converters the ORM applies to the model
fields they come from, so that a row reads the same as the ORM's would (dates and decimals on SQLite, time zones).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, Model

Converter = Callable[[Any, Any, Any], Any]


def table(model: type[Model]) -> str:
    """The model's table name, quoted for SQL text."""
    return connection.ops.quote_name(model._meta.db_table)


def any_of(column: str, values: Collection[Any]) -> tuple[str, list[Any]]:
    """SQL `column IN values` and its parameters: `= ANY(%s)` with one array parameter on PostgreSQL, a plain IN
    list elsewhere. `column` is SQL text of our own, never user input."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _converters(field: Field[Any, Any]) -> tuple[Any, list[Converter]]:
    col = field.cached_col
    return col, [*connection.ops.get_db_converters(col), *field.get_db_converters(connection)]


def fetch(sql: str, params: Sequence[Any], fields: Sequence[Field[Any, Any] | None]) -> list[tuple[Any, ...]]:
    """Rows of `sql`, each value converted as the ORM converts the model field in its place of `fields` (None: the
    value as the database driver gives it)."""
    conversions = [None if f is None else _converters(f) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not any(c and c[1] for c in conversions):
        return [tuple(row) for row in rows]
    out = []
    for row in rows:
        values = list(row)
        for i, conversion in enumerate(conversions):
            if conversion is not None:
                col, converters = conversion
                for convert in converters:
                    values[i] = convert(values[i], col, connection)
        out.append(tuple(values))
    return out
