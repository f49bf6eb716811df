"""Partner portal benchmark (issue #4, "Speed"): requests/s and p50/p99 latency of the portal dashboard, the
ledger page and the balance API under the production server. Target on PostgreSQL with 1,000 partners and
1,000,000 ledger lines, gunicorn with 2 workers, 16 concurrent clients on loopback: p99 < 100 ms for the
dashboard and the ledger page; ≥ 1,000 requests/s with p99 < 50 ms for the balance API.

Setup (not measured): a scratch database in the DATABASE_URL server, migrated with `parceria migrate`, loaded
directly with COPY by the close benchmark's generator and loader (bench/_close_data.py, bench/_close_load.py:
partners, terms, customers, events, invoices, refunds, ledger lines), then VACUUM (ANALYZE). One partner
admin user and one partner API key (through the accounts services) for each sampled partner: one per client,
the largest quarter of them the active partners with the most ledger lines, the rest spread evenly over the
other active partners with lines (bench/_portal_data.py, bench/_portal_seed.py).

Measured: `parceria serve --workers 2` (debug off, a random secret key, allowed host 127.0.0.1) on a free
loopback port. Each client thread signs in as its own partner user (GET /login/, POST the form with the CSRF
token: a session cookie), keeps its own http.client connection, and requests one endpoint back to back for
`--seconds` after a warm-up: GET /portal/, GET /portal/commissions/ (the ledger page: first page, default
sort), GET /api/v1/partners/{id}/balance with the partner's key. Every answer must be 200 and the partner's
own: its name in the page's top bar and, on the ledger page, a link to its newest line first; in the API,
its balance as plain SQL sums it. Anything else counts as an error. First, in the same way, GET /healthz
(every middleware and a `SELECT 1`): the floor of the stack on this machine in this run, reported beside
each endpoint (baseline_healthz, ratio_to_healthz). The CPU used meanwhile by the client, the server
(gunicorn and its workers), PostgreSQL and everything else on the machine is read from /proc; per request,
it gives the requests/s the CPUs would allow if nothing else ran (cpu_bound_requests_per_s). Afterwards, with the server
stopped, bench/_portal_diagnose.py measures single requests in-process (SQL queries per request and their
time) for the largest and the median sampled partner; with --explain, or when a target is missed, it also
prints EXPLAIN ANALYZE of the slowest queries on stderr.

One JSON line per endpoint on stdout; progress and diagnostics on stderr. SQLite is not part of this target:
without a PostgreSQL DATABASE_URL the benchmark says so and exits 0.

    make bench   # scripts/with-postgres.sh .venv/bin/python bench/portal.py
    scripts/with-postgres.sh .venv/bin/python bench/portal.py --quick [--explain] [--profile]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from _close_data import Scale
from _close_load import drop_database
from _common import emit, log, percentile
from _cpu import CpuMeter
from _database import _admin_connect, run_on_postgres, scratch_postgres
from _portal_client import HEALTHZ, Account, Browser, Endpoint, LoadResult, endpoints, run_load, sign_in
from _portal_data import SampledPartner, invoices_for, postmaster_pid, sample_partners, set_up
from _server import app_env, run_bench_script, serve

TARGETS: dict[str, dict[str, float]] = {
    "dashboard": {"p99_ms": 100.0},
    "ledger": {"p99_ms": 100.0},
    "balance_api": {"p99_ms": 50.0, "requests_per_s": 1000.0},
}
SETUP_NOTE = ("close benchmark generator, loaded by COPY straight into the tables (not the HTTP intake), "
              "then VACUUM (ANALYZE)")


@dataclass(frozen=True)
class Size:
    partners: int
    lines: int
    customers: int
    seconds: float


FULL = Size(partners=1_000, lines=1_000_000, customers=100_000, seconds=20.0)
QUICK = Size(partners=200, lines=100_000, customers=20_000, seconds=5.0)


@dataclass(frozen=True)
class EndpointRun:
    endpoint: Endpoint
    result: LoadResult
    cpu: dict[str, float | None]
    load_avg: float


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partners", type=int, help=f"default {FULL.partners:,} ({QUICK.partners:,} with --quick)")
    parser.add_argument("--lines", type=int, help=f"ledger lines, about; default {FULL.lines:,}")
    parser.add_argument("--customers", type=int, help=f"default {FULL.customers:,}")
    parser.add_argument("--seconds", type=float, help=f"measured seconds per endpoint; default {FULL.seconds:g}")
    parser.add_argument("--warm-up", type=float, default=2.0, help="seconds of unmeasured load before each endpoint")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients, one partner user each")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--ledger-path", default="/portal/commissions/", help="the portal's ledger page")
    parser.add_argument("--quick", action="store_true", help="a tenth of the full size, 5 s per endpoint")
    parser.add_argument("--explain", action="store_true",
                        help="always print EXPLAIN ANALYZE of the slowest queries (otherwise only on a missed target)")
    parser.add_argument("--profile", action="store_true", help="cProfile one in-process request of each endpoint")
    return parser.parse_args(argv)


def size_of(args: argparse.Namespace) -> Size:
    base = QUICK if args.quick else FULL
    return Size(args.partners or base.partners, args.lines or base.lines, args.customers or base.customers,
                args.seconds or base.seconds)


def seed_accounts(env: dict[str, str], sample: list[SampledPartner]) -> list[Account]:
    out = run_bench_script("_portal_seed.py", [",".join(str(p.partner_id) for p in sample)], env)
    seeded = {a["partner_id"]: a for a in orjson.loads(out.strip().splitlines()[-1])["accounts"]}
    return [
        Account(p.partner_id, p.name, p.currency, p.lines, p.balance, p.first_line_id,
                seeded[p.partner_id]["username"], seeded[p.partner_id]["password"], seeded[p.partner_id]["api_key"])
        for p in sample
    ]


def machine_busy_seconds() -> float | None:
    """CPU seconds the whole machine has been busy (every process, /proc/stat), or None off Linux."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:9]
    except (OSError, IndexError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields)
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _with_others(cpu: dict[str, float | None], busy: float | None) -> dict[str, float | None]:
    """Adds the machine's busy CPU and what of it was neither client, server nor PostgreSQL (other work)."""
    ours = [cpu.get(k) for k in ("cpu_client_s", "cpu_server_s", "cpu_postgres_s")]
    other = busy - sum(v for v in ours if v is not None) if busy is not None else None
    return cpu | {"cpu_machine_busy_s": None if busy is None else round(busy, 2),
                  "cpu_other_processes_s": None if other is None else round(max(other, 0.0), 2)}


def _load_one(endpoint: Endpoint, browsers: list[Browser], meter: CpuMeter, size: Size,
              warm_up: float) -> EndpointRun:
    warm = run_load(endpoint, browsers, warm_up)
    if warm.errors:
        log(f"{endpoint.name}: {warm.errors} errors in the warm-up, e.g. {warm.error_samples[:2]}")
    load_avg = os.getloadavg()[0]
    busy = machine_busy_seconds()
    meter.start()
    result = run_load(endpoint, browsers, size.seconds)
    cpu = meter.stop()
    after = machine_busy_seconds()
    cpu = _with_others(cpu, after - busy if after is not None and busy is not None else None)
    log(f"{endpoint.name}: {result.requests:,} requests in {result.seconds:.1f}s = "
        f"{result.requests / result.seconds:,.0f}/s, p50 {percentile(result.latencies, 50) * 1000:.1f} ms, "
        f"p99 {percentile(result.latencies, 99) * 1000:.1f} ms, {result.errors} errors; CPU {cpu}")
    return EndpointRun(endpoint, result, cpu, load_avg)


def run_loads(env: dict[str, str], scratch: str, accounts: list[Account], args: argparse.Namespace, size: Size,
              var_dir: Path) -> list[EndpointRun]:
    database_pid = postmaster_pid(scratch)
    if database_pid is None:
        log("the PostgreSQL server's process is not visible: its CPU is not measured")
    runs: list[EndpointRun] = []
    with serve(env, workers=args.workers, log_path=var_dir / "server.log") as server:
        browsers = [Browser(server.port, account) for account in accounts]
        try:
            for browser in browsers:
                sign_in(browser)
            log(f"{len(browsers)} partner users signed in; {size.seconds:g}s per endpoint after {args.warm_up:g}s "
                "of warm-up")
            meter = CpuMeter(server.pid, database_pid)
            measured = [HEALTHZ, *endpoints(args.ledger_path)]
            runs = [_load_one(ep, browsers, meter, size, args.warm_up) for ep in measured]
        finally:
            for browser in browsers:
                browser.close()
    return runs


def targets_met(endpoint: str, figures: dict[str, float]) -> dict[str, bool]:
    met: dict[str, bool] = {}
    for name, limit in TARGETS[endpoint].items():
        met[name] = figures[name] >= limit if name == "requests_per_s" else figures[name] < limit
    return met


def diagnose(env: dict[str, str], sample: list[SampledPartner], args: argparse.Namespace,
             explain: bool) -> list[dict[str, Any]]:
    """In-process figures for the largest and the median sampled partner (plans and profiles on stderr)."""
    ranked = sorted(sample, key=lambda p: p.rank)
    chosen = [ranked[0].partner_id, ranked[len(ranked) // 2].partner_id]
    log(f"in-process diagnosis for partners {chosen}" + (" with EXPLAIN ANALYZE" if explain else ""))
    extra = ["--ledger-path", args.ledger_path, *(["--explain", "3"] if explain else []),
             *(["--profile"] if args.profile else [])]
    out = run_bench_script("_portal_diagnose.py", [",".join(map(str, dict.fromkeys(chosen))), *extra], env,
                           show_stderr=explain or args.profile)
    results: list[dict[str, Any]] = orjson.loads(out.strip().splitlines()[-1])["in_process"]
    lines = {p.partner_id: p.lines for p in sample}
    return [r | {"partner_lines": lines[r["partner_id"]]} for r in results]


def _sample_summary(sample: list[SampledPartner]) -> dict[str, Any]:
    counts = [p.lines for p in sample]
    return {"count": len(sample), "lines_min": min(counts), "lines_median": statistics.median(counts),
            "lines_max": max(counts), "ranks": sorted(p.rank for p in sample)}


def cpu_per_request(run: EndpointRun) -> dict[str, Any]:
    """CPU milliseconds per request on each side, and the requests/s those would allow if the machine's CPUs
    did nothing else (an upper bound that the other work on a shared machine does not move)."""
    per: dict[str, float | None] = {}
    for side in ("client", "server", "postgres"):
        seconds = run.cpu.get(f"cpu_{side}_s")
        per[side] = None if seconds is None else round(seconds * 1000 / max(1, run.result.requests), 2)
    known = [v for v in per.values() if v is not None]
    total = sum(known, 0.0)
    bound = round((os.cpu_count() or 1) * 1000 / total) if len(known) == len(per) and total > 0 else None
    return {"cpu_ms_per_request": per, "cpu_bound_requests_per_s": bound}


def baseline_figures(baseline: EndpointRun, requests_per_s: float) -> dict[str, Any]:
    """/healthz under the same server, clients and machine, just before: what the stack itself allows."""
    result = baseline.result
    rate = result.requests / result.seconds
    return {
        "baseline_healthz": {
            "requests_per_s": round(rate, 1), "p50_ms": round(percentile(result.latencies, 50) * 1000, 1),
            "p99_ms": round(percentile(result.latencies, 99) * 1000, 1), "errors": result.errors,
            **cpu_per_request(baseline), "cpu_other_processes_s": baseline.cpu.get("cpu_other_processes_s"),
        },
        "ratio_to_healthz": round(requests_per_s / rate, 3),
    }


def build_record(run: EndpointRun, context: dict[str, Any], in_process: list[dict[str, Any]]) -> dict[str, Any]:
    result, name = run.result, run.endpoint.name
    figures = {
        "requests_per_s": round(result.requests / result.seconds, 1),
        "p50_ms": round(percentile(result.latencies, 50) * 1000, 1),
        "p99_ms": round(percentile(result.latencies, 99) * 1000, 1),
    }
    return {
        "bench": "portal", "db": "postgresql", "endpoint": name, "path": run.endpoint.pattern,
        "partners": context["partners"], "ledger_lines": context["ledger_lines"], "clients": context["clients"],
        "workers": context["workers"], "requests": result.requests, "seconds": round(result.seconds, 2), **figures,
        "p90_ms": round(percentile(result.latencies, 90) * 1000, 1),
        "max_ms": round(max(result.latencies, default=0.0) * 1000, 1),
        "errors": result.errors, "error_samples": result.error_samples,
        "targets": TARGETS[name], "targets_met": targets_met(name, figures),
        **run.cpu, **cpu_per_request(run), "load_avg_1m_before": round(run.load_avg, 2), "cpus": os.cpu_count(),
        **baseline_figures(context["baseline"], figures["requests_per_s"]),
        "sampled_partners": context["sample"], "in_process": [r for r in in_process if r["endpoint"] == name],
        "setup": SETUP_NOTE, "setup_s": context["setup_s"],
    }


def measure(env: dict[str, str], scratch: str, args: argparse.Namespace, var_dir: Path) -> list[dict[str, Any]]:
    size = size_of(args)
    scale = Scale(partners=size.partners, customers=size.customers, invoices=invoices_for(size.lines))
    counts, setup_s = set_up(env, scratch, scale)
    with _admin_connect(scratch) as conn:
        sample = sample_partners(conn, args.clients)
    accounts = seed_accounts(env, sample)
    log(f"setup done in {setup_s:.0f}s: {counts['commissions_ledgerline']:,} ledger lines; sampled partners "
        f"(rank: lines) {[(p.rank, p.lines) for p in sample]}")
    baseline, *runs = run_loads(env, scratch, accounts, args, size, var_dir)
    context = {"partners": size.partners, "ledger_lines": counts["commissions_ledgerline"], "clients": len(accounts),
               "workers": args.workers, "sample": _sample_summary(sample), "setup_s": round(setup_s, 1),
               "baseline": baseline}
    records = [build_record(run, context, []) for run in runs]
    missed = any(not all(r["targets_met"].values()) for r in records)
    in_process = diagnose(env, sample, args, explain=missed or args.explain)
    return [build_record(run, context, in_process) for run in runs]


def bench(url: str, args: argparse.Namespace) -> bool:
    with tempfile.TemporaryDirectory(prefix="parceria-bench-portal-") as tmp, scratch_postgres(url) as scratch:
        try:
            records = measure(app_env(var_dir=Path(tmp), database_url=scratch), scratch, args, Path(tmp))
        finally:
            drop_database(url, scratch)
    for record in records:
        emit(record)
        if record["errors"]:
            log(f"PROBLEM {record['endpoint']}: {record['errors']} errors, e.g. {record['error_samples']}")
    return not any(record["errors"] for record in records)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks: server stopped, scratch database dropped


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    args = parse_args(argv)
    return run_on_postgres("portal", bench, args)


if __name__ == "__main__":
    sys.exit(main())
