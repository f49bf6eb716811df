"""`parceria schedule`: the periodic `parceria` commands on their cadence, for installations without cron.

SCHEDULE below is the one place the cadence is written. Each entry runs when its latest slot (the last minute,
hour, day at a time, or quarter's first day at a time, in the installation's time zone) has come and the command
has not been started since that slot began; the daily ones run in the order listed (the order docs/operations.md
gives for cron). A command that does not exist in this installation is skipped with a warning. Every run is a
`ScheduledRun` row with its outcome and the end of its output. One instance runs at a time: it holds the lease
"schedule" (a row renewed while it runs; a holder that dies loses it after LEASE).
"""

from __future__ import annotations

import io
import logging
import os
import socket
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.management import call_command, get_commands
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.crypto import get_random_string

from parceria.jobs.models import Lease, RunOutcome, ScheduledRun

logger = logging.getLogger("parceria.jobs")

MINUTE, HOUR, DAY, QUARTER = "minute", "hour", "day", "quarter"
#: How long the schedule's lease lasts without renewal (it is renewed every tick and between commands).
LEASE = timedelta(minutes=10)
OUTPUT_KEPT = 4000


@dataclass(frozen=True)
class Periodic:
    """A command and its cadence: every `every` minutes or hours, or every day or quarter at `at` (local time).
    `when_new`: whether a command never run before runs at once (True) or waits for its next slot (a day's grace:
    the quarterly tier assessment must not run in the middle of a quarter because the schedule was just started)."""

    command: str
    args: tuple[str, ...] = ()
    unit: str = DAY
    every: int = 1
    at: time = field(default=time(0))
    when_new: bool = True

    @property
    def name(self) -> str:
        return " ".join((self.command, *self.args))

    def last_slot(self, now: datetime) -> datetime:
        """The start of the slot `now` is in (aware, local time)."""
        local = timezone.localtime(now)
        if self.unit == MINUTE:
            return local.replace(minute=local.minute - local.minute % self.every, second=0, microsecond=0)
        if self.unit == HOUR:
            return local.replace(hour=local.hour - local.hour % self.every, minute=0, second=0, microsecond=0)
        day = local.date()
        if self.unit == QUARTER:
            day = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
        slot = timezone.make_aware(datetime.combine(day, self.at))
        if slot <= local:
            return slot
        if self.unit == QUARTER:
            earlier = day.replace(year=day.year - 1, month=10) if day.month == 1 else day.replace(month=day.month - 3)
            return timezone.make_aware(datetime.combine(earlier, self.at))
        return timezone.make_aware(datetime.combine(day - timedelta(days=1), self.at))


DAILY = time(5, 15)

#: The periodic commands, in the order they run when several are due (docs/operations.md#background-work).
SCHEDULE: tuple[Periodic, ...] = (
    Periodic("webhooks-deliver", unit=MINUTE),
    Periodic("notifications-deliver", unit=MINUTE),
    Periodic("leads-expire", unit=HOUR),
    Periodic("agreements-expire", at=DAILY),
    Periodic("deals-expire", at=DAILY),
    Periodic("mdf-expire", at=DAILY),
    Periodic("ledger-totals", ("--check",), at=DAILY),
    Periodic("alerts", at=DAILY),
    Periodic("analytics-rollup", ("--check", "--repair"), at=DAILY),
    Periodic("idempotency-prune", at=DAILY),
    Periodic("clearsessions", at=DAILY),
    Periodic("retention", ("--apply",), at=DAILY),
    Periodic("prune-db-task-results", at=DAILY),
    Periodic("assess-tiers", unit=QUARTER, at=time(6, 0), when_new=False),
    Periodic("mdf-budgets", unit=QUARTER, at=time(6, 30)),
)


def _django_name(command: str) -> str:
    return command.replace("-", "_")


def command_args(entry: Periodic) -> list[str]:
    """The arguments a command runs with; the prune keeps what settings.PARCERIA_JOBS says."""
    if entry.command == "prune-db-task-results":
        jobs = settings.PARCERIA_JOBS
        return [f"--min-age-days={jobs['KEEP_FINISHED_DAYS']}", f"--failed-min-age-days={jobs['KEEP_FAILED_DAYS']}"]
    return list(entry.args)


def due(now: datetime, schedule: Iterable[Periodic] = SCHEDULE) -> list[Periodic]:
    """The entries whose latest slot has come and that were not started since it began."""
    entries = list(schedule)
    last = dict(ScheduledRun.objects.filter(command__in=[e.name for e in entries]).values("command")
                .annotate(last=Max("started_at")).values_list("command", "last"))
    return [e for e in entries if _is_due(e, last.get(e.name), now)]


def _is_due(entry: Periodic, last: datetime | None, now: datetime) -> bool:
    slot = entry.last_slot(now)
    if last is None:
        return entry.when_new or now - slot < timedelta(days=1)
    return last < slot


def run_entry(entry: Periodic, *, now: datetime | None = None) -> ScheduledRun:
    """Run one command in this process and record its outcome (skipped when the command does not exist)."""
    run = ScheduledRun.objects.create(command=entry.name, started_at=now or timezone.now())
    if _django_name(entry.command) not in get_commands():
        logger.warning("schedule: %s does not exist in this installation; skipped", entry.command)
        return _finish(run, RunOutcome.SKIPPED, "no such command in this installation")
    out = io.StringIO()
    try:
        call_command(_django_name(entry.command), *command_args(entry), stdout=out, stderr=out)
    except (Exception, SystemExit) as exc:
        text = out.getvalue() + "".join(traceback.format_exception_only(exc))
        logger.error("schedule: %s failed: %s", entry.name, text.strip().splitlines()[-1] if text.strip() else exc)
        return _finish(run, RunOutcome.FAILED, text)
    logger.info("schedule: %s succeeded", entry.name)
    return _finish(run, RunOutcome.OK, out.getvalue())


def _finish(run: ScheduledRun, outcome: str, output: str) -> ScheduledRun:
    run.outcome, run.output, run.finished_at = outcome, output[-OUTPUT_KEPT:], timezone.now()
    run.save(update_fields=["outcome", "output", "finished_at"])
    return run


def run_due(*, now: datetime | None = None, renew: Callable[[], bool] = lambda: True) -> list[ScheduledRun]:
    """Run every entry that is due, in order, renewing the lease between commands; stops if the lease is lost."""
    runs = []
    for entry in due(now or timezone.now()):
        if not renew():
            break
        runs.append(run_entry(entry))
    cutoff = timezone.now() - timedelta(days=int(settings.PARCERIA_JOBS["KEEP_RUNS_DAYS"]))
    ScheduledRun.objects.filter(started_at__lt=cutoff).delete()
    return runs


def holder_name() -> str:
    return f"{socket.gethostname()[:80]}-{os.getpid()}-{get_random_string(6)}"


def lease_take(name: str, holder: str, *, now: datetime | None = None) -> bool:
    """Take or renew the lease `name` for `holder`: true when it is free, expired or already `holder`'s."""
    now = now or timezone.now()
    taken = Lease.objects.filter(Q(holder=holder) | Q(expires_at__lt=now), name=name).update(
        holder=holder, expires_at=now + LEASE)
    if taken:
        return True
    try:
        with transaction.atomic():
            Lease.objects.create(name=name, holder=holder, expires_at=now + LEASE)
    except IntegrityError:
        return False
    return True


def lease_release(name: str, holder: str) -> None:
    Lease.objects.filter(name=name, holder=holder).delete()
