"""`parceria webhooks-deliver [--loop]`: deliver the due webhook deliveries without the task queue."""

from __future__ import annotations

from parceria.jobs.drain import DrainCommand
from parceria.webhooks.delivery import deliver_due


class Command(DrainCommand):
    help = "Deliver the due webhook deliveries (once, or with --loop until stopped)."
    noun = "deliveries"

    def deliver(self, limit: int) -> int:
        return deliver_due(limit)
