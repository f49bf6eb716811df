"""The delivery task (the Django Tasks API): queued after a commit that wrote deliveries, and again for the time of
the next retry. `parceria webhooks-deliver` runs the same loop without the queue (a safety net)."""

from __future__ import annotations

from datetime import datetime

from django_tasks import task

from parceria.jobs.drain import drain
from parceria.webhooks.delivery import deliver_due


@task()
def deliver_due_task() -> int:
    """Deliver what is due, batch after batch, until nothing is due now; answers how many were attempted."""
    return drain(deliver_due)


def queue_delivery(*, run_after: datetime | None = None) -> None:
    """Queue the delivery task now, or to run at `run_after` (a retry's time)."""
    chosen = deliver_due_task.using(run_after=run_after) if run_after is not None else deliver_due_task
    chosen.enqueue()
