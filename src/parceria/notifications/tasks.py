"""The delivery task: queued after a commit that wrote notifications, and again for the time of a retry.
`parceria notifications-deliver` runs the same loop without the queue."""

from __future__ import annotations

from datetime import datetime

from parceria.jobs.drain import drain
from parceria.jobs.retry import retrying_task
from parceria.notifications.delivery import deliver_due


@retrying_task(max_attempts=3, backoff_seconds=30)
def deliver_due_task() -> int:
    """Deliver what is due, batch after batch, until nothing is due now; answers how many were attempted."""
    return drain(deliver_due)


def queue_delivery(*, run_after: datetime | None = None) -> None:
    chosen = deliver_due_task.using(run_after=run_after) if run_after is not None else deliver_due_task
    chosen.enqueue()
