"""The databases under test: a private SQLite file, or a scratch database created inside the PostgreSQL
server named by DATABASE_URL (and dropped afterwards, so the benchmark never touches existing data).
Also the bare baselines (COPY / batched INSERT into a plain table) and the post-run verification."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from _common import emit, log
from _cpu import parent_of

Row = tuple[str, str, str, str, str]
BASELINE_TABLE = "bench_baseline_events"
BASELINE_DDL = (
    f"CREATE TABLE {BASELINE_TABLE} (id text PRIMARY KEY, type text NOT NULL, occurred_at {{ts}} NOT NULL, "
    "customer text NOT NULL, payload {json} NOT NULL)"
)


@dataclass(frozen=True)
class Target:
    db: str  # "sqlite" or "postgresql"
    var_dir: Path
    database_url: str | None  # None: the SQLite file under var_dir

    @property
    def sqlite_path(self) -> Path:
        return self.var_dir / "parceria.sqlite3"


def is_postgres_url(url: str | None) -> bool:
    return bool(url) and urlsplit(url or "").scheme in ("postgres", "postgresql", "pgsql")


def _with_dbname(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{dbname}", parts.query, parts.fragment))


def _admin_connect(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)


@contextmanager
def scratch_postgres(url: str) -> Iterator[str]:
    """A fresh database in the server of `url` (the role needs CREATEDB); yields its URL, drops it on exit."""
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing to benchmark against {host!r}: DATABASE_URL must point at loopback")
    name = f"parceria_bench_{os.getpid()}"
    with _admin_connect(url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_dbname(url, name)
    finally:
        with _admin_connect(url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postmaster_pid(url: str) -> int | None:
    """The PostgreSQL server's main process, when it runs on this machine (the parent of our backend)."""
    with _admin_connect(url) as conn:
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
    return parent_of(int(row[0])) if row else None


def copy_baseline(url: str, rows: Sequence[Row], *, rows_per_copy: int | None = None) -> float:
    """COPY `rows` into a plain table (primary key only) through psycopg 3; returns seconds including commit.
    With `rows_per_copy`, one COPY and one commit per chunk (as the intake commits per batch)."""
    chunk = rows_per_copy or len(rows)
    with _admin_connect(url) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {BASELINE_TABLE}")
        conn.execute(BASELINE_DDL.format(ts="timestamptz", json="jsonb"))
        conn.autocommit = False
        started = time.perf_counter()
        for start in range(0, len(rows), chunk):
            with conn.cursor() as cur, cur.copy(f"COPY {BASELINE_TABLE} FROM STDIN") as copy:
                for row in rows[start : start + chunk]:
                    copy.write_row(row)
            conn.commit()
        seconds = time.perf_counter() - started
        conn.autocommit = True
        conn.execute(f"DROP TABLE {BASELINE_TABLE}")
    return seconds


def sqlite_baseline(path: Path, rows: Sequence[Row], *, rows_per_txn: int = 1000) -> float:
    """executemany INSERTs into a plain table in a WAL database (the app's pragmas), one transaction per chunk."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(BASELINE_DDL.format(ts="text", json="text"))
        sql = f"INSERT INTO {BASELINE_TABLE} VALUES (?, ?, ?, ?, ?)"
        started = time.perf_counter()
        for start in range(0, len(rows), rows_per_txn):
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(sql, rows[start : start + rows_per_txn])
            conn.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        conn.close()


_COUNTS_SQL = {
    "stored_events": "SELECT COUNT(*) FROM customers_event",
    "stored_invoices": "SELECT COUNT(*) FROM customers_invoice",
    "stored_usage": "SELECT COUNT(*) FROM customers_usagerecord",
    "referral_accruals": "SELECT COUNT(*) FROM commissions_ledgerline WHERE kind = 'accrual' AND rule = 'referral'",
    "integration_accruals": (
        "SELECT COUNT(*) FROM commissions_ledgerline WHERE kind = 'accrual' AND rule = 'integration'"
    ),
    "ledger_lines": "SELECT COUNT(*) FROM commissions_ledgerline",
}


def _count(cursor: Any, sql: str) -> int:
    cursor.execute(sql)
    return int(cursor.fetchone()[0])


def stored_counts(target: Target) -> dict[str, int]:
    """What the run left in the database, counted with plain SQL."""
    if target.database_url:
        with _admin_connect(target.database_url) as pg, pg.cursor() as cur:
            return {name: _count(cur, sql) for name, sql in _COUNTS_SQL.items()}
    lite = sqlite3.connect(target.sqlite_path)
    try:
        return {name: _count(lite.cursor(), sql) for name, sql in _COUNTS_SQL.items()}
    finally:
        lite.close()


def run_on_postgres(name: str, bench: Callable[[str, Any], bool], args: Any) -> int:
    """Run a PostgreSQL-only benchmark against DATABASE_URL, or say (one JSON line) that it was skipped."""
    url = os.environ.get("DATABASE_URL") or None
    if url is None or not is_postgres_url(url):
        log(f"DATABASE_URL is not a PostgreSQL URL: the {name} benchmark runs on PostgreSQL only")
        emit({"bench": name, "db": "sqlite",
              "skipped": f"the {name} target is for PostgreSQL; set DATABASE_URL (scripts/with-postgres.sh)"})
        return 0
    return 0 if bench(url, args) else 1
