"""Close with history benchmark: does closing month 24 of a program cost what closing month 1 did?

Target (SPEC §17): the close of a program's 24th month costs within 1.2× of the close of its first month of the
same size, measured in the same run; it reads the balances from the ledger-totals projection and the payouts
already made, never every line since the beginning.

Setup (not measured): bench/close.py's data set of one month (1,000 partners, 100,000 customers, 100,000 paid
invoices by default: its `--quick` size) is loaded by COPY for 2026-03; its ledger lines are then copied, in SQL,
into the 23 months before (same amounts, dedupe keys made unique per month), so that every month of the program
has the same size, and the ledger-totals projection is rebuilt. Then each month is closed in order, from the
first (2024-04) to the 24th (2026-03), each by `parceria close MONTH --json` in a fresh subprocess
(bench/_close_run.py) on the 5th of the month after (the clock set by time-machine), which pays what the month's
balances allow and carries the rest, as a live program does.

Measured: the time inside the command (handle(): the close and its JSON answer) of every month, and the CPU it
cost (the command's process and its PostgreSQL backend); the baseline is the first month's close in the same run,
and the ratio is month 24 ÷ month 1 of the CPU (also month 24 ÷ the median of months 1–3; the wall times are
reported beside them but move with whatever else the machine runs). The last close is checked as bench/close.py
checks its own: Σ payouts' gross + Σ carried = Σ balances before, per currency, to the cent. One JSON line on
stdout.

    make bench   # scripts/with-postgres.sh .venv/bin/python bench/close_history.py
    scripts/with-postgres.sh .venv/bin/python bench/close_history.py [--months 24] [--partners N --invoices N]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import time
from collections.abc import Mapping
from datetime import date
from typing import Any

import psycopg

from _close_data import PERIOD, Scale
from _close_sql import check_close, expected_close
from _common import log
from _database import _admin_connect, run_on_postgres
from _server import PARCERIA, run
from close import QUICK, _exit_on_sigterm, bench_in_scratch, run_close, set_up
from parceria.common.months import add_months

TARGET_RATIO = 1.2

# Every column of a ledger line but its id (a new one from the sequence) and `reverses_id` (a copied line
# reverses nothing); the dedupe key and the dates are rewritten per month.
_COPY_MONTH = """
INSERT INTO commissions_ledgerline (
    kind, rule, amount, currency, rate, base, share, fx_rate, fx_source, explanation, dedupe_key, occurred_at,
    period, created_at, created_by, customer_id, event_id, invoice_id, partner_id, plan_id)
SELECT kind, rule, amount, currency, rate, base, share, fx_rate, fx_source, explanation,
       dedupe_key || ':m-' || %(back)s, occurred_at - make_interval(months => %(back)s),
       (period - make_interval(months => %(back)s))::date, created_at, created_by, customer_id, event_id,
       invoice_id, partner_id, plan_id
FROM commissions_ledgerline WHERE period = %(period)s
"""


def months_back(last: date, count: int) -> list[date]:
    """The `count` months ending with `last`, oldest first."""
    return [add_months(last, months=-back) for back in reversed(range(count))]


def closing_time(period: date) -> str:
    """When the month is closed: the 5th of the next month, 10:00 in São Paulo, as a program closes monthly
    (so that the payouts of each close fall in their own payment month, as the withholding rules expect)."""
    return f"{add_months(period, months=1).replace(day=5).isoformat()}T10:00:00-03:00"


def copy_history(conn: psycopg.Connection[Any], months: int) -> int:
    """Copy the loaded month's lines into the `months - 1` months before it; returns the lines added."""
    added = 0
    for back in range(1, months):
        with conn.transaction():
            added += conn.execute(_COPY_MONTH, {"back": back, "period": PERIOD}).rowcount
    conn.execute("VACUUM (ANALYZE) commissions_ledgerline")
    return added


def cpu_seconds(inside: dict[str, Any]) -> float:
    """The CPU a close cost: its process's and its PostgreSQL backend's, inside the command. Unlike the wall
    time, it hardly moves when other work shares the machine."""
    return float(inside["handle_python_cpu_s"]) + float(inside["handle_db_backend_cpu_s"] or 0)


def ratio_record(months: list[date], handles: list[float], cpus: list[float]) -> dict[str, Any]:
    """The figures of the run: each month's close time and CPU, the first and last, and their ratios (the target
    is judged on the CPU; the wall time is reported beside it)."""
    ratio = cpus[-1] / cpus[0]
    return {
        "month_1": months[0].isoformat()[:7], "month_last": months[-1].isoformat()[:7], "months": len(months),
        "close_month_1_s": round(handles[0], 3), "close_month_last_s": round(handles[-1], 3),
        "ratio_last_to_first_wall": round(handles[-1] / handles[0], 2),
        "cpu_month_1_s": round(cpus[0], 3), "cpu_month_last_s": round(cpus[-1], 3),
        "ratio_last_to_first": round(ratio, 2),
        "ratio_last_to_first_three_median": round(cpus[-1] / statistics.median(cpus[:3]), 2),
        "close_s_by_month": [round(h, 3) for h in handles], "cpu_s_by_month": [round(c, 3) for c in cpus],
        "targets_met": {"ratio_last_to_first": ratio <= TARGET_RATIO},
    }


def measure(env: Mapping[str, str], url: str, scale: Scale, months: int) -> dict[str, Any]:
    counts, setup_s = set_up(env, url, scale)
    started = time.perf_counter()
    with _admin_connect(url) as conn:
        added = copy_history(conn, months)
    run([PARCERIA, "ledger-totals", "--rebuild"], env)
    log(f"setup: {added:,} lines copied into {months - 1} earlier months, totals rebuilt "
        f"({time.perf_counter() - started:.1f}s)")
    periods = months_back(date.fromisoformat(PERIOD), months)
    handles: list[float] = []
    cpus: list[float] = []
    inside_first: dict[str, Any] = {}
    load_avg = os.getloadavg()[0]
    with _admin_connect(url) as conn:
        for period in periods:
            if period.isoformat() == PERIOD:
                expected = expected_close(conn, PERIOD)
            _child, inside = run_close(env, False, period.isoformat()[:7], at=closing_time(period))
            handles.append(float(inside["handle_s"]))
            cpus.append(cpu_seconds(inside))
            inside_first = inside_first or inside
            log(f"closed {period.isoformat()[:7]}: {inside['handle_s']:.3f}s inside the command ({cpus[-1]:.3f}s CPU), "
                f"{inside['payouts']:,} payouts, {inside['carried']:,} carried")
        problems, payouts, carried = check_close(conn, PERIOD, expected)
    return {
        "bench": "close_history", "db": "postgresql", "partners": scale.partners, "customers": scale.customers,
        "invoices_per_month": scale.invoices, "ledger_lines": counts["commissions_ledgerline"] + added,
        **ratio_record(periods, handles, cpus), "payouts_last": payouts, "carried_last": carried,
        "ok": not problems, "problems": problems, "setup_s": round(setup_s + time.perf_counter() - started, 1),
        "load_avg_1m_before": round(load_avg, 2), "cpus": os.cpu_count(),
        "in_close_process_first": inside_first, "in_close_process_last": inside,
    }


def bench(url: str, args: argparse.Namespace) -> bool:
    scale = Scale(args.partners or QUICK.partners, args.customers or QUICK.customers, args.invoices or QUICK.invoices)
    return bench_in_scratch(url, "close-history", lambda env, scratch: measure(env, scratch, scale, args.months))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--months", type=int, default=24, help="months of the program, each closed in turn")
    parser.add_argument("--partners", type=int, help=f"default {QUICK.partners:,}")
    parser.add_argument("--customers", type=int, help=f"default {QUICK.customers:,}")
    parser.add_argument("--invoices", type=int, help=f"paid invoices per month; default {QUICK.invoices:,}")
    parser.add_argument("--quick", action="store_true", help="12 months instead of 24")
    args = parser.parse_args(argv)
    if args.quick:
        args.months = min(args.months, 12)
    if args.months < 2:
        parser.error("--months must be at least 2")
    return args


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    return run_on_postgres("close_history", bench, parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
