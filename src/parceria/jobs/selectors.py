"""Reads of the queue and the schedule for the Jobs page: rows by state, the counts per state, live workers, the
last run of each periodic command."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.translation import pgettext_lazy
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from parceria.jobs.models import ScheduledRun, WorkerHeartbeat
from parceria.jobs.queue import lease
from parceria.jobs.schedule import SCHEDULE

#: The states the page filters by, as people call them, and the queue's statuses behind each.
STATES = {
    "waiting": (pgettext_lazy("background task", "Waiting"), TaskResultStatus.READY),
    "running": (pgettext_lazy("background task", "Running"), TaskResultStatus.RUNNING),
    "failed": (pgettext_lazy("background task", "Failed"), TaskResultStatus.FAILED),
    "done": (pgettext_lazy("background task", "Done"), TaskResultStatus.SUCCESSFUL),
}
STATE_OF = {status: key for key, (_label, status) in STATES.items()}
ARGUMENTS_SHOWN = 80


def job_list(*, state: str = "") -> QuerySet[DBTaskResult]:
    """The queue's rows, all or in one state (`STATES`), without the large columns the list does not show."""
    rows = DBTaskResult.objects.defer("return_value")
    if state in STATES:
        rows = rows.filter(status=STATES[state][1])
    return rows


def job_counts() -> dict[str, int]:
    """How many rows the queue holds in each state (one query)."""
    found = dict(DBTaskResult.objects.order_by().values_list("status").annotate(n=Count("pk")).values_list(
        "status", "n"))
    return {key: found.get(status, 0) for key, (_label, status) in STATES.items()}


def live_worker_count() -> int:
    return WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - lease()).count()


def arguments_text(args_kwargs: dict[str, Any], *, limit: int | None = ARGUMENTS_SHOWN) -> str:
    """A task's arguments as a call reads them ("7, 'a', payout_id=12"), cut to `limit` characters with "…"."""
    parts = [json.dumps(a, ensure_ascii=False) for a in args_kwargs.get("args", [])]
    parts += [f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in args_kwargs.get("kwargs", {}).items()]
    text = ", ".join(parts)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def error_line(row: DBTaskResult) -> str:
    """The last line of a row's traceback without the exception's module ("CommandError: 2 month(s) differ"), or
    ""."""
    lines = [line for line in row.traceback.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    kind, colon, message = lines[-1].strip().partition(":")
    return f"{kind.rpartition('.')[2]}{colon}{message}" if " " not in kind else lines[-1].strip()


@dataclass(frozen=True)
class JobRow:
    """One row of the Jobs table as the page and the export show it."""

    row: DBTaskResult
    state: str
    name: str
    arguments: str
    attempts: int
    error: str
    next_attempt: Any

    @property
    def state_label(self) -> str:
        return str(STATES[self.state][0])


def job_row(row: DBTaskResult, *, limit: int | None = ARGUMENTS_SHOWN) -> JobRow:
    retrying = row.status == TaskResultStatus.READY and row.run_after != get_date_max()
    return JobRow(row=row, state=STATE_OF.get(row.status, "waiting"), name=row.task_path.rpartition(".")[2],
                  arguments=arguments_text(row.args_kwargs, limit=limit), attempts=len(row.worker_ids),
                  error=error_line(row) if row.status in (TaskResultStatus.FAILED, TaskResultStatus.READY) else "",
                  next_attempt=row.run_after if retrying else None)


@dataclass(frozen=True)
class CommandLastRun:
    name: str
    run: ScheduledRun | None


def schedule_last_runs() -> list[CommandLastRun]:
    """Each periodic command of the schedule with its latest run (two queries)."""
    names = [e.name for e in SCHEDULE]
    latest = (ScheduledRun.objects.filter(command__in=names).values("command").annotate(last=Max("started_at")))
    starts = {r["command"]: r["last"] for r in latest}
    runs = {r.command: r for r in ScheduledRun.objects.filter(
        command__in=list(starts), started_at__in=list(starts.values()))}
    return [CommandLastRun(name=n, run=runs.get(n)) for n in names]
