"""Fixed SQL for the reads every page request makes.

Building and compiling an ORM query costs far more than running a small indexed one: on the portal's dashboard the
ORM's work was most of the Python time of a request. The few reads every request makes are written once as SQL
text here or beside their selector, and their values go through the same converters the ORM applies to the model
fields they come from, so that a row reads the same as the ORM's would (dates and decimals on SQLite, time zones).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field, Model

Converter = Callable[[Any, Any, Any], Any]
M = TypeVar("M", bound=Model)


def table(model: type[Model]) -> str:
    """The model's table name, quoted for SQL text."""
    return connection.ops.quote_name(model._meta.db_table)


def any_of(column: str, values: Collection[Any]) -> tuple[str, list[Any]]:
    """SQL `column IN values` and its parameters: `= ANY(%s)` with one array parameter on PostgreSQL, a plain IN
    list elsewhere. `column` is SQL text of our own, never user input."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


# The converters of each field, per connection's operations object: looking them up cost more than the query.
_CONVERTERS: WeakKeyDictionary[Any, dict[Field[Any, Any], tuple[Any, list[Converter]]]] = WeakKeyDictionary()


def _converters(field: Field[Any, Any], db: Any) -> tuple[Any, list[Converter]]:
    known = _CONVERTERS.get(db.ops)
    if known is None:
        known = _CONVERTERS[db.ops] = {}
    found = known.get(field)
    if found is None:
        col = field.cached_col
        found = known[field] = (col, [*db.ops.get_db_converters(col), *field.get_db_converters(db)])
    return found


def columns(model: type[Model], alias: str) -> tuple[list[str], list[Field[Any, Any]]]:
    """Every concrete column of `model` as SQL text qualified by `alias` (a table alias, or the quoted table
    name), in the model's order (the order `instance` takes them in), and their fields."""
    fields = list(model._meta.concrete_fields)
    return [f"{alias}.{connection.ops.quote_name(str(f.column))}" for f in fields], fields


def instance(model: type[Model], fields: Sequence[Field[Any, Any]], values: Sequence[Any]) -> Any:
    """The model instance of one row of `columns(model, ...)` as `fetch` converted it, as the ORM would load it;
    None when its primary key is NULL (no row on the right of a LEFT JOIN)."""
    if values[list(fields).index(model._meta.pk)] is None:
        return None
    return model.from_db(connection.alias, [f.attname for f in fields], values)


def instances(model: type[M], where: str = "", params: Sequence[Any] = (), *, order_by: str = "",
              limit: int | None = None) -> list[M]:
    """The rows of `model` matching the SQL condition `where` (on its own columns), ordered by `order_by`, as the
    ORM would load them. `where` and `order_by` are SQL text of our own, never user input; values go in `params`."""
    names, fields = columns(model, table(model))
    sql = f"SELECT {', '.join(names)} FROM {table(model)}"
    sql += f" WHERE {where}" if where else ""
    sql += f" ORDER BY {order_by}" if order_by else ""
    sql += f" LIMIT {int(limit)}" if limit is not None else ""
    return [instance(model, fields, row) for row in fetch(sql, params, fields)]


def fetch(sql: str, params: Sequence[Any], fields: Sequence[Field[Any, Any] | None]) -> list[tuple[Any, ...]]:
    """Rows of `sql`, each value converted as the ORM converts the model field in its place of `fields` (None: the
    value as the database driver gives it)."""
    db = connections[DEFAULT_DB_ALIAS]
    conversions = []
    for i, field in enumerate(fields):
        if field is not None:
            col, converters = _converters(field, db)
            if converters:
                conversions.append((i, col, converters))
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not conversions:
        return [tuple(row) for row in rows]
    out = []
    for row in rows:
        values = list(row)
        for i, col, converters in conversions:
            for convert in converters:
                values[i] = convert(values[i], col, db)
        out.append(tuple(values))
    return out
