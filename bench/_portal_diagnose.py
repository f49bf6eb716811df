"""Where one portal request's time goes, measured in-process: Django's test client (no gunicorn, no network,
one request at a time) against the benchmark's scratch database, signed in as the benchmark's partner users.

For each partner given and each endpoint (dashboard, ledger page, balance API): a few warm-up requests, then
`--repeat` timed ones, each with its wall time and the time spent in SQL (through Django's cursor), and the
mean CPU per request of this process and of its PostgreSQL backend; then one request under
CaptureQueriesContext (the query count) and a timing execute wrapper, whose slowest queries are listed and,
with `--explain`, run again under EXPLAIN (ANALYZE, BUFFERS) (plans on stderr); with `--profile`, one request
of each endpoint under cProfile (on stderr). Prints {"in_process": [...]} as one JSON line on stdout.

Run by bench/portal.py after the HTTP load (the server stopped) with the application's environment.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import django
import orjson

from _cpu import process_cpu_seconds
from _profile_intake import _backend_pid, _SqlTimer, _top

WARM_UP = 3


@dataclass(frozen=True)
class Target:
    endpoint: str
    partner_id: int
    send: Callable[[], Any]


def _client_for(partner_id: int) -> tuple[Any, str]:
    """A test client signed in as the partner's benchmark user, and a partner API key of its own."""
    from django.test import Client

    from parceria.accounts.models import User
    from parceria.accounts.services import api_key_create
    from parceria.common.audit import Actor

    client = Client(headers={"host": "127.0.0.1"})
    client.force_login(User.objects.get(username=f"bench-portal-{partner_id}"))
    issued = api_key_create(name=f"bench portal diagnose {partner_id}", scope="partner", partner_id=partner_id,
                            actor=Actor.system("bench:portal"))
    return client, issued.raw_key


def targets_for(partner_id: int, ledger_path: str) -> list[Target]:
    client, key = _client_for(partner_id)
    return [
        Target("dashboard", partner_id, lambda: client.get("/portal/")),
        Target("ledger", partner_id, lambda: client.get(ledger_path)),
        Target("balance_api", partner_id, lambda: client.get(f"/api/v1/partners/{partner_id}/balance",
                                                             headers={"authorization": f"Bearer {key}"})),
    ]


def _checked(target: Target) -> Any:
    response = target.send()
    if response.status_code != 200:
        raise RuntimeError(f"{target.endpoint} of partner {target.partner_id}: HTTP {response.status_code}")
    return response


@dataclass
class Timings:
    """Per request, in milliseconds: wall, SQL (Django's cursor), CPU of this process and of its backend."""

    wall: list[float]
    sql: list[float]
    python_cpu: float
    db_cpu: float | None


def _timed(target: Target, repeat: int) -> Timings:
    from django.db import connection

    walls, sqls = [], []
    backend = _backend_pid(connection)
    cpu, db_cpu = time.process_time(), process_cpu_seconds(backend) if backend else None
    for _ in range(repeat):
        timer = _SqlTimer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            _checked(target)
            walls.append((time.perf_counter() - started) * 1000)
        sqls.append(timer.seconds * 1000)
    python_cpu = (time.process_time() - cpu) * 1000 / repeat
    db_after = process_cpu_seconds(backend) if backend else None
    db = (db_after - db_cpu) * 1000 / repeat if db_cpu is not None and db_after is not None else None
    return Timings(walls, sqls, python_cpu, db)


class _Recorder:
    """A Django execute wrapper that keeps each query's time (perf_counter), SQL and parameters."""

    def __init__(self) -> None:
        self.queries: list[tuple[float, str, Any]] = []

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append(((time.perf_counter() - started) * 1000, sql, params))


def _captured(target: Target) -> tuple[int, list[tuple[float, str, Any]]]:
    """The queries of one request as CaptureQueriesContext counts them, and (milliseconds, SQL, parameters) of
    each, slowest first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    recorder = _Recorder()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(recorder):
        _checked(target)
    return len(captured.captured_queries), sorted(recorder.queries, key=lambda q: q[0], reverse=True)


def explain(sql: str, params: Any) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(str(row[0]) for row in cursor.fetchall())


def _report_plans(target: Target, captured: list[tuple[float, str, Any]], count: int) -> None:
    for ms, sql, params in captured[:count]:
        if sql.lstrip().upper().startswith("SELECT"):
            print(f"\n--- {target.endpoint}, partner {target.partner_id}: {ms:.2f} ms in the request\n{sql}\n"
                  f"params {params}\n{explain(sql, params)}", file=sys.stderr)


def _profile(target: Target) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(_checked, target)
    print(f"\n=== cProfile: {target.endpoint}, partner {target.partner_id}", file=sys.stderr)
    print(_top(pstats.Stats(profiler), "cumulative", 30), file=sys.stderr)


def measure(target: Target, args: argparse.Namespace) -> dict[str, Any]:
    for _ in range(WARM_UP):
        _checked(target)
    timings = _timed(target, args.repeat)
    queries, captured = _captured(target)
    if args.explain:
        _report_plans(target, captured, args.explain)
    if args.profile:
        _profile(target)
    wall, sql = statistics.median(timings.wall), statistics.median(timings.sql)
    return {
        "endpoint": target.endpoint, "partner_id": target.partner_id, "queries": queries,
        "wall_ms": round(wall, 2), "sql_ms": round(sql, 2), "python_ms": round(wall - sql, 2),
        "python_cpu_ms": round(timings.python_cpu, 2),
        "db_backend_cpu_ms": None if timings.db_cpu is None else round(timings.db_cpu, 2),
        "slowest_sql": [[round(ms, 2), " ".join(sql_text.split())[:160]] for ms, sql_text, _ in captured[:3]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("partners", help="comma-separated partner ids (their users bench-portal-ID exist)")
    parser.add_argument("--ledger-path", default="/portal/commissions/")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--explain", type=int, default=0, help="EXPLAIN ANALYZE the N slowest queries per request")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parceria.config.settings")
    django.setup()
    results = [measure(target, args) for partner in args.partners.split(",")
               for target in targets_for(int(partner), args.ledger_path)]
    print(orjson.dumps({"in_process": results}).decode())


if __name__ == "__main__":
    main()
