"""`parceria notifications-deliver [--loop]`: deliver the due notifications without the task queue."""

from __future__ import annotations

from parceria.jobs.drain import DrainCommand
from parceria.notifications.delivery import deliver_due


class Command(DrainCommand):
    help = "Deliver the due notifications (e-mail and chat webhooks), once or with --loop until stopped."
    noun = "notifications"

    def deliver(self, limit: int) -> int:
        return deliver_due(limit)
