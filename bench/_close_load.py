"""Loading the close benchmark's data set into a migrated scratch PostgreSQL database (setup, not measured).

The rows go straight into the tables with COPY, as pg_restore does it: the loaded tables' foreign keys and
non-unique indexes are dropped first and re-created afterwards from their own definitions (read from the
catalog, so the schema ends up exactly as the migrations made it, with every foreign key validated), the
identity sequences are moved past the loaded ids, and the database is vacuumed and analysed (VACUUM, not
only ANALYZE: it sets the hint bits and the visibility map that a long-lived database has, and leaves
autovacuum little to do).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import psycopg

from _close_data import COLUMNS, TABLE_ROWS, DataSet, Row
from _common import log
from _database import _admin_connect

ROWS_PER_WRITE = 5_000


@dataclass(frozen=True)
class Deferred:
    """Definitions taken off the loaded tables during the load."""

    indexes: list[str]  # CREATE INDEX statements
    foreign_keys: list[tuple[str, str, str]]  # (table, constraint name, definition)


def standard_plan_id(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT id FROM commissions_commissionplan WHERE name = 'Standard' AND version = 1").fetchone()
    if row is None:
        raise RuntimeError("the standard commission plan is missing: was the database migrated?")
    return int(row[0])


def _drop_deferred(conn: psycopg.Connection[Any], tables: list[str]) -> Deferred:
    foreign_keys = [
        (str(table), str(name), str(definition))
        for table, name, definition in conn.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [tables],
        ).fetchall()
    ]
    indexes = conn.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE NOT indisunique AND indrelid::regclass::text = ANY(%s)",
        [tables],
    ).fetchall()
    for table, name, _ in foreign_keys:
        conn.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    return Deferred([str(definition) for _, definition in indexes], foreign_keys)


def _restore_deferred(conn: psycopg.Connection[Any], deferred: Deferred) -> None:
    for statement in deferred.indexes:
        conn.execute(statement)
    for table, name, definition in deferred.foreign_keys:
        conn.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')


def _line(row: Row) -> str:
    return "\t".join(r"\N" if value is None else value for value in row)


def copy_rows(conn: psycopg.Connection[Any], table: str, rows: Iterable[Row]) -> int:
    """COPY rows (already text, with no tab, newline or backslash inside a value) into `table`."""
    columns = ", ".join(f'"{c}"' for c in COLUMNS[table])
    count = 0
    with conn.cursor() as cur, cur.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
        chunk: list[str] = []
        for row in rows:
            chunk.append(_line(row))
            if len(chunk) == ROWS_PER_WRITE:
                copy.write("\n".join(chunk) + "\n")
                count += len(chunk)
                chunk.clear()
        if chunk:
            copy.write("\n".join(chunk) + "\n")
            count += len(chunk)
    return count


def _reset_identities(conn: psycopg.Connection[Any], tables: list[str]) -> None:
    for table in tables:
        if "id" in COLUMNS[table]:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, "
                "false)",
                [table],
            )


def _timed(label: str, started: float) -> None:
    log(f"setup: {label} ({time.perf_counter() - started:.1f}s)")


def load(conn: psycopg.Connection[Any], data: DataSet) -> dict[str, int]:
    """Load every table of the data set; returns the rows loaded per table. `conn` is in autocommit mode."""
    tables = [table for table, _ in TABLE_ROWS]
    conn.execute("SET maintenance_work_mem = '512MB'")
    deferred = _drop_deferred(conn, tables)
    counts: dict[str, int] = {}
    for table, rows in TABLE_ROWS:
        started = time.perf_counter()
        with conn.transaction():
            counts[table] = copy_rows(conn, table, rows(data))
        _timed(f"COPY {counts[table]:,} rows into {table}", started)
    started = time.perf_counter()
    _restore_deferred(conn, deferred)
    _timed(f"re-created {len(deferred.indexes)} indexes and {len(deferred.foreign_keys)} foreign keys", started)
    _reset_identities(conn, tables)
    started = time.perf_counter()
    conn.execute("VACUUM (ANALYZE)")
    _timed("VACUUM (ANALYZE)", started)
    return counts


def drop_database(admin_url: str, database_url: str, *, timeout_s: float = 60) -> None:
    """Drop the database of `database_url`, retrying while a session of ours still ends. A plain DROP DATABASE
    stops autovacuum workers by itself, whereas the DROP … WITH (FORCE) of _database.scratch_postgres fails
    when one is connected (a non-superuser may not end the server's own workers): after a load of millions
    of rows one often is. scratch_postgres's own DROP … IF EXISTS then finds nothing to do."""
    name = urlsplit(database_url).path.lstrip("/")
    deadline = time.monotonic() + timeout_s
    with _admin_connect(admin_url) as conn:
        while True:
            try:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                return
            except psycopg.errors.ObjectInUse:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
