"""Fault drill: PostgreSQL stopped at once (`pg_ctl stop -m immediate`) and started again while the production server
(`parceria serve`, gunicorn) takes events, and while a month is closed. What must hold:

- every acknowledged event is stored once, and the ledger holds what a run without the outage writes, once;
- the close that was cut off left nothing, the close run again pays each partner once, as a close without the outage;
- the server rides it out: its requests answer 503 (never 500) during the outage, `/healthz` says 503 and then 200,
  and the gunicorn master and workers are the same processes before and after.

The drill starts its own throwaway PostgreSQL cluster (initdb and pg_ctl of /usr/lib/postgresql/<newest>/bin, or
PG_BIN; as root the cluster belongs to the `postgres` user), since it must stop it; nothing else is touched. It reuses
the benchmarks' helpers (bench/): the seeding and the event workload of bench/ingest.py, the server start of
bench/_server.py, the close data set of bench/close.py.

Drill A, intake: a scratch database is migrated and seeded (partners, customers) and copied twice. On the first copy
the workload (batches of 1,000 events, ~5 % re-sent) is posted without a fault: the reference. On the second, four
client threads post it, each sending a batch until it is acknowledged (200) and sending the SAME batch again after a
503, a 5xx or a dropped connection (honouring Retry-After, at most --retry-cap seconds); `--outage-after` seconds into
the run PostgreSQL is stopped, and started again `--outage` seconds later. Then plain SQL: the stored event ids are
the ids sent, none twice, no ledger dedupe key twice, the same counts of events, invoices, usage and referral accruals
as the reference, the same referral accruals per partner (count and sum), integration shares written and none twice (an
integration partner's share of an invoice depends on the usage stored before it, so on the order in which concurrent
batches commit: it is counted, not compared), and `parceria ledger-totals --check` passes.

Drill B, close: the close benchmark's data set (bench/close.py, --partners-close/--customers-close/--invoices) is
loaded and copied; the copy is closed without a fault (the reference, and the length of its transaction). The month is
closed on the original, its database session watched (PGAPPNAME, pg_stat_activity), and PostgreSQL is stopped
`--close-stop-at` (half) of the way through the close's transaction; once it is back, the drill checks
that nothing of the close is left, closes the month again, and checks: one batch for the month, no partner paid twice
in a currency, the payouts are those of the reference, and the books add up (bench/_close_sql.check_close). A third
close returns the same batch.

One JSON line per drill on stdout (bench/_common.emit), progress on stderr; exit status 1 if any check fails.

    make faults
    .venv/bin/python scripts/fault_drill.py [--events 40000] [--outage-after 2 --outage 2] [--invoices 100000]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

from _client import EVENTS_PATH, post_batches  # noqa: E402
from _close_data import MONTH, PERIOD, Scale  # noqa: E402
from _close_load import drop_database  # noqa: E402
from _close_sql import check_close, expected_close  # noqa: E402
from _common import LOOPBACK, emit, free_port, log, run_threads  # noqa: E402
from _cpu import parent_of  # noqa: E402
from _database import Target, _admin_connect, stored_counts  # noqa: E402
from _server import PARCERIA, Server, app_env, create_api_key, migrate, run, run_bench_script, serve  # noqa: E402
from _workload import Mix, Workload, build_workload  # noqa: E402
from close import QUICK, run_close, set_up  # noqa: E402

FAULT_CODES = {"database_unavailable", "database_busy", "database_read_only", "storage_full"}
CLOSE_APP_NAME = "parceria-fault-drill-close"


# --- the cluster ---------------------------------------------------------------------------------------------------


def _pg_bin() -> Path:
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not found or not (found[-1] / "initdb").exists():
        raise SystemExit("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    return found[-1]


@dataclass
class Cluster:
    """A throwaway cluster in `root`, on 127.0.0.1:`port` and a socket in root/socket, that the drill stops and
    starts (scripts/with-postgres.sh does the same for the test suite, around one command)."""

    root: Path
    port: int = field(default_factory=free_port)
    bin: Path = field(default_factory=_pg_bin)
    password: str = field(default_factory=lambda: secrets.token_hex(16))

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket(self) -> Path:
        return self.root / "socket"

    @property
    def superuser(self) -> str:
        return "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")

    def _pg(self, tool: str, *args: str, timeout: float = 120) -> None:
        command = [str(self.bin / tool), *args]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} {' '.join(args[:3])} failed:\n{done.stdout}{done.stderr}")

    def create(self) -> None:
        self.socket.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.socket, "postgres")
        self._pg("initdb", f"--pgdata={self.data}", f"--username={self.superuser}", "--auth-local=trust",
                 "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C")
        with (self.data / "postgresql.conf").open("a") as conf:
            # Durable as a production server is (fsync and synchronous commit stay on): an acknowledged event must
            # survive the immediate stop.
            conf.write(f"\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.socket}'\n"
                       "max_connections = 100\nshared_buffers = 256MB\n")
        self.start()
        with self.superuser_connection() as conn:
            conn.execute(f"CREATE ROLE parceria LOGIN CREATEDB PASSWORD '{self.password}'")
            conn.execute("CREATE DATABASE parceria OWNER parceria")

    def start(self, *, wait: bool = True) -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", f"-p {self.port}",
                 *(["-w", "-t", "120"] if wait else ["-W"]), "start")

    def wait_ready(self, timeout: float = 120) -> None:
        """Until the server takes a connection (after its crash recovery), trying every 20 ms."""
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            try:
                with self.superuser_connection(connect_timeout=1):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def checkpoint(self) -> None:
        """Write the setup's changes to the data files, so that the crash recovery after the stop replays only the
        drill's own WAL (a production server checkpoints every few minutes)."""
        with self.superuser_connection() as conn:
            conn.execute("CHECKPOINT")

    def stop_immediate(self) -> None:
        """As a crash: the server processes quit at once, without a checkpoint; the next start recovers from WAL."""
        self._pg("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "60", "stop")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._pg("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "60", "stop")

    @contextmanager
    def superuser_connection(self, **options: Any) -> Iterator[Any]:
        import psycopg

        with psycopg.connect(host=str(self.socket), port=self.port, user=self.superuser, dbname="postgres",
                             autocommit=True, **options) as conn:
            yield conn

    def url(self, database: str = "parceria") -> str:
        return f"postgres://parceria:{self.password}@127.0.0.1:{self.port}/{database}"


def create_database(cluster: Cluster, name: str, *, template: str | None = None) -> str:
    with _admin_connect(cluster.url()) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return cluster.url(name)


# --- the server and its health -------------------------------------------------------------------------------------


def server_pids(server: Server) -> list[int]:
    """The gunicorn master and its workers."""
    workers = [int(p.name) for p in Path("/proc").iterdir()
               if p.name.isdigit() and parent_of(int(p.name)) == server.pid]
    return [server.pid, *sorted(workers)]


def _get(port: int, path: str, timeout: float = 5) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class HealthWatch:
    """GET /healthz every `every` seconds in a thread: each answer's time and status (0: no answer)."""

    def __init__(self, port: int, every: float = 0.05) -> None:
        self.port, self.every = port, every
        self.seen: list[tuple[float, int, Any]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="healthz", daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                status, body = _get(self.port, "/healthz", timeout=5)
                answer: Any = orjson.loads(body) if body else None
            except (OSError, http.client.HTTPException, orjson.JSONDecodeError) as exc:
                status, answer = 0, type(exc).__name__
            self.seen.append((time.monotonic(), status, answer))
            self._stop.wait(self.every)

    def __enter__(self) -> HealthWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def between(self, start: float, end: float) -> list[tuple[float, int, Any]]:
        return [s for s in self.seen if start <= s[0] <= end]

    def first_ok_after(self, moment: float) -> float | None:
        return next((t for t, status, _ in self.seen if t >= moment and status == 200), None)

    def wait_ok(self, after: float, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (seen := self.first_ok_after(after)) is not None:
                return seen
            time.sleep(self.every)
        return None


@dataclass
class Outage:
    """PostgreSQL stopped (immediate) at `down`, started again at `starting`, taking connections again at `up`."""

    down: float = 0.0
    starting: float = 0.0
    up: float = 0.0

    @property
    def seconds(self) -> float:
        return self.up - self.down


def outage(cluster: Cluster, seconds: float) -> Outage:
    """Stop PostgreSQL at once, wait, start it; returns when it takes connections again."""
    log("stopping PostgreSQL (immediate)")
    cut = Outage(down=time.monotonic())
    cluster.stop_immediate()
    time.sleep(max(0.0, seconds - (time.monotonic() - cut.down)))
    log("starting PostgreSQL")
    cut.starting = time.monotonic()
    cluster.start(wait=False)
    cluster.wait_ready()
    cut.up = time.monotonic()
    log(f"PostgreSQL takes connections again: {cut.seconds:.2f}s after the stop, {cut.up - cut.starting:.2f}s after "
        "the start (crash recovery)")
    return cut


def health_record(watch: HealthWatch, cut: Outage) -> dict[str, Any]:
    """/healthz while PostgreSQL was stopped (from the stop to the start), and how long after PostgreSQL took
    connections again it answered 200 (0 when it was first: the probes race)."""
    during = watch.between(cut.down + 0.05, cut.starting)
    statuses = Counter(status for _, status, _ in during)
    codes = sorted({p["code"] for _, status, body in during if status == 503 and isinstance(body, dict)
                    for p in body.get("problems", [])})
    first_ok = watch.first_ok_after(cut.starting)
    return {"healthz_during_outage": {str(k): v for k, v in sorted(statuses.items())}, "healthz_problem_codes": codes,
            "postgresql_restart_s": round(cut.up - cut.starting, 3),
            "recovery_s": round(max(0.0, first_ok - cut.up), 3) if first_ok is not None else None}


def health_problems(health: dict[str, Any]) -> list[str]:
    problems = []
    if not health["healthz_during_outage"].get("503"):
        problems.append(f"/healthz never answered 503 during the outage: {health['healthz_during_outage']}")
    if set(health["healthz_during_outage"]) - {"503"}:
        problems.append(f"/healthz answered other than 503 during the outage: {health['healthz_during_outage']}")
    if health["recovery_s"] is None:
        problems.append("/healthz did not answer 200 after PostgreSQL was back")
    return problems


# --- drill A: the intake -------------------------------------------------------------------------------------------


@dataclass
class Sent:
    """What the retrying clients saw."""

    acknowledged: dict[int, dict[str, Any]] = field(default_factory=dict)  # batch index → its 200 answer
    statuses: Counter[str] = field(default_factory=Counter)  # every answer that was not a 200, and dropped connections
    fault_codes: Counter[str] = field(default_factory=Counter)
    bad_503: list[str] = field(default_factory=list)  # a 503 that is not the API's fault answer
    retries: int = 0
    acks_at: list[float] = field(default_factory=list)
    seconds: float = 0.0


class RetryingClients:
    """Threads that post each batch until it is acknowledged: the same body again after anything but a 200."""

    def __init__(self, port: int, api_key: str, bodies: Sequence[bytes], *, retry_cap: float, deadline_s: float):
        self.port, self.bodies, self.retry_cap = port, bodies, retry_cap
        self.headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
        self.deadline = time.monotonic() + deadline_s
        self.lock = threading.Lock()
        self.next = 0
        self.sent = Sent()

    def _take(self) -> int | None:
        with self.lock:
            if self.next >= len(self.bodies):
                return None
            self.next += 1
            return self.next - 1

    def _post(self, body: bytes) -> tuple[int, bytes, str | None]:
        conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=120)
        try:
            conn.request("POST", EVENTS_PATH, body=body, headers=self.headers)
            response = conn.getresponse()
            return response.status, response.read(), response.getheader("Retry-After")
        finally:
            conn.close()

    def _refused(self, status: int, data: bytes, retry_after: str | None) -> float:
        """Record an answer that was not a 200; the seconds to wait before sending again."""
        with self.lock:
            self.sent.statuses[str(status)] += 1
            self.sent.retries += 1
            if status == 503:
                try:
                    code = orjson.loads(data)["error"]["code"]
                except (orjson.JSONDecodeError, KeyError, TypeError):
                    code = None
                if code in FAULT_CODES and retry_after is not None and retry_after.isdigit():
                    self.sent.fault_codes[code] += 1
                else:
                    self.sent.bad_503.append(f"{retry_after!r} {data[:200]!r}")
        return min(float(retry_after), self.retry_cap) if retry_after and retry_after.isdigit() else self.retry_cap

    def _send_until_acknowledged(self, index: int) -> None:
        while time.monotonic() < self.deadline:
            try:
                status, data, retry_after = self._post(self.bodies[index])
            except (OSError, http.client.HTTPException) as exc:
                with self.lock:
                    self.sent.statuses[f"connection: {type(exc).__name__}"] += 1
                    self.sent.retries += 1
                time.sleep(self.retry_cap)
                continue
            if status == 200:
                with self.lock:
                    self.sent.acknowledged[index] = orjson.loads(data)
                    self.sent.acks_at.append(time.monotonic())
                return
            time.sleep(self._refused(status, data, retry_after))

    def worker(self) -> None:
        while (index := self._take()) is not None:
            self._send_until_acknowledged(index)

    def run(self, threads: int) -> Sent:
        pool = [threading.Thread(target=self.worker, name=f"client-{i}", daemon=True) for i in range(threads)]
        self.sent.seconds = run_threads(pool)
        return self.sent


# The referral accruals of an invoice depend on it alone; an integration partner's share depends on the customer's usage
# stored before the invoice, so on the order in which concurrent batches commit: it is compared by count only.
_REFERRALS_BY_PARTNER = "SELECT partner_id, currency, COUNT(*), SUM(amount) FROM commissions_ledgerline " \
                        "WHERE rule = 'referral' GROUP BY 1, 2 ORDER BY 1, 2"
_REPEATED_KEYS = "SELECT COUNT(*) FROM (SELECT dedupe_key FROM commissions_ledgerline GROUP BY 1 HAVING COUNT(*) > 1) k"


def referrals_of(url: str) -> list[tuple[Any, ...]]:
    with _admin_connect(url) as conn:
        return [tuple(row) for row in conn.execute(_REFERRALS_BY_PARTNER).fetchall()]


def stored_ids(url: str) -> tuple[list[str], int]:
    """Every stored event id (one row each: it is the primary key), and ledger dedupe keys stored more than once."""
    with _admin_connect(url) as conn:
        ids = [str(row[0]) for row in conn.execute("SELECT event_id FROM customers_event").fetchall()]
        repeated = conn.execute(_REPEATED_KEYS).fetchone()
    return ids, int(repeated[0]) if repeated else 0


def intake_checks(workload: Workload, sent: Sent, url: str, reference: dict[str, Any]) -> tuple[dict[str, Any],
                                                                                                list[str]]:
    ids, repeated_keys = stored_ids(url)
    id_counts = Counter(ids)
    expected = {e["id"] for e in workload.unique}
    acknowledged = {e["id"] for index in sent.acknowledged for e in workload.batches[index]}
    present = acknowledged & id_counts.keys()
    counts = stored_counts(Target("postgresql", Path(), url))
    same_referrals = referrals_of(url) == reference["referrals"]
    order_free = ("stored_events", "stored_invoices", "stored_usage", "referral_accruals")
    figures = {
        "events_sent": workload.sent, "unique_events": len(workload.unique), "batches": len(workload.bodies),
        "acknowledged_batches": len(sent.acknowledged), "acknowledged_events": len(acknowledged),
        "present": len(present), "stored_events": len(ids),
        "duplicates": sum(n - 1 for n in id_counts.values()) + repeated_keys,
        "accepted_answers": sum(a["accepted"] for a in sent.acknowledged.values()),
        "duplicate_answers": sum(a["duplicates"] for a in sent.acknowledged.values()),
        "rejected_answers": sum(len(a["rejected"]) for a in sent.acknowledged.values()),
        "ledger_lines": counts["ledger_lines"], "referral_accruals": counts["referral_accruals"],
        "integration_accruals": counts["integration_accruals"], "reference": reference["counts"],
        "same_referral_ledger_as_reference": same_referrals,
    }
    problems = []
    if len(sent.acknowledged) != len(workload.bodies):
        problems.append(f"{len(workload.bodies) - len(sent.acknowledged)} batches were never acknowledged")
    if present != acknowledged:
        problems.append(f"{len(acknowledged - present)} acknowledged events are missing")
    if set(id_counts) != expected:
        problems.append(f"stored ids differ from those sent: {len(set(id_counts) - expected)} unknown, "
                        f"{len(expected - set(id_counts))} missing")
    if figures["duplicates"]:
        problems.append(f"{figures['duplicates']} events or ledger postings stored twice")
    if figures["rejected_answers"]:
        problems.append(f"{figures['rejected_answers']} events rejected")
    differ = {k: (counts[k], reference["counts"][k]) for k in order_free if counts[k] != reference["counts"][k]}
    if differ:
        problems.append(f"stored counts differ from the reference (drill, reference): {differ}")
    if not same_referrals:
        problems.append("the referral accruals (count and sum per partner) differ from the reference")
    if counts["integration_accruals"] == 0:
        problems.append("no integration accruals were written")
    return figures, problems


def seed_intake(cluster: Cluster, tmp: Path, args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """Migrate and seed a template database; its API key and partners."""
    url = create_database(cluster, "intake_seed")
    env = app_env(var_dir=tmp / "seed", database_url=url)
    (tmp / "seed").mkdir()
    log(f"intake: migrating and seeding {args.partners} partners, {args.customers} customers")
    migrate(env)
    out = run_bench_script("_seed.py", ["--partners", str(args.partners), "--integration", "10",
                                        "--customers", str(args.customers)], env)
    ids = orjson.loads(out.strip().splitlines()[-1])
    ids["api_key"] = create_api_key(env, scope="platform", name="fault drill")
    return "intake_seed", ids


def intake_reference(cluster: Cluster, tmp: Path, seeded: dict[str, Any], workload: Workload,
                     args: argparse.Namespace) -> dict[str, Any]:
    url = create_database(cluster, "intake_reference", template="intake_seed")
    env = app_env(var_dir=tmp / "reference", database_url=url)
    (tmp / "reference").mkdir()
    log(f"intake: the reference run, {workload.sent} events without a fault")
    with serve(env, workers=args.workers, log_path=tmp / "reference" / "server.log") as server:
        result = post_batches(server.port, seeded["api_key"], workload.bodies, threads=args.threads)
    if result.errors or result.rejected:
        raise RuntimeError(f"the reference run failed: {result.errors[:3]} {result.rejection_samples[:3]}")
    log(f"intake: reference {result.accepted} accepted, {result.duplicates} duplicates in {result.seconds:.1f}s")
    figures = {"counts": stored_counts(Target("postgresql", Path(), url)), "referrals": referrals_of(url),
               "seconds": result.seconds}
    drop_database(cluster.url(), url)
    return figures


def drill_intake(cluster: Cluster, tmp: Path, args: argparse.Namespace) -> bool:
    _, seeded = seed_intake(cluster, tmp, args)
    workload = build_workload(Mix(customers=args.customers, integrators=seeded["integrators"], dup_lag=8),
                              args.events)
    reference = intake_reference(cluster, tmp, seeded, workload, args)
    url = create_database(cluster, "intake_drill", template="intake_seed")
    drop_database(cluster.url(), cluster.url("intake_seed"))  # fewer files for the crash recovery to sync
    (tmp / "drill").mkdir()
    env = app_env(var_dir=tmp / "drill", database_url=url)
    cluster.checkpoint()
    with serve(env, workers=args.workers, log_path=tmp / "drill" / "server.log") as server, \
            HealthWatch(server.port) as watch:
        pids_before = server_pids(server)
        clients = RetryingClients(server.port, seeded["api_key"], workload.bodies, retry_cap=args.retry_cap,
                                  deadline_s=args.deadline)
        log(f"intake: posting {workload.sent} events in {len(workload.bodies)} batches, {args.threads} threads; "
            f"PostgreSQL stops after {args.outage_after}s")
        poster = threading.Thread(target=clients.run, args=(args.threads,), daemon=True)
        poster.start()
        time.sleep(args.outage_after)
        acked_before = len(clients.sent.acknowledged)
        cut = outage(cluster, args.outage)
        poster.join()
        watch.wait_ok(cut.up, timeout=30)
        pids_after = server_pids(server)
    sent = clients.sent
    log(f"intake: {len(sent.acknowledged)} batches acknowledged in {sent.seconds:.1f}s, {sent.retries} retries; "
        "checking the database")
    figures, problems = intake_checks(workload, sent, url, reference)
    try:
        run([PARCERIA, "ledger-totals", "--check"], env)  # exits 1 when the projection differs from the lines
        totals_check = "passed"
    except RuntimeError:
        totals_check = "failed"
        problems.append("parceria ledger-totals --check failed")
    health = health_record(watch, cut)
    first_ack = next((t for t in sorted(sent.acks_at) if t >= cut.up), None)
    problems += health_problems(health)
    other_5xx = {k: v for k, v in sent.statuses.items() if k.isdigit() and k != "503" and int(k) >= 500}
    if other_5xx:
        problems.append(f"answers other than 503 among the server errors: {other_5xx}")
    if sent.bad_503:
        problems.append(f"503 answers without the API's fault body or Retry-After: {sent.bad_503[:3]}")
    if pids_before != pids_after:
        problems.append(f"the server's processes changed: {pids_before} → {pids_after}")
    if acked_before == 0 or acked_before == len(workload.bodies):
        problems.append(f"the outage did not fall inside the run ({acked_before} batches acknowledged before it)")
    emit({
        "bench": "faults", "drill": "intake", "db": "postgresql", **figures,
        "acknowledged_before_outage": acked_before, "retries": sent.retries,
        "refusals": dict(sorted(sent.statuses.items())), "fault_codes": dict(sent.fault_codes),
        "outage_s": round(cut.seconds, 3), **health,
        "first_ack_after_restart_s": round(first_ack - cut.up, 3) if first_ack is not None else None,
        "seconds": round(sent.seconds, 3), "reference_seconds": round(reference["seconds"], 3),
        "server_pids_before": pids_before, "server_pids_after": pids_after, "ledger_totals_check": totals_check,
        "workers": args.workers, "client_threads": args.threads, "retry_cap_s": args.retry_cap,
        "ok": not problems, "problems": problems,
    })
    for problem in problems:
        log(f"intake: PROBLEM {problem}")
    return not problems


# --- drill B: the close --------------------------------------------------------------------------------------------

_PERIOD_STATE = """
SELECT (SELECT COUNT(*) FROM payouts_payoutbatch WHERE period = %(p)s),
       (SELECT COUNT(*) FROM payouts_closedperiod WHERE month = %(p)s),
       (SELECT COUNT(*) FROM payouts_payout p JOIN payouts_payoutbatch b ON b.id = p.batch_id WHERE b.period = %(p)s),
       (SELECT COUNT(*) FROM (SELECT p.partner_id, p.currency FROM payouts_payout p
                              JOIN payouts_payoutbatch b ON b.id = p.batch_id WHERE b.period = %(p)s
                              GROUP BY 1, 2 HAVING COUNT(*) > 1) twice),
       (SELECT MIN(id) FROM payouts_payoutbatch WHERE period = %(p)s)
"""
_PAYOUTS = """
SELECT p.partner_id, p.currency, p.gross, p.net FROM payouts_payout p JOIN payouts_payoutbatch b ON b.id = p.batch_id
WHERE b.period = %s ORDER BY 1, 2
"""


def period_state(url: str) -> dict[str, Any]:
    with _admin_connect(url) as conn:
        row = conn.execute(_PERIOD_STATE, {"p": PERIOD}).fetchone()
    assert row is not None
    return {"batches": row[0], "closed_periods": row[1], "payouts": row[2], "partners_paid_twice": row[3],
            "batch_id": row[4]}


def payouts_of(url: str) -> list[tuple[Any, ...]]:
    with _admin_connect(url) as conn:
        return [tuple(row) for row in conn.execute(_PAYOUTS, [PERIOD]).fetchall()]


def close_in_transaction_s(conn: Any) -> float | None:
    """How long the drill's close has been inside its transaction, if it is."""
    row = conn.execute("SELECT EXTRACT(EPOCH FROM now() - xact_start) FROM pg_stat_activity "
                       "WHERE application_name = %s AND xact_start IS NOT NULL", [CLOSE_APP_NAME]).fetchone()
    return float(row[0]) if row and row[0] is not None else None


def close_command(env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    """`parceria close MONTH`, its database session named (PGAPPNAME) so that the drill can watch it."""
    return subprocess.Popen([PARCERIA, "close", MONTH, "--json"], env={**env, "PGAPPNAME": CLOSE_APP_NAME},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@dataclass
class Interrupted:
    outage: Outage | None  # None: the close ended before it could be cut off
    exit_code: int
    last_error: str  # the error the close ended with: the last unindented "…Error: …" line of its standard error
    into_s: float | None  # how far into its transaction it was when PostgreSQL stopped


def interrupt_close(cluster: Cluster, env: Mapping[str, str], url: str, stop_at_s: float,
                    outage_s: float) -> Interrupted:
    """Start the close and stop PostgreSQL once the close's transaction has run `stop_at_s` seconds."""
    proc = close_command(env)
    cut: Outage | None = None
    into: float | None = None
    with _admin_connect(url) as conn:
        while proc.poll() is None:
            into = close_in_transaction_s(conn)
            if into is not None and into >= stop_at_s:
                break
            time.sleep(0.01)
    if proc.poll() is None:
        cut = outage(cluster, outage_s)
    _, err = proc.communicate(timeout=600)
    lines = err.decode(errors="replace").splitlines()
    errors = [line for line in lines if re.match(r"[\w.]+(Error|Exception): ", line)]
    return Interrupted(cut, proc.returncode, (errors or [""])[-1][:300], into)


def drill_close(cluster: Cluster, tmp: Path, args: argparse.Namespace) -> bool:
    scale = Scale(args.partners_close, args.customers_close, args.invoices)
    url = create_database(cluster, "close_drill")
    (tmp / "close").mkdir()
    env = app_env(var_dir=tmp / "close", database_url=url)
    set_up(env, url, scale)
    with _admin_connect(url) as conn:
        expected = expected_close(conn, PERIOD)
    ref_url = create_database(cluster, "close_reference", template="close_drill")
    log("close: the reference close, without a fault")
    _, inside = run_close(app_env(var_dir=tmp / "close", database_url=ref_url), profile=False)
    reference_payouts = payouts_of(ref_url)
    drop_database(cluster.url(), ref_url)
    transaction_s = float(inside["period_close_s"])
    stop_at = transaction_s * args.close_stop_at
    log(f"close: reference {len(reference_payouts)} payouts, period_close {transaction_s:.2f}s; the drill stops "
        f"PostgreSQL {stop_at:.2f}s into the close's transaction")
    problems: list[str] = []
    cluster.checkpoint()
    with serve(env, workers=args.workers, log_path=tmp / "close" / "server.log") as server, \
            HealthWatch(server.port) as watch:
        pids_before = server_pids(server)
        cut_off = interrupt_close(cluster, env, url, stop_at, args.outage)
        cut = cut_off.outage
        if cut is None:
            problems.append(f"the close ended (exit {cut_off.exit_code}) before PostgreSQL was stopped: use more "
                            "invoices")
            cut = Outage(time.monotonic(), time.monotonic())
        watch.wait_ok(cut.up, timeout=30)
        left = period_state(url)
        log(f"close: the interrupted close exited {cut_off.exit_code} ({cut_off.last_error}); left {left}; "
            "closing again")
        again = run_close(env, profile=False)[1]
        after = period_state(url)
        third = run_close(env, profile=False)[1]
        pids_after = server_pids(server)
    with _admin_connect(url) as conn:
        book_problems, payouts, carried = check_close(conn, PERIOD, expected)
    health = health_record(watch, cut)
    problems += health_problems(health) + book_problems
    if left["batches"] or left["closed_periods"] or left["payouts"]:
        problems.append(f"the interrupted close left rows behind: {left}")
    if cut_off.exit_code == 0:
        problems.append("the interrupted close reported success")
    if after["batches"] != 1 or after["partners_paid_twice"]:
        problems.append(f"after the close again: {after}")
    if payouts_of(url) != reference_payouts:
        problems.append("the payouts differ from the reference close")
    if third["batch_id"] != again["batch_id"]:
        problems.append(f"a third close made batch {third['batch_id']}, not {again['batch_id']}")
    if pids_before != pids_after:
        problems.append(f"the server's processes changed: {pids_before} → {pids_after}")
    emit({
        "bench": "faults", "drill": "close", "db": "postgresql", "month": MONTH, "partners": scale.partners,
        "invoices": scale.invoices, "reference_period_close_s": round(transaction_s, 3),
        "stopped_into_transaction_s": round(cut_off.into_s, 3) if cut_off.into_s is not None else None,
        "interrupted_exit_code": cut_off.exit_code, "interrupted_error": cut_off.last_error,
        "left_after_interruption": left,
        "after_close_again": after, "payouts": payouts, "carried": carried,
        "reference_payouts": len(reference_payouts), "same_payouts_as_reference": payouts_of(url) == reference_payouts,
        "third_close_same_batch": third["batch_id"] == again["batch_id"], "outage_s": round(cut.seconds, 3), **health,
        "server_pids_before": pids_before, "server_pids_after": pids_after, "ok": not problems, "problems": problems,
    })
    for problem in problems:
        log(f"close: PROBLEM {problem}")
    return not problems


# --- main ----------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drill", choices=("intake", "close"), action="append", help="default: both")
    parser.add_argument("--events", type=int, default=40_000, help="events the intake drill sends (default 40,000)")
    parser.add_argument("--partners", type=int, default=100, help="intake drill partners (default 100)")
    parser.add_argument("--customers", type=int, default=20_000, help="intake drill customers (default 20,000)")
    parser.add_argument("--threads", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--outage-after", type=float, default=2.0, help="seconds of intake before the stop (2)")
    parser.add_argument("--outage", type=float, default=2.0, help="seconds PostgreSQL stays stopped (2)")
    parser.add_argument("--retry-cap", type=float, default=0.5,
                        help="clients wait Retry-After, at most this many seconds, before sending again (0.5)")
    parser.add_argument("--deadline", type=float, default=600, help="seconds the clients keep trying (600)")
    parser.add_argument("--partners-close", type=int, default=QUICK.partners,
                        help=f"close drill partners (default {QUICK.partners:,})")
    parser.add_argument("--customers-close", type=int, default=QUICK.customers,
                        help=f"close drill customers (default {QUICK.customers:,})")
    parser.add_argument("--invoices", type=int, default=QUICK.invoices,
                        help=f"close drill paid invoices (default {QUICK.invoices:,})")
    parser.add_argument("--close-stop-at", type=float, default=0.5,
                        help="stop PostgreSQL this far (0–1) into the reference close's time (0.5)")
    return parser.parse_args(argv)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks: servers and the cluster stopped


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    args = parse_args(argv)
    drills = args.drill or ["intake", "close"]
    results = []
    # The cluster's folder sits in the temporary folder itself (as scripts/with-postgres.sh's), so that the
    # `postgres` user can reach it when the drill runs as root.
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="parceria-faults-pg-")))
    try:
        with tempfile.TemporaryDirectory(prefix="parceria-faults-") as tmp:
            cluster.create()
            log(f"PostgreSQL cluster on 127.0.0.1:{cluster.port} in {cluster.root}")
            for drill in drills:
                folder = Path(tmp) / drill
                folder.mkdir()
                results.append((drill_intake if drill == "intake" else drill_close)(cluster, folder, args))
    finally:
        cluster.stop()
        shutil.rmtree(cluster.root, ignore_errors=True)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
