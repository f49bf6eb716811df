"""Soak test: a long mixed load against one production server, to see that nothing fails and that no server
process grows over time. `make soak` runs it for 10 minutes on a throwaway PostgreSQL cluster; it is not one of
the benchmarks `make bench` runs (the name starts with "_").

Setup (not measured): a scratch database in the DATABASE_URL server, migrated, loaded by COPY with the close
benchmark's data set (partners with payout methods, customers, one month, 2026-03, of paid invoices and their
ledger lines: bench/_portal_data.py), then the intake benchmark's partners and customers (bench/_seed.py), one
partner user and partner API key for each sampled partner (bench/_portal_seed.py, as the portal benchmark does)
and two platform API keys (intake, reads).

Measured, all at once against one `parceria serve --workers 2` (gunicorn) on loopback for --minutes:
  portal   --portal-clients partner users, each signed in through the sign-in form (and again every
           --relogin-every rounds, with fresh cookies), requesting back to back the dashboard, the ledger page,
           the payouts page with its list of monthly statements, and every --statement-every rounds the
           2026-03 statement (CSV) that list links to;
  intake   --intake-threads threads POSTing batches of --batch-events events (bench/_workload.py: paid invoices,
           usage through integration partners, 5 % re-sent duplicates) with a platform key, freshly generated
           all along, at --intake-rate events/s at most (0: as fast as they are answered);
  api      --api-clients clients reading a partner's balance with its partner key and the partner list with
           a platform key, in turn;
  close    at half time, `parceria close 2026-03` in a subprocess (bench/_close_run.py); it must succeed.
Every answer is checked: status 200 (sign-in: 302 to the portal) and the partner's own page or balance (the
balance as plain SQL summed it before the run, or after the close what the close left: the sub-cent remainder of
a payout); anything else, or no answer, is an error. Afterwards: the events stored grew by exactly the events
accepted, every sent event was accepted or counted a duplicate and none rejected, the close's batch is there
with its payouts, and the ledger up to 2026-03 sums to the balances it carried.

Memory (bench/_soak_stats.py): VmRSS and RssAnon of the gunicorn master, of each worker, and of the PostgreSQL
server (postmaster and children summed) every --sample-every seconds; growth from the median of the run's second
third to that of its last third (samples in the first --warm-up seconds left out) must stay under --growth-limit %:
of VmRSS for gunicorn, of the private memory (RssAnon) for PostgreSQL, whose VmRSS counts shared_buffers once
per process (both growths are reported). A third needs 5 samples: a run shorter than 2.5 minutes (--quick) reports
the memory without judging it.

One JSON line per kind, one per process (its memory over time) and a summary with "ok"; error samples and
progress on stderr. Exits 1 when there were errors, a check failed or a process grew past the limit.

    make soak                       # scripts/with-postgres.sh .venv/bin/python bench/_soak.py
    make soak SOAK_ARGS=--quick     # 1 minute, small data set
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

import orjson
import psycopg

from _client import PostResult, post_batches
from _close_data import MONTH, PERIOD, Scale
from _close_load import drop_database
from _close_sql import batch_id, carried_by_reason, written_by_currency
from _common import emit, log, run_threads
from _cpu import CpuMeter, tree_cpu_seconds
from _database import _admin_connect, run_on_postgres, scratch_postgres
from _portal_client import (
    MAX_ERROR_SAMPLES,
    Account,
    Browser,
    Check,
    Endpoint,
    _one,
    _ThreadTally,
    check_dashboard,
    partner_banner,
    sign_in,
)
from _portal_data import postmaster_pid, sample_partners, set_up
from _server import app_env, create_api_key, run_bench_script, serve
from _soak_stats import MIN_SAMPLES, Probe, RssSampler, Tally, deltas, figures, merged, rss_record
from _workload import Mix, build_workload
from portal import _with_others, machine_busy_seconds, seed_accounts

PARTNERS_PAGE = 100  # the partner list's page size requested by the API clients


@dataclass(frozen=True)
class Size:
    partners: int  # the close data set's partners (portal users are sampled among them)
    customers: int
    invoices: int  # paid in 2026-03, with their ledger lines
    intake_partners: int  # bench/_seed.py's partners (the intake's referrers and integration partners)
    integration_partners: int
    intake_customers: int
    minutes: float


FULL = Size(partners=1_000, customers=100_000, invoices=300_000, intake_partners=100, integration_partners=10,
            intake_customers=20_000, minutes=10.0)
QUICK = Size(partners=200, customers=20_000, invoices=20_000, intake_partners=20, integration_partners=4,
             intake_customers=2_000, minutes=1.0)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, help=f"length of the load (default {FULL.minutes:g}, "
                                                      f"{QUICK.minutes:g} with --quick)")
    parser.add_argument("--quick", action="store_true", help="1 minute on a small data set, for trying it out")
    parser.add_argument("--partners", type=int, help=f"default {FULL.partners:,} ({QUICK.partners:,} with --quick)")
    parser.add_argument("--customers", type=int, help=f"default {FULL.customers:,}")
    parser.add_argument("--invoices", type=int, help=f"paid invoices of {MONTH} loaded; default {FULL.invoices:,}")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--portal-clients", type=int, default=4, help="partner users browsing the portal")
    parser.add_argument("--api-clients", type=int, default=2, help="clients reading the API")
    parser.add_argument("--intake-threads", type=int, default=2, help="threads posting events")
    parser.add_argument("--batch-events", type=int, default=200, help="events per POST (default 200)")
    parser.add_argument("--intake-rate", type=float, default=1000.0,
                        help="events/s at most, all intake threads together (default 1,000; 0: no limit)")
    parser.add_argument("--relogin-every", type=int, default=25, help="portal rounds between sign-ins")
    parser.add_argument("--statement-every", type=int, default=10, help="portal rounds between statement downloads")
    parser.add_argument("--sample-every", type=float, default=10.0, help="seconds between memory samples")
    parser.add_argument("--warm-up", type=float, default=60.0, help="seconds of memory samples left out")
    parser.add_argument("--growth-limit", type=float, default=10.0, help="memory growth allowed, in %%")
    return parser.parse_args(argv)


def size_of(args: argparse.Namespace) -> Size:
    base = QUICK if args.quick else FULL
    return replace(base, partners=args.partners or base.partners, customers=args.customers or base.customers,
                   invoices=args.invoices or base.invoices, minutes=args.minutes or base.minutes)


# --- setup -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    portal: list[Account]
    api: list[Account]
    intake_key: str
    reads_key: str
    referrers: list[int]
    integrators: list[int]
    partners: int  # every partner, as the partner list counts them
    events: int  # stored before the run
    ledger_lines: int
    seconds: float


def _count(conn: psycopg.Connection[Any], table: str) -> int:
    row = conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()
    return int(row[0]) if row else 0


def prepare(env: dict[str, str], scratch: str, size: Size, args: argparse.Namespace) -> Setup:
    started = time.perf_counter()
    counts, _ = set_up(env, scratch, Scale(partners=size.partners, customers=size.customers, invoices=size.invoices))
    log(f"setup: {size.intake_partners} intake partners ({size.integration_partners} integration), "
        f"{size.intake_customers:,} intake customers")
    out = run_bench_script("_seed.py", ["--partners", str(size.intake_partners), "--integration",
                                        str(size.integration_partners), "--customers", str(size.intake_customers)], env)
    ids = orjson.loads(out.strip().splitlines()[-1])
    with _admin_connect(scratch) as conn:
        sample = sample_partners(conn, args.portal_clients + args.api_clients)
        partners, events = _count(conn, "partners_partner"), _count(conn, "customers_event")
    accounts = seed_accounts(env, sample)
    intake_key = create_api_key(env, scope="platform", name="soak intake")
    reads_key = create_api_key(env, scope="platform", name="soak reads")
    return Setup(accounts[: args.portal_clients], accounts[args.portal_clients :], intake_key, reads_key,
                 ids["referrers"], ids["integrators"], partners, events, counts["commissions_ledgerline"],
                 time.perf_counter() - started)


# --- what the clients request and how each answer is checked ------------------------------------------------------


_LEDGER_LINE_LINK = re.compile(rb'href="/portal/commissions/\d+/"')
STATEMENT_CSV = f"/portal/statements/{MONTH}.csv"


def check_ledger(account: Account, body: bytes) -> str | None:
    """The partner's ledger page with lines (which line comes first changes: the close adds its payout lines)."""
    if partner_banner(account) not in body:
        return f"ledger page of partner {account.partner_id} does not show its name"
    if _LEDGER_LINE_LINK.search(body) is None:
        return f"ledger page of partner {account.partner_id} lists no line"
    return None


def check_payouts(account: Account, body: bytes) -> str | None:
    """The payouts page with its list of monthly statements, which links the month's statement."""
    if partner_banner(account) not in body:
        return f"payouts page of partner {account.partner_id} does not show its name"
    if b'id="statements"' not in body or f'href="{STATEMENT_CSV}"'.encode() not in body:
        return f"payouts page of partner {account.partner_id} does not list the {MONTH} statement"
    return None


def check_statement(account: Account, body: bytes) -> str | None:
    return None if b"date,kind,rule," in body[:200] else \
        f"{MONTH} statement of partner {account.partner_id} is not the CSV expected: {body[:120]!r}"


def balances_allowed(balance: Decimal) -> tuple[Decimal, Decimal]:
    """The balance before the close, and after it when it was paid: what is left below the cent."""
    return balance, balance - balance.quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def check_balance(account: Account, body: bytes) -> str | None:
    try:
        first = orjson.loads(body)["balances"][0]  # the payout currency's balance comes first
        balance, currency = Decimal(first["balance"]), first["currency"]
    except (orjson.JSONDecodeError, KeyError, IndexError, TypeError, ArithmeticError):
        return f"balance of partner {account.partner_id}: not the expected JSON: {body[:200]!r}"
    if currency != account.currency or balance not in balances_allowed(account.balance):
        return f"balance of partner {account.partner_id}: {balance} {currency}, expected one of " \
               f"{balances_allowed(account.balance)} {account.currency}"
    return None


def partner_list_check(total: int) -> Check:
    def check(account: Account, body: bytes) -> str | None:
        try:
            page = orjson.loads(body)
            count, items = page["count"], page["items"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return f"partner list: not the expected JSON: {body[:200]!r}"
        if count != total or len(items) != min(PARTNERS_PAGE, total):
            return f"partner list: count {count} with {len(items)} items, expected {total}"
        return None

    return check


DASHBOARD = Endpoint("dashboard", "/portal/", check_dashboard)
LEDGER = Endpoint("ledger", "/portal/commissions/", check_ledger)
PAYOUTS = Endpoint("payouts", "/portal/payouts/", check_payouts)
STATEMENT = Endpoint("statement_csv", STATEMENT_CSV, check_statement)
BALANCE = Endpoint("balance_api", "/api/v1/partners/{id}/balance", check_balance, api=True)


def partner_list(total: int) -> Endpoint:
    return Endpoint("partner_list_api", f"/api/v1/partners?limit={PARTNERS_PAGE}", partner_list_check(total),
                    api=True)


# --- the load --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    start: float  # perf_counter
    seconds: float
    window_s: float  # the per-window figures' length

    @property
    def deadline(self) -> float:
        return self.start + self.seconds

    def window(self, now: float) -> int:
        return int((now - self.start) // self.window_s)

    def window_end(self, window: int) -> float:
        return min(self.deadline, self.start + (window + 1) * self.window_s)


@dataclass(frozen=True)
class Step:
    endpoint: Endpoint
    browser: Browser
    every: int = 1  # in every n-th round only


Tallies = dict[tuple[int, str], _ThreadTally]  # (window, endpoint name) → what one client saw


def _timed_sign_in(browser: Browser, tally: _ThreadTally) -> None:
    """Sign in again with fresh cookies, through the form, as one measured request (two HTTP exchanges)."""
    browser.cookies.clear()
    started = time.perf_counter()
    try:
        sign_in(browser)
    except (RuntimeError, OSError, http.client.HTTPException) as exc:
        browser.reset()
        tally.error_count += 1
        tally.transport_failures += 1
        if len(tally.errors) < MAX_ERROR_SAMPLES:
            tally.errors.append(f"sign-in: {type(exc).__name__}: {exc}"[:400])
        return
    tally.latencies.append(time.perf_counter() - started)


def drive(steps: list[Step], clock: Clock, tallies: Tallies, relogin: Browser | None, relogin_every: int) -> None:
    """One client: the steps in turn, round after round, until the deadline."""
    rounds = 0
    while time.perf_counter() < clock.deadline:
        for step in steps:
            now = time.perf_counter()
            if now >= clock.deadline:
                return
            if rounds % step.every == 0:
                _one(step.endpoint, step.browser, tallies.setdefault((clock.window(now), step.endpoint.name),
                                                                     _ThreadTally()))
        rounds += 1
        if relogin is not None and relogin_every and rounds % relogin_every == 0:
            now = time.perf_counter()
            if now < clock.deadline:
                _timed_sign_in(relogin, tallies.setdefault((clock.window(now), "sign_in"), _ThreadTally()))


class EventStream:
    """Fresh events for the whole run, generated in chunks by bench/_workload.py (each chunk with its own id
    prefix and random seed; its re-sent duplicates come from its own earlier batches), at `rate` events/s at most.
    Iterated from under the poster's lock, so the pacing holds for all its threads together."""

    def __init__(self, customers: int, integrators: list[int], batch_events: int, rate: float, threads: int) -> None:
        self.mix = Mix(customers=customers, integrators=integrators, batch_size=batch_events, dup_lag=2 * threads)
        self.rate = rate
        self.chunks = 0
        self.pending: list[tuple[bytes, int]] = []  # (body, events in it), next first
        self.events_sent = 0
        self.next_at = 0.0

    def _refill(self) -> None:
        self.chunks += 1
        mix = replace(self.mix, prefix=f"soak{self.chunks}", seed=self.mix.seed + self.chunks)
        workload = build_workload(mix, 50 * mix.batch_size)
        self.pending = [(body, len(batch)) for body, batch in zip(workload.bodies, workload.batches, strict=True)]
        self.pending.reverse()

    def bodies(self, until: float) -> Iterator[bytes]:
        """The next bodies, until `until` (perf_counter)."""
        while True:
            if not self.pending:
                self._refill()
            now = time.perf_counter()
            if self.rate > 0 and self.next_at > now:
                time.sleep(max(0.0, min(self.next_at, until) - now))
                now = time.perf_counter()
            if now >= until:
                return
            body, events = self.pending.pop()
            self.events_sent += events
            if self.rate > 0:
                self.next_at = max(self.next_at, now) + events / self.rate
            yield body


def post_events(port: int, api_key: str, stream: EventStream, clock: Clock, threads: int,
                results: list[tuple[int, PostResult]]) -> None:
    """The intake, one post_batches per window (so that each window has its own figures)."""
    while (now := time.perf_counter()) < clock.deadline:
        window = clock.window(now)
        results.append((window, post_batches(port, api_key, stream.bodies(clock.window_end(window)),
                                             threads=threads)))


@dataclass
class CloseRun:
    at_s: float = 0.0  # when it started, seconds into the run
    seconds: float = 0.0
    answer: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def close_at(env: dict[str, str], clock: Clock, outcome: CloseRun) -> None:
    """At half time, `parceria close` of the month in a subprocess (bench/_close_run.py)."""
    time.sleep(max(0.0, clock.start + clock.seconds / 2 - time.perf_counter()))
    started = time.perf_counter()
    outcome.at_s = started - clock.start
    log(f"closing {MONTH} ({outcome.at_s:.0f}s into the run)")
    try:
        out = run_bench_script("_close_run.py", [MONTH], env)
        outcome.answer = orjson.loads(out.strip().splitlines()[-1])
    except Exception as exc:  # the run goes on; the close is reported as failed
        outcome.error = f"{type(exc).__name__}: {exc}"[:2000]
    outcome.seconds = time.perf_counter() - started
    log(f"close: {'failed: ' + outcome.error if outcome.error else 'done'} in {outcome.seconds:.1f}s")


@dataclass
class Run:
    clock: Clock
    portal: list[Tallies]
    api: list[Tallies]
    intake: list[tuple[int, PostResult]]
    stream: EventStream
    close: CloseRun
    sampler: RssSampler
    cpu: dict[str, float | None]
    load_avg_before: float
    load_avg_after: float


def run_load(env: dict[str, str], setup: Setup, scratch: str, size: Size, args: argparse.Namespace,
             var_dir: Path) -> Run:
    database_pid = postmaster_pid(scratch)
    if database_pid is None:
        log("the PostgreSQL server's processes are not visible: its memory is not sampled")
    with serve(env, workers=args.workers, log_path=var_dir / "server.log") as server:
        portal = [Browser(server.port, account) for account in setup.portal]
        api = [Browser(server.port, account) for account in setup.api]
        admin = [Browser(server.port, replace(account, api_key=setup.reads_key)) for account in setup.api]
        browsers = portal + api + admin
        try:
            for browser in portal:
                sign_in(browser)
            return _measure(env, server.port, server.pid, database_pid, setup, size, args, portal, api, admin)
        finally:
            for browser in browsers:
                browser.close()


def _measure(env: dict[str, str], port: int, server_pid: int, database_pid: int | None, setup: Setup, size: Size,
             args: argparse.Namespace, portal: list[Browser], api: list[Browser], admin: list[Browser]) -> Run:
    seconds = size.minutes * 60
    clock = Clock(time.perf_counter() + 0.1, seconds, 60.0 if seconds >= 180 else 10.0)
    stream = EventStream(size.intake_customers, setup.integrators, args.batch_events, args.intake_rate,
                         args.intake_threads)
    listing = partner_list(setup.partners)
    portal_tallies: list[Tallies] = [{} for _ in portal]
    api_tallies: list[Tallies] = [{} for _ in api]
    intake: list[tuple[int, PostResult]] = []
    close = CloseRun()
    threads = [
        *(threading.Thread(target=drive, name=f"portal-{i}", daemon=True, args=(
            [Step(DASHBOARD, b), Step(LEDGER, b), Step(PAYOUTS, b), Step(STATEMENT, b, args.statement_every)],
            clock, portal_tallies[i], b, args.relogin_every)) for i, b in enumerate(portal)),
        *(threading.Thread(target=drive, name=f"api-{i}", daemon=True, args=(
            [Step(BALANCE, b), Step(listing, admin[i])], clock, api_tallies[i], None, 0)) for i, b in enumerate(api)),
        threading.Thread(target=post_events, name="intake", daemon=True,
                         args=(port, setup.intake_key, stream, clock, args.intake_threads, intake)),
        threading.Thread(target=close_at, name="close", daemon=True, args=(env, clock, close)),
    ]
    load_avg = os.getloadavg()[0]
    log(f"load average {load_avg:.2f}; {size.minutes:g} min of load: {len(portal)} portal users, {len(api)} API "
        f"clients, {args.intake_threads} intake threads ({args.batch_events} events per POST, at most "
        f"{args.intake_rate:g} events/s), the close of {MONTH} at half time")
    probes: dict[str, Probe] = {
        "server": lambda: tree_cpu_seconds(server_pid), "client": time.process_time,
        "postgresql": lambda: tree_cpu_seconds(database_pid) if database_pid else None,
        "machine": machine_busy_seconds,
    }
    sampler = RssSampler(server_pid, database_pid, args.sample_every, probes)
    meter = CpuMeter(server_pid, database_pid)
    busy = machine_busy_seconds()
    time.sleep(max(0.0, clock.start - time.perf_counter()))
    sampler.start()
    meter.start()
    run_threads(threads)
    cpu = meter.stop()
    sampler.stop()
    after = machine_busy_seconds()
    cpu = _with_others(cpu, after - busy if after is not None and busy is not None else None)
    return Run(clock, portal_tallies, api_tallies, intake, stream, close, sampler, cpu, load_avg, os.getloadavg()[0])


# --- results ---------------------------------------------------------------------------------------------------------


def from_thread(tally: _ThreadTally) -> Tally:
    return Tally(len(tally.latencies) + tally.transport_failures, tally.error_count, list(tally.latencies),
                 list(tally.errors))


def from_post(result: PostResult) -> Tally:
    return Tally(result.requests, len(result.errors), list(result.latencies), result.errors[:MAX_ERROR_SAMPLES])


def kind_record(kind: str, by_window: dict[tuple[int, str], Tally], clock: Clock) -> dict[str, Any]:
    """One kind's figures over the run, per endpoint, and per window (to see a drift over time)."""
    names = sorted({name for _, name in by_window})
    windows = sorted({w for w, _ in by_window})
    total = merged(by_window.values())
    per_window = []
    for w in windows:
        tally = merged(t for (tw, _), t in by_window.items() if tw == w)
        seconds = min(clock.window_s, clock.seconds - w * clock.window_s)
        per_window.append({"from_s": round(w * clock.window_s), **{
            k: v for k, v in figures(tally, seconds).items() if k in ("requests", "p50_ms", "p99_ms", "errors")}})
    return {
        "bench": "soak", "kind": kind, "seconds": round(clock.seconds, 1), **figures(total, clock.seconds),
        "error_samples": total.error_samples,
        "endpoints": {name: figures(merged(t for (_, n), t in by_window.items() if n == name), clock.seconds)
                      for name in names},
        "window_s": clock.window_s, "per_window": per_window,
    }


def gather(clients: list[Tallies]) -> dict[tuple[int, str], Tally]:
    gathered: dict[tuple[int, str], Tally] = {}
    for tallies in clients:
        for key, tally in tallies.items():
            gathered.setdefault(key, Tally()).merge(from_thread(tally))
    return gathered


def intake_record(run: Run, events_stored: int, setup: Setup) -> tuple[dict[str, Any], list[str]]:
    by_window: dict[tuple[int, str], Tally] = {}
    for window, result in run.intake:
        by_window.setdefault((window, "events"), Tally()).merge(from_post(result))
    record = kind_record("intake", by_window, run.clock)
    accepted = sum(r.accepted for _, r in run.intake)
    duplicates = sum(r.duplicates for _, r in run.intake)
    rejected = sum(r.rejected for _, r in run.intake)
    stored = events_stored - setup.events
    problems = []
    if rejected:
        samples = [s for _, r in run.intake for s in r.rejection_samples][:MAX_ERROR_SAMPLES]
        problems.append(f"intake: {rejected} events rejected, e.g. {samples}")
    if not record["errors"] and accepted + duplicates != run.stream.events_sent:
        problems.append(f"intake: {run.stream.events_sent} events sent, {accepted} accepted + {duplicates} duplicates")
    if stored != accepted:
        problems.append(f"intake: {accepted} events accepted, but the events stored grew by {stored}")
    record |= {
        "events_sent": run.stream.events_sent, "accepted": accepted, "duplicates": duplicates, "rejected": rejected,
        "events_per_s": round((accepted + duplicates) / run.clock.seconds, 1), "events_stored_growth": stored,
        "batch_events": run.stream.mix.batch_size, "ok": not problems and not record["errors"], "problems": problems,
    }
    return record, problems


def close_record(conn: psycopg.Connection[Any], close: CloseRun) -> tuple[dict[str, Any], list[str]]:
    """The close succeeded, its batch is there with its payouts, and the ledger up to the month sums to what it
    carried (nothing landed in the closed month afterwards)."""
    problems = [f"close: {close.error}"] if close.error else []
    batch = batch_id(conn, PERIOD)
    answer = close.answer
    written: dict[str, tuple[Any, ...]] = {}
    if batch is None:
        problems.append(f"close: no payout batch for {MONTH} afterwards")
    else:
        written = written_by_currency(conn, batch, PERIOD)
        if answer and answer.get("batch_id") != batch:
            problems.append(f"close: answered batch {answer.get('batch_id')}, the database holds batch {batch}")
        payouts = sum(int(w[0]) for w in written.values())
        if answer and payouts != answer.get("payouts"):
            problems.append(f"close: answered {answer.get('payouts')} payouts, the batch holds {payouts}")
        problems += [f"close: {currency} ledger up to {MONTH} sums to {w[4]}, the close carried {w[3]}"
                     for currency, w in written.items() if w[4] != w[3]]
    record = {
        "bench": "soak", "kind": "close", "month": MONTH, "at_s": round(close.at_s, 1),
        "seconds": round(close.seconds, 2), "batch_id": batch, "payouts": answer.get("payouts"),
        "carried": answer.get("carried"), "carried_by_reason": carried_by_reason(conn, PERIOD),
        "gross_by_currency": {c: str(w[1]) for c, w in written.items()},
        "handle_s": answer.get("handle_s"), "peak_rss_mb": answer.get("peak_rss_mb"),
        "warnings": answer.get("warnings"), "errors": 1 if close.error else 0, "ok": not problems,
        "problems": problems,
    }
    return record, problems


def memory_problem(record: dict[str, Any], limit_pct: float) -> str:
    prefix = "" if record["judged"] == "VmRSS" else "anon_"
    return (f"memory: {record['process']} {record['pid']} grew {record[prefix + 'growth_pct']} % "
            f"({record['judged']}, limit {limit_pct:g} %): {record[prefix + 'second_third_median_mb']} → "
            f"{record[prefix + 'last_third_median_mb']} MB")


def rss_records(run: Run, args: argparse.Namespace) -> tuple[list[dict[str, Any]], list[str]]:
    warm_up = min(args.warm_up, run.clock.seconds / 3)
    records = [
        {"bench": "soak", "kind": "rss", **rss_record(series, duration_s=run.clock.seconds, warm_up_s=warm_up,
                                                      limit_pct=args.growth_limit)}
        for series in run.sampler.series.values()
    ]
    problems = [memory_problem(r, args.growth_limit) for r in records if r["ok"] is False]
    if all(r["ok"] is None for r in records):
        log(f"memory not judged: a run of {run.clock.seconds:g}s leaves fewer than {MIN_SAMPLES} samples in a third "
            f"(one every {args.sample_every:g}s)")
    workers = [r for r in records if r["process"] == "gunicorn worker"]
    if len(workers) > args.workers:
        problems.append(f"gunicorn: {len(workers)} workers over the run for {args.workers} (one was replaced): "
                        f"{[(r['pid'], r['t_s'][0], r['t_s'][-1]) for r in workers]}")
    return records, problems


def cpu_record(sampler: RssSampler) -> dict[str, Any]:
    """CPU seconds used in each sampling interval by the server (gunicorn), PostgreSQL, this client and everything
    else on the machine (the close's subprocess included): whether a slower stretch was ours or the machine's."""
    used = {name: deltas(values) for name, values in sampler.readings.items()}
    ours = zip(used["server"], used["postgresql"], used["client"], strict=True)
    other = [None if m is None or None in parts else round(max(0.0, m - sum(p for p in parts if p is not None)), 2)
             for m, parts in zip(used["machine"], ours, strict=True)]
    return {"bench": "soak", "kind": "cpu", "t_s": sampler.ticks[1:], "cpu_server_s": used["server"],
            "cpu_postgres_s": used["postgresql"], "cpu_client_s": used["client"], "cpu_other_processes_s": other}


def report(run: Run, setup: Setup, size: Size, args: argparse.Namespace, scratch: str) -> bool:
    portal = kind_record("portal", gather(run.portal), run.clock)
    api = kind_record("api", gather(run.api), run.clock)
    with _admin_connect(scratch) as conn:
        intake, intake_problems = intake_record(run, _count(conn, "customers_event"), setup)
        close, close_problems = close_record(conn, run.close)
        ledger_lines = _count(conn, "commissions_ledgerline")
    rss, rss_problems = rss_records(run, args)
    problems = [f"{r['kind']}: {r['errors']} errors, e.g. {r['error_samples']}" for r in (portal, api, intake)
                if r["errors"]] + intake_problems + close_problems + rss_problems
    for record in (portal, intake, api, close, *rss, cpu_record(run.sampler)):
        emit(record)
    summary = {
        "bench": "soak", "kind": "summary", "ok": not problems, "problems": problems, "minutes": size.minutes,
        "requests": portal["requests"] + api["requests"] + intake["requests"],
        "errors": portal["errors"] + api["errors"] + intake["errors"] + close["errors"],
        "load_avg_1m_before": round(run.load_avg_before, 2), "load_avg_1m_after": round(run.load_avg_after, 2),
        "cpus": os.cpu_count(), "workers": args.workers, **run.cpu,
        "clients": {"portal": args.portal_clients, "api": args.api_clients, "intake_threads": args.intake_threads},
        "intake_rate_limit": args.intake_rate,
        "data": {"partners": setup.partners, "ledger_lines_before": setup.ledger_lines,
                 "ledger_lines_after": ledger_lines, "events_before": setup.events,
                 "close_data_partners": size.partners, "invoices_loaded": size.invoices},
        "rss_first_last_mb": {f"{r['process']} {r['pid']}": [r["first_mb"], r["last_mb"]] for r in rss},
        "memory_judged": any(r["ok"] is not None for r in rss),
        "setup_s": round(setup.seconds, 1),
    }
    emit(summary)
    for problem in problems:
        log(f"PROBLEM {problem}")
    log("soak: " + ("ok" if not problems else f"{len(problems)} problems"))
    return not problems


def soak(url: str, args: argparse.Namespace) -> bool:
    size = size_of(args)
    with tempfile.TemporaryDirectory(prefix="parceria-soak-") as tmp, scratch_postgres(url) as scratch:
        try:
            env = app_env(var_dir=Path(tmp), database_url=scratch)
            setup = prepare(env, scratch, size, args)
            log(f"setup done in {setup.seconds:.0f}s: {setup.ledger_lines:,} ledger lines, {setup.partners:,} "
                f"partners; portal users of partners {[a.partner_id for a in setup.portal]}")
            run = run_load(env, setup, scratch, size, args, Path(tmp))
            return report(run, setup, size, args, scratch)
        finally:
            drop_database(url, scratch)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks: server stopped, scratch database dropped


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    args = parse_args(argv)
    return run_on_postgres("soak", soak, args)


if __name__ == "__main__":
    sys.exit(main())
