"""Set-based inserts for hot paths (event intake, the close). DESIGN rule 10: no per-row ORM loops.

On PostgreSQL rows go through COPY; on SQLite through one executemany. Values are converted by each
field's own `get_db_prep_save`, so what lands is exactly what the ORM would have written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def _prepare(model: type[models.Model], columns: Sequence[str]) -> tuple[str, list[str], list[Any]]:
    fields: list[Any] = [model._meta.get_field(name) for name in columns]
    db_columns: list[str] = [f.column for f in fields]
    return model._meta.db_table, db_columns, fields


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Insert `rows` (tuples in the order of `columns`) into `model`'s table. Returns the row count."""
    if not rows:
        return 0
    table, db_columns, fields = _prepare(model, columns)
    quoted = ", ".join(connection.ops.quote_name(c) for c in db_columns)
    prepared = [[f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)] for row in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in prepared:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(db_columns))
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})", prepared
            )
    return len(rows)


def insert_new_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]], *, key: str, chunk: int = 500
) -> set[Any]:
    """INSERT … ON CONFLICT (key) DO NOTHING RETURNING key: returns the keys that this call inserted.
    A row whose key exists (or is being inserted by a concurrent transaction) is skipped."""
    if not rows:
        return set()
    table, db_columns, fields = _prepare(model, columns)
    key_column: str = getattr(model._meta.get_field(key), "column", key)
    quoted = ", ".join(connection.ops.quote_name(c) for c in db_columns)
    one_row = "(" + ", ".join(["%s"] * len(db_columns)) + ")"
    inserted: set[Any] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            params = [f.get_db_prep_save(v, connection) for row in part for f, v in zip(fields, row, strict=True)]
            cursor.execute(
                f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES {', '.join([one_row] * len(part))} "
                f"ON CONFLICT ({connection.ops.quote_name(key_column)}) DO NOTHING "
                f"RETURNING {connection.ops.quote_name(key_column)}",
                params,
            )
            inserted.update(r[0] for r in cursor.fetchall())
    return inserted
