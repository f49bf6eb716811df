"""A task module no test imports: the worker must find its declared policy from the queue's path alone."""

from __future__ import annotations

from parceria.jobs.retry import retrying_task


@retrying_task(max_attempts=2, backoff_seconds=3)
def never_imported() -> None:
    """Declared here only."""
