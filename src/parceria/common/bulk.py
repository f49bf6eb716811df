"""Set-based inserts and look-ups for hot paths (event intake, the close). DESIGN rule 10: no per-row
ORM loops.

On PostgreSQL rows go through COPY (psycopg adapts Decimal, dates, times and numbers itself; JSON is
dumped once with orjson); on SQLite through one executemany, with dates, times, decimals and UUIDs converted
by the field's own `get_db_prep_save` so that what lands is what the ORM would have written.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
from django.db import connection, models
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL


def _identity(value: Any) -> Any:
    return value


def _json(value: Any) -> Any:
    return None if value is None else orjson.dumps(value).decode()


def _converter(field: Any) -> Callable[[Any], Any]:
    if isinstance(field, models.JSONField):
        return _json
    if connection.vendor == "postgresql":
        return _identity
    if isinstance(field, models.DateTimeField | models.DateField | models.DecimalField | models.UUIDField):
        return _sqlite_converter(field)
    return _identity


def _sqlite_converter(field: Any) -> Callable[[Any], Any]:
    """What `field.get_db_prep_save` writes on SQLite, with the values the hot paths hand in (aware datetimes,
    dates, finite decimals, UUIDs) converted directly, as Django 5.2's SQLite operations do: an aware datetime as
    the naive text of its time in the connection's time zone, a date as its ISO text, a decimal as itself (the
    driver's adapter writes its text), a UUID as its hex. Anything else (None, naive or other types) goes through
    the field's own conversion. tests/common/test_bulk.py checks the two agree."""

    def save(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    if isinstance(field, models.DateTimeField):
        zone = connection.timezone

        def convert_datetime(value: Any) -> Any:
            if type(value) is datetime and value.utcoffset() is not None:
                return str(value.astimezone(zone).replace(tzinfo=None))
            return save(value)

        return convert_datetime
    if isinstance(field, models.DateField):
        return lambda value: str(value) if type(value) is date else save(value)
    if isinstance(field, models.DecimalField):
        return lambda value: value if type(value) is Decimal and value.is_finite() else save(value)
    return lambda value: value.hex if type(value) is UUID else save(value)


def _prepare(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> tuple[str, list[str], list[list[Any]]]:
    fields: list[Any] = [model._meta.get_field(name) for name in columns]
    converters = [_converter(f) for f in fields]
    prepared = [[convert(v) for convert, v in zip(converters, row, strict=True)] for row in rows]
    return connection.ops.quote_name(model._meta.db_table), [f.column for f in fields], prepared


def _copy(cursor: Any, table: str, columns: list[str], rows: list[list[Any]]) -> None:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Insert `rows` (tuples in the order of `columns`) into `model`'s table. Returns the row count."""
    if not rows:
        return 0
    table, db_columns, prepared = _prepare(model, columns, rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor, table, db_columns, prepared)
        else:
            quoted = ", ".join(connection.ops.quote_name(c) for c in db_columns)
            placeholders = ", ".join(["%s"] * len(db_columns))
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})", prepared)
    return len(rows)


def insert_new_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]], *, key: str, chunk: int = 500
) -> set[Any]:
    """INSERT … ON CONFLICT (key) DO NOTHING RETURNING key: returns the keys that this call inserted.
    A row whose key exists (or is being inserted by a concurrent transaction) is skipped."""
    if not rows:
        return set()
    table, db_columns, prepared = _prepare(model, columns, rows)
    key_column = connection.ops.quote_name(getattr(model._meta.get_field(key), "column", key))
    quoted = ", ".join(connection.ops.quote_name(c) for c in db_columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _insert_new_rows_postgresql(cursor, table, db_columns, quoted, key_column, prepared)
        inserted: set[Any] = set()
        one_row = "(" + ", ".join(["%s"] * len(db_columns)) + ")"
        for start in range(0, len(prepared), chunk):
            part = prepared[start : start + chunk]
            cursor.execute(
                f"INSERT INTO {table} ({quoted}) VALUES {', '.join([one_row] * len(part))} "
                f"ON CONFLICT ({key_column}) DO NOTHING RETURNING {key_column}",
                [value for row in part for value in row],
            )
            inserted.update(r[0] for r in cursor.fetchall())
        return inserted


def _insert_new_rows_postgresql(
    cursor: Any, table: str, columns: list[str], quoted: str, key_column: str, rows: list[list[Any]]
) -> set[Any]:
    # COPY into a session-private staging table, then one INSERT … SELECT … ON CONFLICT: far fewer
    # parameters to send and parse than a multi-row VALUES list.
    staging = connection.ops.quote_name(f"staging_{table.strip(chr(34))}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    cursor.execute(f"TRUNCATE {staging}")
    _copy(cursor, staging, columns, rows)
    cursor.execute(
        f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM {staging} "
        f"ON CONFLICT ({key_column}) DO NOTHING RETURNING {key_column}"
    )
    return {r[0] for r in cursor.fetchall()}


def key_in(column: str, values: Collection[Any]) -> Q | RawSQL:
    """A filter `column IN values` that stays cheap for thousands of values: `= ANY(array)` on
    PostgreSQL (one parameter), a plain IN list elsewhere. `column` is the model's own column name."""
    if connection.vendor == "postgresql":
        sql = f"{connection.ops.quote_name(column)} = ANY(%s)"  # the column is ours; values are a parameter
        return RawSQL(sql, (list(values),), output_field=BooleanField())  # noqa: S611
    return Q(**{f"{column}__in": values})


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for `count` rows about to be inserted with insert_rows (whose children need them).
    PostgreSQL draws them from the table's sequence; on SQLite the caller holds the write lock (IMMEDIATE
    transactions), so the next ids after the current maximum are free."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        start = int(cursor.fetchone()[0]) + 1
        return list(range(start, start + count))
