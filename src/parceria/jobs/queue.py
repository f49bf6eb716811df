"""What happens to a row of the queue (django-tasks-db's `DBTaskResult`) besides running it: put back after a
failure with back-off, failed for good, put back when its worker died, run again by staff. The worker
(jobs/worker.py) and the Jobs page call these; nothing else changes a row's status."""

from __future__ import annotations

import traceback
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import exclusive_transaction

from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import Conflict
from parceria.jobs.models import WorkerHeartbeat
from parceria.jobs.retry import policy_for


class WorkerLost(Exception):
    """The worker running a task stopped beating (killed, machine lost) before the task finished."""


def _record_error(row: DBTaskResult, exc: BaseException) -> None:
    row.exception_class_path = f"{type(exc).__module__}.{type(exc).__qualname__}"
    row.traceback = "".join(traceback.format_exception(exc))


def task_failed(row: DBTaskResult, exc: BaseException, *, now: datetime | None = None) -> bool:
    """A run of `row` raised `exc`: put it back in the queue after its back-off, or, when it has had all its
    attempts, mark it failed. The error is kept on the row either way. True when it will run again."""
    now = now or timezone.now()
    policy = policy_for(row.task_path)
    attempts = len(row.worker_ids)
    _record_error(row, exc)
    row.return_value = None
    if policy.gives_up(attempts):
        row.status = TaskResultStatus.FAILED
        row.finished_at = now
    else:
        row.status = TaskResultStatus.READY
        row.run_after = now + policy.delay(attempts)
    row.save(update_fields=["status", "finished_at", "run_after", "exception_class_path", "traceback",
                            "return_value"])
    return row.status == TaskResultStatus.READY


def live_workers(*, now: datetime | None = None) -> set[str]:
    """The ids of the worker threads seen within LEASE_SECONDS."""
    now = now or timezone.now()
    return set(WorkerHeartbeat.objects.filter(seen_at__gte=now - lease()).values_list("worker_id", flat=True))


def lease() -> timedelta:
    return timedelta(seconds=float(settings.PARCERIA_JOBS["LEASE_SECONDS"]))


def requeue_lost(*, now: datetime | None = None) -> int:
    """Tasks left running by a worker that is gone (no heartbeat for LEASE_SECONDS, e.g. killed with SIGKILL):
    back to the queue at once, or failed (WorkerLost) when that was their last attempt; the heartbeats of dead
    workers are deleted. Returns how many tasks."""
    now = now or timezone.now()
    alive = live_workers(now=now)
    handled = 0
    with exclusive_transaction(DBTaskResult.objects.db):
        running = (DBTaskResult.objects.running().filter(started_at__lt=now - lease())
                   .select_for_update(skip_locked=True))
        for row in running:
            if row.worker_ids and row.worker_ids[-1] in alive:
                continue
            lost = WorkerLost(f"worker {row.worker_ids[-1] if row.worker_ids else '?'} stopped before the task "
                              f"finished (started {row.started_at:%Y-%m-%d %H:%M:%S} UTC)")
            policy = policy_for(row.task_path)
            _record_error(row, lost)
            if policy.gives_up(len(row.worker_ids)):
                row.status, row.finished_at = TaskResultStatus.FAILED, now
            else:
                row.status, row.run_after = TaskResultStatus.READY, get_date_max()
            row.save(update_fields=["status", "finished_at", "run_after", "exception_class_path", "traceback"])
            handled += 1
    # A worker not seen for the lease is dead whether its row stays or not: the rows of killed workers go.
    WorkerHeartbeat.objects.filter(seen_at__lt=now - lease()).delete()
    return handled


def job_retry(*, job_id: Any, actor: Actor) -> DBTaskResult:
    """Staff run a failed task again: it goes back to the queue for one more attempt, now. Audited."""
    with transaction.atomic():
        row = DBTaskResult.objects.select_for_update().filter(pk=job_id).first()
        if row is None:
            raise Conflict(_("This task is no longer in the queue."), code="job_gone")
        if row.status != TaskResultStatus.FAILED:
            raise Conflict(_("Only a failed task can be run again."), code="job_not_failed")
        before = {"status": row.status, "attempts": len(row.worker_ids), "error": row.exception_class_path}
        row.status, row.run_after, row.finished_at = TaskResultStatus.READY, get_date_max(), None
        row.save(update_fields=["status", "run_after", "finished_at"])
        audit_record_create(actor=actor, action="job.retried", obj=row, before=before,
                            after={"status": row.status, "task": row.task_path})
    return row
