"""Referral redirect benchmark: requests/s and p50/p99 latency of `GET /r/<code>` (a partner's referral link:
look the code up, record the click, answer 302 to the landing page with `ref=<code>`) under the production server,
beside `GET /healthz` measured the same way in the same run. Target: ≥ 1,000 requests/s with p99 < 20 ms, with
thousands of links and a click table of 1,000,000 rows, on PostgreSQL (and, for comparison, SQLite).

Setup (not measured): a scratch database (PostgreSQL: a new database in the DATABASE_URL server; SQLite: a file in a
temporary directory), migrated; `--partners` partners through the partner service; `--links` links in bulk
(bench/_referral_seed.py); `--clicks` clicks loaded in bulk (COPY on PostgreSQL, batched INSERTs on SQLite), then
ANALYZE.

Measured: `parceria serve --workers 2` (debug off, loopback) with PARCERIA_BEHIND_PROXY=1, so that each request's
`X-Forwarded-For` names its visitor: every request comes from a different address, so the flood limit never
stops a click and every redirect writes its click (the redirect's most expensive path). `--clients` threads, each
with its own http.client connection, request back to back for `--seconds` after a warm-up: first /healthz (every
middleware and a `SELECT 1`), then /r/<code> with codes drawn at random from every link. Every answer must be the
expected one (200; 302 to the link's landing with `ref=<code>`), anything else counts as an error; afterwards the
click table must have grown by exactly the number of redirects answered. With --profile (or when a target is
missed) bench/_referral_profile.py then times single redirects in-process (queries, SQL time, cProfile on stderr).

One JSON line per database on stdout; progress on stderr.

    scripts/with-postgres.sh .venv/bin/python bench/referral_redirect.py [--db postgresql] [--quick] [--profile]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import signal
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from _common import LOOPBACK, emit, log, percentile, run_threads
from _cpu import CpuMeter
from _database import _admin_connect, is_postgres_url, postmaster_pid, scratch_postgres
from _server import app_env, migrate, run, run_bench_script, serve
from portal import machine_busy_seconds

TARGETS = {"requests_per_s": 1000.0, "p99_ms": 20.0}
MAX_ERROR_SAMPLES = 5


@dataclass
class LoadResult:
    seconds: float = 0.0
    requests: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)


Request = Callable[[http.client.HTTPConnection, random.Random, int], str | None]  # None when the answer is right


def healthz(conn: http.client.HTTPConnection, rng: random.Random, n: int) -> str | None:
    conn.request("GET", "/healthz")
    response = conn.getresponse()
    response.read()
    return None if response.status == 200 else f"/healthz answered {response.status}"


def redirect(codes: list[str]) -> Request:
    def send(conn: http.client.HTTPConnection, rng: random.Random, n: int) -> str | None:
        code = rng.choice(codes)
        visitor = f"10.{n % 250}.{n // 250 % 250}.{n // 62500 % 250 + 1}"
        conn.request("GET", f"/r/{code}", headers={"X-Forwarded-For": visitor, "User-Agent": "bench/referral",
                                                   "Referer": "https://blog.example.com/post"})
        response = conn.getresponse()
        response.read()
        location = response.headers.get("Location", "")
        if response.status != 302 or not location.endswith(f"&ref={code}"):
            return f"/r/{code} answered {response.status} → {location!r}"
        return None

    return send


def run_load(port: int, send: Request, clients: int, seconds: float, *, seed: int) -> LoadResult:
    """`clients` threads sending back to back for `seconds`; every answer checked."""
    result = LoadResult()
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    counter = iter(range(seed * 10_000_000, (seed + 1) * 10_000_000))

    def worker(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
        latencies: list[float] = []
        errors: list[str] = []
        try:
            while time.perf_counter() < stop_at:
                with lock:
                    n = next(counter)
                started = time.perf_counter()
                try:
                    problem = send(conn, rng, n)
                except (OSError, http.client.HTTPException) as exc:
                    problem = f"{type(exc).__name__}: {exc}"
                    conn.close()
                    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
                latencies.append(time.perf_counter() - started)
                if problem:
                    errors.append(problem)
        finally:
            conn.close()
            with lock:
                result.latencies.extend(latencies)
                result.requests += len(latencies)
                result.errors += len(errors)
                result.error_samples.extend(errors[: MAX_ERROR_SAMPLES - len(result.error_samples)])

    pool = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    result.seconds = run_threads(pool)
    return result


def figures(result: LoadResult) -> dict[str, Any]:
    return {"requests": result.requests, "seconds": round(result.seconds, 2),
            "requests_per_s": round(result.requests / result.seconds, 1),
            "p50_ms": round(percentile(result.latencies, 50) * 1000, 2),
            "p90_ms": round(percentile(result.latencies, 90) * 1000, 2),
            "p99_ms": round(percentile(result.latencies, 99) * 1000, 2),
            "max_ms": round(max(result.latencies, default=0.0) * 1000, 1),
            "errors": result.errors, "error_samples": result.error_samples}


def count_clicks(database_url: str | None, var_dir: Path) -> int:
    sql = "SELECT COUNT(*) FROM referrals_referralclick"
    if database_url:
        with _admin_connect(database_url) as conn:
            row = conn.execute(sql).fetchone()
            return int(row[0]) if row else 0
    lite = sqlite3.connect(var_dir / "parceria.sqlite3")
    try:
        return int(lite.execute(sql).fetchone()[0])
    finally:
        lite.close()


@contextmanager
def database(db: str, var_dir: Path, url: str | None) -> Iterator[str | None]:
    if db == "sqlite":
        yield None
        return
    assert url is not None
    with scratch_postgres(url) as scratch:
        yield scratch


def phase(name: str, port: int, send: Request, args: argparse.Namespace, meter: CpuMeter,
          seed: int) -> dict[str, Any]:
    warm = run_load(port, send, args.clients, args.warm_up, seed=seed)
    load_avg = os.getloadavg()[0]
    busy = machine_busy_seconds()
    meter.start()
    result = run_load(port, send, args.clients, args.seconds, seed=seed + 1)
    cpu = meter.stop()
    after = machine_busy_seconds()
    ours = sum(v or 0.0 for k, v in cpu.items() if k in ("cpu_client_s", "cpu_server_s", "cpu_postgres_s"))
    other = None if busy is None or after is None else round(max(after - busy - ours, 0.0), 2)
    cpu |= {"cpu_other_processes_s": other, "load_avg_1m_before": round(load_avg, 2),
            "server_cpu_ms_per_request": round((cpu["cpu_server_s"] or 0.0) * 1000 / max(1, result.requests), 2)}
    record = figures(result) | cpu
    log(f"{name}: {result.requests:,} requests in {result.seconds:.1f}s = {record['requests_per_s']:,.0f}/s, "
        f"p50 {record['p50_ms']} ms, p99 {record['p99_ms']} ms, {result.errors} errors; CPU {cpu}")
    return record | {"warm_up_requests": warm.requests, "warm_up_errors": warm.errors}


def bench_database(db: str, args: argparse.Namespace, url: str | None) -> bool:
    with tempfile.TemporaryDirectory(prefix="parceria-bench-referral-") as tmp, database(db, Path(tmp), url) as dburl:
        var_dir = Path(tmp)
        env = app_env(var_dir=var_dir, database_url=dburl) | {"PARCERIA_BEHIND_PROXY": "1"}
        log(f"{db}: migrating; seeding {args.partners} partners, {args.links:,} links, {args.clicks:,} clicks")
        started = time.perf_counter()
        migrate(env)
        # `parceria serve` collects the static files on its first start: done here, so the start stays quick
        run([sys.executable, "-c", "import sys, django; django.setup(); "
             "from parceria.site.staticfiles import collect_if_changed; collect_if_changed(sys.stderr)"], env)
        seeded = orjson.loads(run_bench_script("_referral_seed.py", [
            "--partners", str(args.partners), "--links", str(args.links), "--clicks", str(args.clicks)],
            env).strip().splitlines()[-1])
        setup_s = time.perf_counter() - started
        codes: list[str] = seeded["codes"]
        before = count_clicks(dburl, var_dir)
        log(f"{db}: setup done in {setup_s:.0f}s ({before:,} clicks stored)")
        with serve(env, workers=args.workers, log_path=var_dir / "server.log") as server:
            meter = CpuMeter(server.pid, postmaster_pid(dburl) if dburl else None)
            base = phase(f"{db} /healthz", server.port, healthz, args, meter, seed=1)
            measured = phase(f"{db} /r/<code>", server.port, redirect(codes), args, meter, seed=3)
        after = count_clicks(dburl, var_dir)
        answered = measured["requests"] + measured["warm_up_requests"] - measured["errors"] - measured["warm_up_errors"]
        met = {"requests_per_s": measured["requests_per_s"] >= TARGETS["requests_per_s"],
               "p99_ms": measured["p99_ms"] < TARGETS["p99_ms"]}
        problems = []
        if after - before != answered:
            problems.append(f"the click table grew by {after - before:,}, not by the {answered:,} redirects answered")
        record = {
            "bench": "referral_redirect", "db": db, "endpoint": "/r/<code>", "links": len(codes),
            "clicks_before": before, "clicks_after": after, "clients": args.clients, "workers": args.workers,
            **measured, "targets": TARGETS, "targets_met": met,
            "baseline_healthz": {k: base[k] for k in ("requests_per_s", "p50_ms", "p99_ms", "errors", "cpu_server_s",
                                                      "cpu_client_s", "cpu_postgres_s", "cpu_other_processes_s",
                                                      "server_cpu_ms_per_request")},
            "ratio_to_healthz": round(measured["requests_per_s"] / base["requests_per_s"], 3),
            "cpus": os.cpu_count(), "setup_s": round(setup_s, 1),
            "problems": problems,
        }
        if args.profile or not all(met.values()):
            sample = ",".join(codes[:: max(1, len(codes) // 200)])
            out = run_bench_script("_referral_profile.py", [sample, "--requests", str(args.profile_requests)], env,
                                   show_stderr=args.profile)
            record["in_process"] = orjson.loads(out.strip().splitlines()[-1])["in_process"]
        emit(record)
        for problem in [*problems, *measured["error_samples"]]:
            log(f"{db}: PROBLEM {problem}")
        return not problems and not measured["errors"] and not base["errors"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), action="append",
                        help="default: both when DATABASE_URL is PostgreSQL, else sqlite")
    parser.add_argument("--partners", type=int, default=50)
    parser.add_argument("--links", type=int, help="default 5,000 (500 with --quick)")
    parser.add_argument("--clicks", type=int, help="default 1,000,000 (50,000 with --quick)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, help="measured seconds per endpoint; default 15 (5 with --quick)")
    parser.add_argument("--warm-up", type=float, default=2.0)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile single redirects in-process afterwards")
    parser.add_argument("--profile-requests", type=int, default=500)
    args = parser.parse_args(argv)
    args.links = args.links or (500 if args.quick else 5_000)
    args.clicks = args.clicks if args.clicks is not None else (50_000 if args.quick else 1_000_000)
    args.seconds = args.seconds or (5.0 if args.quick else 15.0)
    return args


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks: server stopped, scratch database dropped


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    args = parse_args(argv)
    url = os.environ.get("DATABASE_URL") or None
    chosen = args.db or (["postgresql", "sqlite"] if is_postgres_url(url) else ["sqlite"])
    if "postgresql" in chosen and not is_postgres_url(url):
        log("DATABASE_URL is not a PostgreSQL URL: PostgreSQL skipped")
        chosen = [db for db in chosen if db != "postgresql"]
    return 0 if all([bench_database(db, args, url) for db in chosen]) else 1


if __name__ == "__main__":
    sys.exit(main())
