"""Where the time of one POST /api/v1/events goes, measured in-process (no gunicorn, no network).

Run by `bench/ingest.py --profile` after the HTTP run, against the same seeded database, with the platform
key in BENCH_API_KEY. Three batches of 1,000 events of the benchmark's mix go through Django's test
client: a warm-up, one timed batch (wall time and the time spent in SQL sent through Django's cursor;
COPY runs on the raw psycopg cursor and is not in that figure) and one under cProfile. The profile goes
to stderr; a summary is printed as one JSON line on stdout.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections.abc import Callable
from typing import Any

import django
import orjson

from _cpu import process_cpu_seconds
from _workload import Mix, build_workload


class _SqlTimer:
    """A Django execute wrapper that adds up the time and number of queries."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.queries: list[tuple[float, str]] = []

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.seconds += elapsed
            self.queries.append((round(elapsed * 1000, 1), " ".join(sql.split())[:110]))


def _backend_pid(connection: Any) -> int | None:
    if connection.vendor != "postgresql":
        return None  # SQLite runs inside this process: its time is in python_cpu_ms
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _delta_ms(before: float | None, after: float | None) -> float | None:
    return round((after - before) * 1000, 1) if before is not None and after is not None else None


def _post(client: Any, body: bytes, api_key: str) -> dict[str, Any]:
    response = client.post("/api/v1/events", data=body, content_type="application/json",
                           headers={"authorization": f"Bearer {api_key}", "host": "127.0.0.1"})
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code}: {response.content[:300]!r}")
    answer: dict[str, Any] = orjson.loads(response.content)
    return answer


def _top(stats: pstats.Stats, sort: str, limit: int) -> str:
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats(sort).print_stats(limit)
    return out.getvalue()


def _summary(stats: pstats.Stats, limit: int) -> list[list[Any]]:
    rows = sorted(stats.stats.items(), key=lambda item: item[1][3], reverse=True)  # type: ignore[attr-defined]
    return [[f"{func[0].rsplit('/', 2)[-1]}:{func[1]}({func[2]})", round(entry[3] * 1000, 1)]
            for func, entry in rows[:limit]]


def _timed_batch(client: Any, body: bytes, api_key: str) -> dict[str, Any]:
    """Post one batch with SQL timing and the CPU of this process and of its PostgreSQL backend."""
    from django.db import connection

    sql = _SqlTimer()
    backend = _backend_pid(connection)
    with connection.execute_wrapper(sql):
        cpu_before = (time.process_time(), process_cpu_seconds(backend) if backend else None)
        started = time.perf_counter()
        answer = _post(client, body, api_key)
        wall = time.perf_counter() - started
        cpu_after = (time.process_time(), process_cpu_seconds(backend) if backend else None)
    return {
        "answer": {k: answer[k] for k in ("accepted", "duplicates")}, "wall_ms": round(wall * 1000, 1),
        "python_cpu_ms": round((cpu_after[0] - cpu_before[0]) * 1000, 1),
        "db_backend_cpu_ms": _delta_ms(cpu_before[1], cpu_after[1]),
        "sql_ms": round(sql.seconds * 1000, 1), "sql_queries": len(sql.queries),
        "slowest_sql_ms": sorted(sql.queries, reverse=True)[:6],
    }


def _profiled_batch(client: Any, body: bytes, api_key: str) -> pstats.Stats:
    profiler = cProfile.Profile()
    profiler.runcall(_post, client, body, api_key)
    stats = pstats.Stats(profiler)
    print(_top(stats, "cumulative", 45), file=sys.stderr)
    print(_top(stats, "tottime", 30), file=sys.stderr)
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--integrators", required=True, help="comma-separated partner ids")
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parceria.config.settings")
    django.setup()
    from django.test import Client

    api_key = os.environ["BENCH_API_KEY"]
    mix = Mix(customers=args.customers, integrators=[int(i) for i in args.integrators.split(",")], dup_lag=1,
              seed=7, prefix="prof")
    warm, timed, profiled = build_workload(mix, 3000).bodies
    client = Client()
    _post(client, warm, api_key)
    summary = _timed_batch(client, timed, api_key)
    stats = _profiled_batch(client, profiled, api_key)
    print(orjson.dumps({
        "bench": "ingest-profile", "db": args.db, "events": 1000, **summary,
        "top_cumulative_ms": _summary(stats, 25),
    }).decode())


if __name__ == "__main__":
    main()
