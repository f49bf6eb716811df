"""Outbound webhooks benchmark: the event intake's throughput with and without webhook endpoints (target: the intake
loses less than 10 % with them), and the delivery fan-out — 10,000 events to 100 endpoints on loopback, deliveries
per second with `parceria webhooks-deliver` workers (two on PostgreSQL, where they share the work with SKIP LOCKED;
one on SQLite).

For SQLite (a private temporary folder) or PostgreSQL (when DATABASE_URL is a postgres URL; a scratch database is
created and dropped): migrate, seed 100 partners and their customers, time `events_ingest` in batches of 1,000
invoice.paid events without endpoints, register one endpoint per partner (a receiver on 127.0.0.1 answering 200)
and time the same intake again, then write 10,000 events and time the workers delivering them. One JSON line per
measurement on stdout; progress on stderr.

    scripts/with-postgres.sh .venv/bin/python bench/webhooks.py
    .venv/bin/python bench/webhooks.py --events 10000 --fanout 10000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from _common import emit, log
from _database import is_postgres_url, scratch_postgres
from _server import PARCERIA, app_env

PARTNERS = 100
BATCH = 1000


@contextmanager
def receiver() -> Iterator[tuple[str, list[int]]]:
    count = [0]
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                count[0] += 1
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks", count
    finally:
        server.shutdown()
        server.server_close()


def _events(start: int, count: int, customers: int) -> list[dict[str, Any]]:
    from _common import customer_external_id

    return [{"id": f"evt_wh_{n}", "type": "invoice.paid", "occurred_at": "2026-03-15T12:00:00-03:00",
             "customer": customer_external_id(n % customers), "invoice_id": f"inv_wh_{n}", "amount": "1000.00",
             "currency": "BRL", "period_start": "2026-03-01", "period_end": "2026-03-31"}
            for n in range(start, start + count)]


def _intake(start: int, count: int, customers: int) -> float:
    from parceria.commissions.intake import events_ingest
    from parceria.customers.models import EventSource

    batches = [_events(start + b, min(BATCH, count - b), customers) for b in range(0, count, BATCH)]
    began = time.perf_counter()
    for items in batches:
        result = events_ingest(items=items, source=EventSource.API, submitted_by="bench")
        assert result.accepted == len(items), result.rejected[:3]
    return time.perf_counter() - began


def run(db: str, env: dict[str, str], args: argparse.Namespace) -> None:
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections, transaction

    from _seed import create_customers, create_partners
    from parceria.common.audit import Actor
    from parceria.webhooks.models import Delivery, DeliveryState
    from parceria.webhooks.outbox import emit as emit_event
    from parceria.webhooks.services import SUBSCRIBABLE, endpoint_create

    call_command("migrate", verbosity=0)
    referrers, _integrators = create_partners(PARTNERS, 0)
    create_customers(args.customers, referrers)
    log(f"{db}: seeded {PARTNERS} partners, {args.customers} customers")
    _intake(10_000_000, BATCH, args.customers)  # warm-up, not measured
    without = _intake(0, args.events, args.customers)
    with receiver() as (url, received):
        from parceria.partners.models import Partner

        partners = list(Partner.objects.filter(pk__in=referrers))
        for partner in partners:
            endpoint_create(partner=partner, url=url, event_types=SUBSCRIBABLE, actor=Actor.system("bench"))
        with_endpoints = _intake(args.events, args.events, args.customers)
        loss = 1 - without / with_endpoints
        emit({"bench": "webhooks-intake", "db": db, "events": args.events, "endpoints": PARTNERS,
              "events_per_s_without": round(args.events / without),
              "events_per_s_with": round(args.events / with_endpoints),
              "intake_loss_pct": round(100 * loss, 1), "target_pct": 10, "met": loss < 0.10})
        Delivery.objects.update(state=DeliveryState.CANCELLED)  # the intake's events are not part of the fan-out
        for start in range(0, args.fanout, 500):
            with transaction.atomic():
                for n in range(start, min(start + 500, args.fanout)):
                    emit_event("payout.paid", partner=partners[n % len(partners)], data={"payout_id": n})
        connections.close_all()
        workers = 2 if db == "postgresql" else 1
        began = time.perf_counter()
        procs = [subprocess.Popen([PARCERIA, "webhooks-deliver"], env=env, stdout=subprocess.DEVNULL)
                 for _ in range(workers)]
        for proc in procs:
            proc.wait(timeout=3600)
        seconds = time.perf_counter() - began
        delivered = Delivery.objects.filter(state=DeliveryState.DELIVERED).count()
        emit({"bench": "webhooks-fanout", "db": db, "events": args.fanout, "endpoints": PARTNERS,
              "workers": workers, "delivered": delivered, "received": received[0], "seconds": round(seconds, 2),
              "deliveries_per_s": round(delivered / seconds)})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000, help="events per intake run (default 10,000)")
    parser.add_argument("--fanout", type=int, default=10_000, help="events delivered in the fan-out (10,000)")
    parser.add_argument("--customers", type=int, default=5_000)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    url = os.environ.get("DATABASE_URL") or None
    with tempfile.TemporaryDirectory(prefix="parceria-bench-webhooks-") as tmp:
        if url and is_postgres_url(url):
            with scratch_postgres(url) as scratch:
                env = app_env(var_dir=Path(tmp), database_url=scratch)
                env["PARCERIA_WEBHOOKS_ALLOW_LOOPBACK"] = "1"
                run("postgresql", env, args)
        else:
            env = app_env(var_dir=Path(tmp), database_url=None)
            env["PARCERIA_WEBHOOKS_ALLOW_LOOPBACK"] = "1"
            run("sqlite", env, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
