"""`parceria notifications-deliver [--loop]`: deliver the due notifications without the task queue."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from parceria.notifications.delivery import deliver_due


class Command(BaseCommand):
    help = "Deliver the due notifications (e-mail and chat webhooks), once or with --loop until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep delivering, looking for due work every second.")
        parser.add_argument("--limit", type=int, default=100, help="Notifications claimed at a time (default 100).")

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        while True:
            done = deliver_due(options["limit"])
            total += done
            if done:
                continue
            if not options["loop"]:
                break
            time.sleep(1)
        self.stdout.write(f"{total} notifications attempted")
