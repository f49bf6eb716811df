"""Event intake benchmark (issue #2, "Speed"): events/s over real HTTP against the production server.

For SQLite (always, in a private temporary folder) and PostgreSQL (when DATABASE_URL is a postgres URL; a
scratch database is created in that server and dropped afterwards): migrate, seed partners and customers,
start `parceria serve` (gunicorn) on a free loopback port, POST pre-serialised batches of 1,000 events
(invoice.paid, ~10% usage.recorded through integration partners ahead of the invoices they share in,
~5% re-sent duplicates) from a few client threads, and time the posting phase. In the same run, time a
bare COPY (PostgreSQL) or batched executemany INSERT (SQLite) of the same rows into a plain table, then
check what the database holds. One JSON line per measurement on stdout; progress on stderr.

    make bench   # scripts/with-postgres.sh .venv/bin/python bench/ingest.py
    .venv/bin/python bench/ingest.py --db sqlite --events 20000 --threads 4 [--profile]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from _client import PostResult, post_batches, warm_up
from _common import emit, log, percentile
from _cpu import CpuMeter
from _database import (
    Row,
    Target,
    copy_baseline,
    is_postgres_url,
    postmaster_pid,
    scratch_postgres,
    sqlite_baseline,
    stored_counts,
)
from _server import app_env, create_api_key, migrate, run_bench_script, serve
from _workload import Mix, Workload, baseline_rows, build_workload

DEFAULT_EVENTS = {"postgresql": 100_000, "sqlite": 50_000}


@dataclass(frozen=True)
class Seeded:
    api_key: str
    referrers: list[int]
    integrators: list[int]


@dataclass(frozen=True)
class Baseline:
    name: str
    rows: int
    seconds: float
    extra: dict[str, Any]

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), action="append",
                        help="database to run (repeatable); default: SQLite, plus PostgreSQL if DATABASE_URL is set")
    parser.add_argument("--events", type=int, help="events to send per database (default: 100,000 on PostgreSQL, "
                                                    "50,000 on SQLite)")
    parser.add_argument("--threads", type=int, default=4, help="concurrent client connections (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--partners", type=int, default=100)
    parser.add_argument("--integration-partners", type=int, default=10)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true",
                        help="also profile one batch in-process (report on stderr, summary line on stdout)")
    return parser.parse_args(argv)


def databases(args: argparse.Namespace, url: str | None) -> list[str]:
    chosen = args.db or (["sqlite", "postgresql"] if is_postgres_url(url) else ["sqlite"])
    if "postgresql" in chosen and not is_postgres_url(url):
        raise SystemExit("PostgreSQL needs DATABASE_URL=postgres://… (see scripts/with-postgres.sh)")
    if "postgresql" not in chosen:
        log("DATABASE_URL is not a PostgreSQL URL: SQLite only")
    return chosen


@contextmanager
def target_for(db: str, var_dir: Path, url: str | None) -> Iterator[Target]:
    if db == "sqlite":
        yield Target("sqlite", var_dir, None)
        return
    assert url is not None
    with scratch_postgres(url) as scratch_url:
        yield Target("postgresql", var_dir, scratch_url)


def seed(env: dict[str, str], args: argparse.Namespace) -> Seeded:
    migrate(env)
    out = run_bench_script("_seed.py", ["--partners", str(args.partners), "--integration",
                                        str(args.integration_partners), "--customers", str(args.customers)], env)
    ids = orjson.loads(out.strip().splitlines()[-1])
    api_key = create_api_key(env, scope="platform", name="bench ingest")
    return Seeded(api_key, ids["referrers"], ids["integrators"])


def measure_baseline(target: Target, rows: list[Row]) -> Baseline:
    if target.database_url:
        per_batch = copy_baseline(target.database_url, rows, rows_per_copy=1000)
        seconds = copy_baseline(target.database_url, rows)
        return Baseline("copy", len(rows), seconds, {"baseline_copy_per_1000_rows_per_s": round(len(rows) / per_batch)})
    path = target.var_dir / "baseline.sqlite3"
    seconds = sqlite_baseline(path, rows, rows_per_txn=1000)
    path.unlink()
    return Baseline("executemany", len(rows), seconds, {"baseline_rows_per_txn": 1000})


def check(workload: Workload, result: PostResult, counts: dict[str, int]) -> list[str]:
    """What does not add up; empty when the run is correct."""
    expected = {
        "accepted": (result.accepted, len(workload.unique)), "duplicates": (result.duplicates, workload.duplicates),
        "rejected": (result.rejected, 0), "errors": (len(result.errors), 0),
        "stored_events": (counts["stored_events"], len(workload.unique)),
        "stored_invoices": (counts["stored_invoices"], workload.invoices),
        "stored_usage": (counts["stored_usage"], workload.usage),
        "referral_accruals": (counts["referral_accruals"], workload.referral_invoices),
    }
    problems = [f"{name}: got {got}, expected {want}" for name, (got, want) in expected.items() if got != want]
    if counts["integration_accruals"] == 0:
        problems.append("integration_accruals: none were written")
    return problems + result.errors[:3] + [f"rejected: {r}" for r in result.rejection_samples]


def record(db: str, args: argparse.Namespace, workload: Workload, result: PostResult, baseline: Baseline,
           counts: dict[str, int], problems: list[str]) -> dict[str, Any]:
    events_per_s = (result.accepted + result.duplicates) / result.seconds
    return {
        "bench": "ingest", "db": db, "events": workload.sent, "unique_events": len(workload.unique),
        "duplicates_sent": workload.duplicates, "usage_events": workload.usage, "invoice_events": workload.invoices,
        "requests": result.requests, "seconds": round(result.seconds, 3), "events_per_s": round(events_per_s),
        "p50_ms": round(percentile(result.latencies, 50) * 1000, 1),
        "p99_ms": round(percentile(result.latencies, 99) * 1000, 1),
        "baseline": baseline.name, "baseline_rows": baseline.rows, "baseline_seconds": round(baseline.seconds, 3),
        "baseline_rows_per_s": round(baseline.rows_per_s),
        "ratio_to_baseline": round(events_per_s / baseline.rows_per_s, 3),
        **baseline.extra, "workers": args.workers, "client_threads": args.threads, "cpus": os.cpu_count(),
        "accepted": result.accepted, "duplicates": result.duplicates, "rejected": result.rejected, **counts,
        "ok": not problems, "problems": problems,
    }


def profile(db: str, env: dict[str, str], seeded: Seeded, args: argparse.Namespace) -> None:
    log(f"{db}: profiling one batch in-process")
    out = run_bench_script("_profile_intake.py", [
        "--db", db, "--customers", str(args.customers), "--integrators", ",".join(map(str, seeded.integrators)),
    ], {**env, "BENCH_API_KEY": seeded.api_key}, show_stderr=True)
    emit(orjson.loads(out.strip().splitlines()[-1]))


def post_workload(db: str, target: Target, env: dict[str, str], seeded: Seeded, workload: Workload,
                  args: argparse.Namespace) -> tuple[PostResult, dict[str, Any]]:
    """Start the server, warm it up, and time the posting phase; also the CPU each side used meanwhile."""
    database_pid = postmaster_pid(target.database_url) if target.database_url else None
    with serve(env, workers=args.workers, log_path=target.var_dir / "server.log") as server:
        warm_up(server.port, seeded.api_key, requests=4 * args.workers)
        load = os.getloadavg()[0]
        log(f"{db}: posting {workload.sent} events in {len(workload.bodies)} requests, {args.threads} threads "
            f"(load average {load:.2f})")
        meter = CpuMeter(server.pid, database_pid)
        meter.start()
        result = post_batches(server.port, seeded.api_key, workload.bodies, threads=args.threads)
        cpu = meter.stop()
    return result, {"load_avg_1m_before": round(load, 2), **cpu}


def bench_database(db: str, args: argparse.Namespace, url: str | None) -> bool:
    with tempfile.TemporaryDirectory(prefix="parceria-bench-") as tmp, target_for(db, Path(tmp), url) as target:
        env = app_env(var_dir=target.var_dir, database_url=target.database_url)
        log(f"{db}: migrating and seeding {args.partners} partners, {args.customers} customers")
        seeded = seed(env, args)
        mix = Mix(customers=args.customers, integrators=seeded.integrators, dup_lag=2 * args.threads)
        workload = build_workload(mix, args.events or DEFAULT_EVENTS[db])
        log(f"{db}: baseline ({len(workload.unique)} rows)")
        baseline = measure_baseline(target, baseline_rows(workload))
        result, cpu = post_workload(db, target, env, seeded, workload, args)
        counts = stored_counts(target)
        problems = check(workload, result, counts)
        emit(record(db, args, workload, result, baseline, counts, problems) | cpu)
        for problem in problems:
            log(f"{db}: PROBLEM {problem}")
        if args.profile:
            profile(db, env, seeded, args)
        return not problems


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks: server stopped, scratch data removed


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    args = parse_args(argv)
    url = os.environ.get("DATABASE_URL") or None
    results = [bench_database(db, args, url) for db in databases(args, url)]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
