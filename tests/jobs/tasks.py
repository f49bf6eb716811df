"""Tasks the jobs tests enqueue (a module the worker, in this process or another, imports by path)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django_tasks import TaskContext, task

from parceria.jobs.retry import retrying_task


@retrying_task(max_attempts=3, backoff_seconds=10, backoff_cap_seconds=25)
def flaky(*, fail_times: int, marker: str) -> str:
    """Raises on its first `fail_times` runs (counted in the file `marker`), then answers "done"."""
    path = Path(marker)
    runs = int(path.read_text()) + 1 if path.exists() else 1
    path.write_text(str(runs))
    if runs <= fail_times:
        raise RuntimeError(f"run {runs} fails")
    return "done"


@task()
def plain_boom() -> None:
    raise ValueError("always")


@retrying_task(max_attempts=2, takes_context=True)
def hold_first_attempt(context: TaskContext, *, marker: str) -> int:
    """The first attempt writes its process id to `marker` and waits (to be killed); later attempts return their
    number."""
    if context.attempt == 1:
        Path(marker).write_text(str(os.getpid()))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.05)
    return context.attempt


@task()
def add(a: int, b: int) -> int:
    return a + b
