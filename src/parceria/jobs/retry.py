"""How a background task is declared, and what happens when it raises: the one way for any app to declare a task.

    from parceria.jobs.retry import retrying_task

    @retrying_task(max_attempts=8, backoff_seconds=30)
    def statement_render(*, payout_id: int) -> None: ...

    statement_render.enqueue(payout_id=payout.pk)   # in the write's transaction: the queue is a table, so a
                                                    # rolled-back change enqueues nothing

`retrying_task` is Django's `@task` (the Django Tasks API, django-tasks) plus a retry policy. `parceria worker` runs
every task of the queue; when one raises, the worker puts it back in the queue to run after
`backoff_seconds × 2^(attempt − 1)` seconds (at most `backoff_cap_seconds`) until it has had `max_attempts`
attempts, and then marks it failed: it stays on the console's Jobs page with its error, where staff can run it
again. A task declared with plain `@task` gets the defaults of settings.PARCERIA_JOBS. `max_attempts=1` means no
retry. Tasks run at least once: a task retried after a crash must be safe to run twice (idempotent).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string
from django_tasks import DEFAULT_TASK_QUEUE_NAME, task


@dataclass(frozen=True)
class RetryPolicy:
    """How often a task is tried, and how long the worker waits before each new attempt."""

    max_attempts: int
    backoff_seconds: float
    backoff_cap_seconds: float

    def delay(self, attempts: int) -> timedelta:
        """The wait before the next attempt, after `attempts` failed ones: base × 2^(attempts − 1), capped."""
        exponent = min(max(attempts - 1, 0), 60)
        return timedelta(seconds=min(self.backoff_seconds * 2**exponent, self.backoff_cap_seconds))

    def gives_up(self, attempts: int) -> bool:
        return attempts >= self.max_attempts


#: The policies tasks declared for themselves, by the task's module path (what the queue stores).
_DECLARED: dict[str, dict[str, Any]] = {}


def default_policy() -> RetryPolicy:
    jobs = settings.PARCERIA_JOBS
    return RetryPolicy(max_attempts=int(jobs["MAX_ATTEMPTS"]), backoff_seconds=float(jobs["BACKOFF_SECONDS"]),
                       backoff_cap_seconds=float(jobs["BACKOFF_CAP_SECONDS"]))


def policy_for(task_path: str) -> RetryPolicy:
    """The retry policy of the task stored at `task_path`: its own where it declared one, else the defaults."""
    base = default_policy()
    if task_path not in _DECLARED:
        with suppress(ImportError):  # a task gone from the code gets the defaults
            import_string(task_path)  # its module declares the policy when imported
    own = _DECLARED.get(task_path, {})
    return RetryPolicy(
        max_attempts=own.get("max_attempts") or base.max_attempts,
        backoff_seconds=own.get("backoff_seconds") or base.backoff_seconds,
        backoff_cap_seconds=own.get("backoff_cap_seconds") or base.backoff_cap_seconds,
    )


def retrying_task(
    *,
    max_attempts: int | None = None,
    backoff_seconds: float | None = None,
    backoff_cap_seconds: float | None = None,
    queue_name: str = DEFAULT_TASK_QUEUE_NAME,
    priority: int = 0,
    takes_context: bool = False,
) -> Callable[[Callable[..., Any]], Any]:
    """Declare a background task (a module-level function) with its retry policy; None keeps the default."""
    if max_attempts is not None and max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")

    def declare(func: Callable[..., Any]) -> Any:
        declared = task(func, queue_name=queue_name, priority=priority, takes_context=takes_context)
        _DECLARED[declared.module_path] = {"max_attempts": max_attempts, "backoff_seconds": backoff_seconds,
                                           "backoff_cap_seconds": backoff_cap_seconds}
        return declared

    return declare
