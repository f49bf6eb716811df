"""Analytics benchmark: the program scorecard with every partner's benchmarks, the monthly facts they are built
on, and a partner's portal scorecard under load, on PostgreSQL with 10,000 partners, 1,000,000 customers and 24
months of paid invoices (~17 M rows). Targets: scorecard + all partner benchmarks < 5 s; the portal scorecard's
p99 < 100 ms under 16 clients. Each figure is reported beside a baseline measured in the same run.

Setup (measured and reported as `seed`, not part of any target): a scratch database in the DATABASE_URL server,
migrated with `parceria migrate`, loaded by INSERT … SELECT generate_series (bench/_analytics_seed.py: the shape of
the program, and its one shortcut), the ledger-totals projection rebuilt, then VACUUM (ANALYZE), then the analytics'
monthly roll-up built (`parceria analytics-rollup`, as after a deploy; its time is reported with the seed's steps and
as the `rollup_build` line beside the bare aggregate).

Measured, in process (bench/_analytics_time.py, `--repeats` runs each, the median reported):
* `analytics.facts.revenue_by_month` and `new_customers_by_month` over the last 12 months, beside the bare
  aggregate `SELECT partner_id, sum(amount) FROM invoices JOIN customers … GROUP BY 1` over the same 12 months;
* `analytics.scorecard.program_scorecard(period)` + `analytics.benchmarks.partner_benchmarks(period)` for the last
  month, beside the same bare aggregate (skipped, with a JSON line saying so, where they are not built).
Over HTTP (`parceria serve --workers 2`): 16 partner users (the largest partners and a spread of the others, each
signed in with its own session) request `/portal/program/` back to back for `--seconds`, after the same load on
`/healthz` (every middleware and a `SELECT 1`: the floor of the stack in this run). Every answer must be 200 and
show the partner's own name; anything else counts as an error. Skipped where `/portal/program/` does not resolve.

JSON lines on stdout; progress on stderr. PostgreSQL only: without a PostgreSQL DATABASE_URL it says so and exits 0.

    make bench   # scripts/with-postgres.sh .venv/bin/python bench/analytics_scorecard.py
    scripts/with-postgres.sh .venv/bin/python bench/analytics_scorecard.py --partners 1000 --customers 100000
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from _analytics_seed import MONTHS, Size, seed
from _close_load import drop_database
from _common import emit, log, percentile
from _database import _admin_connect, run_on_postgres, scratch_postgres
from _portal_client import HEALTHZ, Account, Browser, Endpoint, partner_banner, run_load, sign_in
from _server import PARCERIA, app_env, migrate, run, run_bench_script, serve

BENCH = "analytics_scorecard"
TARGET_SCORECARD_S = 5.0
TARGET_PORTAL_P99_MS = 100.0
PORTAL_PATH = "/portal/program/"
FULL = Size(partners=10_000, customers=1_000_000)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partners", type=int, default=FULL.partners)
    parser.add_argument("--customers", type=int, default=FULL.customers)
    parser.add_argument("--repeats", type=int, default=3, help="in-process runs of each analytic")
    parser.add_argument("--clients", type=int, default=16, help="concurrent portal clients, one partner user each")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per endpoint")
    parser.add_argument("--warm-up", type=float, default=2.0, help="seconds of unmeasured load before each endpoint")
    return parser.parse_args(argv)


def window(today: date) -> tuple[date, date]:
    """The 24 months of history: the last full month before `today` and the 23 before it (first days)."""
    serial = today.year * 12 + today.month - 2  # the previous month, counted from year 0
    last = date(serial // 12, serial % 12 + 1, 1)
    serial -= MONTHS - 1
    return date(serial // 12, serial % 12 + 1, 1), last


def _add_months(day: date, n: int) -> date:
    serial = day.year * 12 + day.month - 1 + n
    return date(serial // 12, serial % 12 + 1, 1)


def set_up(env: dict[str, str], scratch: str, size: Size, first: date) -> dict[str, Any]:
    started = time.perf_counter()
    migrate(env)
    migrated = time.perf_counter() - started
    with _admin_connect(scratch) as conn:
        loaded = seed(conn, size, first)
    rebuilt = time.perf_counter()
    run([PARCERIA, "ledger-totals", "--rebuild"], env, timeout=1800)
    loaded["steps_s"]["ledger totals rebuild"] = round(time.perf_counter() - rebuilt, 1)
    built = time.perf_counter()
    run([PARCERIA, "analytics-rollup"], env, timeout=3600)
    loaded["steps_s"]["analytics roll-up build"] = round(time.perf_counter() - built, 1)
    seconds = time.perf_counter() - started
    log(f"setup done in {seconds:.0f}s (migrate {migrated:.0f}s): {loaded['rows']}")
    return {"seconds": round(seconds, 1), "migrate_s": round(migrated, 1), **loaded}


def in_process(env: dict[str, str], first: date, last: date, repeats: int) -> list[dict[str, Any]]:
    twelve = _add_months(last, -11)
    out = run_bench_script("_analytics_time.py", [twelve.isoformat(), last.isoformat(), f"{last:%Y-%m}",
                                                  "--repeats", str(repeats)], env)
    timings: list[dict[str, Any]] = orjson.loads(out.strip().splitlines()[-1])["timings"]
    for t in timings:
        log(f"{t['name']}: {t.get('seconds', t.get('skipped') or t.get('error'))}")
    return timings


def portal_resolves(env: dict[str, str]) -> bool:
    code = ("from django.urls import Resolver404, resolve\n"
            f"try:\n    resolve({PORTAL_PATH!r})\nexcept Resolver404:\n    print('missing')\nelse:\n    print('ok')")
    return run([PARCERIA, "shell", "-c", code], env).strip().endswith("ok")


def _sample(scratch: str, wanted: int) -> list[tuple[int, str, int]]:
    """(id, name, customers) of `wanted` active partners: the largest quarter, then a spread of the rest."""
    with _admin_connect(scratch) as conn:
        rows = conn.execute(
            "SELECT p.id, p.name, count(c.id) FROM partners_partner p JOIN customers_customer c ON c.partner_id = p.id "
            "WHERE p.status = 'active' GROUP BY p.id, p.name ORDER BY 3 DESC, 1").fetchall()
    top = max(1, wanted // 4)
    rest = [rows[top + round(j * (len(rows) - 1 - top) / max(1, wanted - top - 1))] for j in range(wanted - top)]
    return [(int(r[0]), str(r[1]), int(r[2])) for r in [*rows[:top], *rest]]


def _check_scorecard(account: Account, body: bytes) -> str | None:
    return None if partner_banner(account) in body else f"{PORTAL_PATH} of partner {account.partner_id} " \
                                                         "does not show its name"


def _figures(latencies: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(latencies, 50) * 1000, 1), "p99_ms": round(percentile(latencies, 99) * 1000, 1),
            "max_ms": round(max(latencies, default=0.0) * 1000, 1)}


def portal_load(env: dict[str, str], scratch: str, args: argparse.Namespace, var_dir: Path) -> dict[str, Any]:
    sample = _sample(scratch, args.clients)
    out = run_bench_script("_portal_seed.py", [",".join(str(p) for p, _, _ in sample)], env)
    seeded = {a["partner_id"]: a for a in orjson.loads(out.strip().splitlines()[-1])["accounts"]}
    accounts = [Account(pid, name, "BRL", 0, Decimal(0), 0, seeded[pid]["username"], seeded[pid]["password"],
                        seeded[pid]["api_key"]) for pid, name, _ in sample]
    endpoint = Endpoint("portal_scorecard", PORTAL_PATH, _check_scorecard)
    with serve(env, workers=args.workers, log_path=var_dir / "server.log") as server:
        browsers = [Browser(server.port, account) for account in accounts]
        try:
            for browser in browsers:
                sign_in(browser)
            results = {}
            for ep in (HEALTHZ, endpoint):
                run_load(ep, browsers, args.warm_up)
                results[ep.name] = run_load(ep, browsers, args.seconds)
                r = results[ep.name]
                log(f"{ep.name}: {r.requests:,} requests in {r.seconds:.1f}s, {_figures(r.latencies)}, "
                    f"{r.errors} errors")
        finally:
            for browser in browsers:
                browser.close()
    page, healthz = results["portal_scorecard"], results["healthz"]
    figures, base = _figures(page.latencies), _figures(healthz.latencies)
    return {
        "name": "portal_scorecard", "path": PORTAL_PATH, "clients": len(accounts), "workers": args.workers,
        "requests": page.requests, "requests_per_s": round(page.requests / page.seconds, 1), **figures,
        "errors": page.errors, "error_samples": page.error_samples,
        "target_p99_ms": TARGET_PORTAL_P99_MS, "target_met": figures["p99_ms"] < TARGET_PORTAL_P99_MS,
        "baseline_healthz": {**base, "requests_per_s": round(healthz.requests / healthz.seconds, 1),
                             "errors": healthz.errors},
        "ratio_p99_to_healthz": round(figures["p99_ms"] / base["p99_ms"], 2) if base["p99_ms"] else None,
        "sampled_partner_customers": sorted(n for _, _, n in sample),
    }


def records(timings: list[dict[str, Any]], context: dict[str, Any]) -> list[dict[str, Any]]:
    """One JSON line per analytic, each beside the bare aggregate of the same run."""
    baseline = next(t for t in timings if t["name"] == "baseline_bare_aggregate")
    base_s = baseline["median_s"]
    out = []
    for t in timings:
        if t["name"] == "baseline_bare_aggregate":
            continue
        record = {"bench": BENCH, "db": "postgresql", **context, **t,
                  "baseline_bare_aggregate_s": base_s, "baseline_months": baseline["months"]}
        if "median_s" in t:
            record["ratio_to_baseline"] = round(t["median_s"] / base_s, 2) if base_s else None
        if t["name"] == "program_scorecard+partner_benchmarks" and "median_s" in t:
            record |= {"target_s": TARGET_SCORECARD_S, "target_met": t["median_s"] < TARGET_SCORECARD_S}
        out.append(record)
    return out


def measure(url: str, args: argparse.Namespace, tmp: Path) -> list[dict[str, Any]]:
    size = Size(args.partners, args.customers)
    first, last = window(date.today())
    with scratch_postgres(url) as scratch:
        try:
            env = app_env(var_dir=tmp, database_url=scratch)
            setup = set_up(env, scratch, size, first)
            context = {"partners": size.partners, "customers": size.customers,
                       "invoices": setup["rows"]["customers_invoice"], "months": MONTHS,
                       "window": f"{first:%Y-%m}..{last:%Y-%m}"}
            lines = [{"bench": BENCH, "db": "postgresql", "name": "seed", **context, "seed_s": setup["seconds"],
                      "migrate_s": setup["migrate_s"], "steps_s": setup["steps_s"], "rows": setup["rows"]}]
            measured = records(in_process(env, first, last, args.repeats), context)
            base = measured[0]["baseline_bare_aggregate_s"] if measured else None
            build = setup["steps_s"]["analytics roll-up build"]
            lines.append({"bench": BENCH, "db": "postgresql", "name": "rollup_build", **context, "months": MONTHS,
                          "seconds": build, "baseline_bare_aggregate_s": base,
                          "ratio_to_baseline": round(build / base, 2) if base else None,
                          "note": "every month of the history built once, with `parceria analytics-rollup` (start-up "
                                  "included); the baseline aggregates 12 months"})
            lines += measured
            if not portal_resolves(env):
                lines.append({"bench": BENCH, "db": "postgresql", "name": "portal_scorecard", "path": PORTAL_PATH,
                              "skipped": "not built on this branch"})
            else:
                run([PARCERIA, "shell", "-c", "import sys; from parceria.site.staticfiles import collect_if_changed; "
                                              "collect_if_changed(sys.stdout)"], env, timeout=900)
                lines.append({"bench": BENCH, "db": "postgresql", **context, **portal_load(env, scratch, args, tmp)})
        finally:
            drop_database(url, scratch)
    return lines


def bench(url: str, args: argparse.Namespace) -> bool:
    with tempfile.TemporaryDirectory(prefix="parceria-bench-analytics-") as tmp:
        lines = measure(url, args, Path(tmp))
    for line in lines:
        emit(line)
    return not any(line.get("errors") or line.get("error") for line in lines)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks: server stopped, scratch database dropped


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    return run_on_postgres(BENCH, bench, parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
