"""`parceria schedule [--once] [--list]`: run the periodic `parceria` commands on their cadence (jobs/schedule.py),
for installations without cron. One instance at a time (a lease in the database); a second one waits (or, with
--once, says so and exits with status 1). `--once` runs what is due and exits; `--list` prints the cadence and
when each command last ran. See docs/operations.md#background-work."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone

from parceria.jobs.models import Lease, ScheduledRun
from parceria.jobs.schedule import SCHEDULE, holder_name, lease_release, lease_take, run_due

LEASE_NAME = "schedule"
TICK_SECONDS = 20
RENEW_SECONDS = 60


def _keep_lease(holder: str, done: threading.Event) -> None:
    """Renew the lease while a long command runs (it is taken or renewed between commands too)."""
    try:
        while not done.wait(RENEW_SECONDS):
            try:
                if Lease.objects.filter(name=LEASE_NAME, holder=holder).exists():
                    lease_take(LEASE_NAME, holder)
            except OperationalError:
                pass  # the database is busy (SQLite's write lock): the next round renews it
    finally:
        connection.close()


class Command(BaseCommand):
    help = "Run the periodic commands on their cadence (for installations without cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is due now, then exit.")
        parser.add_argument("--list", action="store_true", dest="show",
                            help="Print the cadence and each command's last run.")

    def handle(self, *args: Any, once: bool, show: bool, **options: Any) -> None:
        if show:
            self._list()
            return
        holder = holder_name()
        renewing = threading.Event()
        threading.Thread(target=_keep_lease, args=(holder, renewing), daemon=True, name="lease").start()
        try:
            self._run(holder, once=once)
        finally:
            renewing.set()

    def _run(self, holder: str, *, once: bool) -> None:
        if once:
            if not lease_take(LEASE_NAME, holder):
                raise CommandError("another `parceria schedule` is running; nothing was run")
            try:
                self._report(run_due(renew=lambda: lease_take(LEASE_NAME, holder)))
            finally:
                lease_release(LEASE_NAME, holder)
            return
        stop = threading.Event()

        def shutdown(signum: int, frame: FrameType | None) -> None:
            self.stderr.write(f"{signal.strsignal(signum)}: stopping after the running command.")
            stop.set()

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, shutdown)
        self.stdout.write(f"Schedule started ({len(SCHEDULE)} commands).")
        waiting = False
        try:
            while not stop.is_set():
                close_old_connections()
                if lease_take(LEASE_NAME, holder):
                    waiting = False
                    self._report(run_due(renew=lambda: lease_take(LEASE_NAME, holder)))
                elif not waiting:
                    waiting = True
                    self.stdout.write("Another `parceria schedule` holds the lease; waiting to take over.")
                stop.wait(TICK_SECONDS)
        finally:
            lease_release(LEASE_NAME, holder)

    def _report(self, runs: list[ScheduledRun]) -> None:
        for run in runs:
            line = f"{timezone.localtime(run.started_at):%Y-%m-%d %H:%M} {run.command}: {run.get_outcome_display()}"
            if run.outcome != "ok" and run.output.strip():
                line += f" ({run.output.strip().splitlines()[-1]})"
            (self.stderr if run.outcome == "failed" else self.stdout).write(line)

    def _list(self) -> None:
        for entry in SCHEDULE:
            unit = {"minute": "every minute", "hour": "every hour"}.get(entry.unit) or (
                f"every {entry.unit} at {entry.at:%H:%M}")
            last = ScheduledRun.objects.filter(command=entry.name).order_by("-started_at").first()
            when = f"last {timezone.localtime(last.started_at):%Y-%m-%d %H:%M} {last.outcome}" if last else "never run"
            self.stdout.write(f"{entry.name:<34} {unit:<24} {when}")
