"""Monthly close benchmark (issue #3, "Speed"): close time, peak memory and, in the same run, the time of one bare
SQL aggregate of the month's ledger by partner. Target on PostgreSQL with 10,000 partners, 1,000,000 customers
and one month (2026-03) of 1,000,000 paid invoices: close ≤ 30 s, ≤ 3× the bare aggregate, peak RSS ≤ 500 MB.

Setup (not measured): a scratch database in the DATABASE_URL server, migrated with `parceria migrate`, is
loaded directly with COPY (the intake would take minutes for a million events): partners and their terms,
customers, invoice.paid and invoice.refunded events with their invoices and refunds, and the ledger lines
they earn (referral accruals, clawbacks) plus a few manual adjustments; then VACUUM (ANALYZE). See
bench/_close_data.py and bench/_close_load.py.

Measured: the bare `SELECT partner_id, SUM(amount) … WHERE period <= '2026-03-01' GROUP BY partner_id` (best of
3, psycopg); `parceria check` (best of 2: what any command pays to start); then `parceria close 2026-03 --json`
in a fresh subprocess (bench/_close_run.py runs the command line in-process to time its phases): its wall time
(close_s) and peak RSS (wait4). close_without_startup_s is the time inside the command's handle() — the close
and its JSON answer — and ratio_to_aggregate compares that with the bare aggregate. Then plain SQL checks
that Σ payouts' gross + Σ carried = Σ balances before the close, per currency, to the cent, and that the
counts are what the rules give. One JSON line on stdout; progress on stderr. SQLite is not part of this
target: without a PostgreSQL DATABASE_URL the benchmark says so and exits 0.

    make bench   # scripts/with-postgres.sh .venv/bin/python bench/close.py
    scripts/with-postgres.sh .venv/bin/python bench/close.py --quick [--profile] [--explain]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from _close_data import MONTH, PERIOD, Scale, build_dataset
from _close_load import drop_database, load, standard_plan_id
from _close_sql import carried_by_reason, check_close, expected_close, explain_bare_aggregate, time_bare_aggregate
from _common import emit, log
from _database import _admin_connect, run_on_postgres, scratch_postgres
from _server import BENCH_DIR, PARCERIA, app_env, migrate, run

TARGETS = {"close_s": 30.0, "ratio_to_aggregate": 3.0, "peak_rss_mb": 500.0}
FULL = Scale(partners=10_000, customers=1_000_000, invoices=1_000_000)
QUICK = Scale(partners=1_000, customers=100_000, invoices=100_000)


@dataclass(frozen=True)
class ChildRun:
    wall_s: float
    peak_rss_mb: float
    stdout: str


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partners", type=int, help=f"default {FULL.partners:,} ({QUICK.partners:,} with --quick)")
    parser.add_argument("--customers", type=int, help=f"default {FULL.customers:,}")
    parser.add_argument("--invoices", type=int, help=f"paid invoices in {MONTH}; default {FULL.invoices:,}")
    parser.add_argument("--quick", action="store_true", help="a tenth of the full size, for trying it out")
    parser.add_argument("--profile", action="store_true",
                        help="run period_close under cProfile (profile on stderr; the times are then inflated)")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the bare aggregate")
    return parser.parse_args(argv)


def scale_of(args: argparse.Namespace) -> Scale:
    base = QUICK if args.quick else FULL
    return Scale(args.partners or base.partners, args.customers or base.customers, args.invoices or base.invoices)


def run_child(command: list[str], env: Mapping[str, str]) -> ChildRun:
    """Run a command to completion; its wall time and peak RSS (from wait4, so this child's own)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, env=dict(env), stdout=out, stderr=err)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # interrupted (SIGTERM, Ctrl-C): end the child before the database is dropped
            proc.terminate()
            proc.wait(timeout=30)
            raise
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if stderr.strip():
        sys.stderr.write(stderr)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])} … failed with exit code {proc.returncode}:\n{stdout[-2000:]}")
    return ChildRun(wall, round(usage.ru_maxrss / 1024, 1), stdout)  # ru_maxrss is in KiB on Linux


def set_up(env: Mapping[str, str], url: str, scale: Scale) -> tuple[dict[str, int], float]:
    started = time.perf_counter()
    log(f"setup: migrating a scratch database for {scale.partners:,} partners, {scale.customers:,} customers, "
        f"{scale.invoices:,} invoices")
    migrate(env)
    with _admin_connect(url) as conn:
        data = build_dataset(scale, standard_plan_id(conn))
        log(f"setup: planned the data set ({len(data.refunds):,} refunds)")
        counts = load(conn, data)
    # The lines bypass the ledger writer: rebuild the ledger-totals projection the close reads the balances
    # from, as an operator does after loading lines from elsewhere.
    run([PARCERIA, "ledger-totals", "--rebuild"], env)
    log(f"setup: ledger totals rebuilt; setup took {time.perf_counter() - started:.1f}s")
    return counts, time.perf_counter() - started


def check_seconds(env: Mapping[str, str]) -> float:
    """Django's startup and system checks, as every `parceria` command pays them: best of 2 `parceria check`."""
    return min(run_child([PARCERIA, "check"], env).wall_s for _ in range(2))


def run_close(env: Mapping[str, str], profile: bool, month: str = MONTH,
              at: str | None = None) -> tuple[ChildRun, dict[str, Any]]:
    command = [sys.executable, str(BENCH_DIR / "_close_run.py"), month, *(["--profile"] if profile else []),
               *(["--at", at] if at else [])]
    child = run_child(command, env)
    return child, orjson.loads(child.stdout.strip().splitlines()[-1])


def build_record(scale: Scale, counts: dict[str, int], close: ChildRun, inside: dict[str, Any],
                 timings: dict[str, float], problems: list[str], written: tuple[int, int]) -> dict[str, Any]:
    bare = timings["bare_aggregate_s"]
    without_startup = inside["handle_s"]  # the command's handle(): period_close, the answer, its JSON
    record: dict[str, Any] = {
        "bench": "close", "db": "postgresql", "month": MONTH, "partners": scale.partners,
        "customers": scale.customers, "invoices": scale.invoices, "ledger_lines": counts["commissions_ledgerline"],
        "events": counts["customers_event"], "close_s": round(close.wall_s, 3),
        "close_without_startup_s": round(without_startup, 3), "startup_s": round(close.wall_s - without_startup, 3),
        "django_check_s": round(timings["check_s"], 3),
        "bare_aggregate_s": round(bare, 4), "aggregate_groups": int(timings["aggregate_groups"]),
        "ratio_to_aggregate": round(without_startup / bare, 2),
        "ratio_with_startup": round(close.wall_s / bare, 2),
        "ratio_period_close_to_aggregate": round(inside["period_close_s"] / bare, 2),
        "peak_rss_mb": close.peak_rss_mb, "payouts": written[0], "carried": written[1],
        "ok": not problems, "problems": problems, "setup_s": round(timings["setup_s"], 1),
        "load_avg_1m_before": round(timings["load_avg"], 2),
        "setup": "direct COPY into the tables (not the HTTP intake), then VACUUM (ANALYZE)",
        "in_close_process": inside, "cpus": os.cpu_count(),
    }
    record["targets_met"] = {
        "close_s": record["close_s"] <= TARGETS["close_s"],
        "ratio_to_aggregate": record["ratio_to_aggregate"] <= TARGETS["ratio_to_aggregate"],
        "peak_rss_mb": record["peak_rss_mb"] <= TARGETS["peak_rss_mb"],
    }
    return record


def measure(env: Mapping[str, str], url: str, scale: Scale, args: argparse.Namespace) -> dict[str, Any]:
    counts, setup_s = set_up(env, url, scale)
    with _admin_connect(url) as conn:
        expected = expected_close(conn, PERIOD)
        bare_s, groups = time_bare_aggregate(conn, PERIOD)
        if args.explain:
            log("EXPLAIN ANALYZE of the bare aggregate:\n" + explain_bare_aggregate(conn, PERIOD))
        log(f"bare aggregate: {bare_s:.3f}s for {groups:,} partners; timing Django's startup")
        check_s = check_seconds(env)
        load_avg = os.getloadavg()[0]
        log(f"`parceria check` {check_s:.2f}s; closing {MONTH} (load average {load_avg:.2f})")
        close, inside = run_close(env, args.profile)
        log(f"close: {close.wall_s:.2f}s, peak RSS {close.peak_rss_mb} MB; checking the books")
        problems, payouts, carried = check_close(conn, PERIOD, expected)
        reasons = carried_by_reason(conn, PERIOD)
    timings = {"bare_aggregate_s": bare_s, "aggregate_groups": groups, "check_s": check_s, "setup_s": setup_s,
               "load_avg": load_avg}
    record = build_record(scale, counts, close, inside, timings, problems, (payouts, carried))
    return record | {"carried_by_reason": reasons} | ({"profiled": True} if args.profile else {})


def bench(url: str, args: argparse.Namespace) -> bool:
    return bench_in_scratch(url, "close", lambda env, scratch: measure(env, scratch, scale_of(args), args))


def bench_in_scratch(url: str, name: str, measure: Callable[[Mapping[str, str], str], dict[str, Any]]) -> bool:
    """Run `measure(env, scratch_url)` on a scratch database of the server of `url` (dropped afterwards), print its
    record and its problems; True when it found none."""
    with tempfile.TemporaryDirectory(prefix=f"parceria-bench-{name}-") as tmp, scratch_postgres(url) as scratch:
        try:
            record = measure(app_env(var_dir=Path(tmp), database_url=scratch), scratch)
        finally:
            drop_database(url, scratch)
    emit(record)
    for problem in record["problems"]:
        log(f"PROBLEM {problem}")
    return bool(record["ok"])


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks: the scratch database is dropped


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    args = parse_args(argv)
    return run_on_postgres("close", bench, args)


if __name__ == "__main__":
    sys.exit(main())
