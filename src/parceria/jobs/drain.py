"""The one loop of the commands that deliver due work without the task queue (`parceria webhooks-deliver`,
`parceria notifications-deliver`): claim a batch, deliver it, again while there was work; with --loop keep looking
every second until stopped. A subclass names what it delivers and how one batch is delivered."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

#: How many items a delivery task claims at a time.
BATCH = 100


def drain(deliver: Callable[[int], int], batch: int = BATCH) -> int:
    """The body of a delivery task: deliver batch after batch until a batch comes back short (nothing more is due
    now); answers how many were attempted."""
    total = 0
    while True:
        done = deliver(batch)
        total += done
        if done < batch:
            return total


class DrainCommand(BaseCommand):
    #: What is delivered, in the plural, for the help and the closing line ("deliveries", "notifications").
    noun = "items"

    def deliver(self, limit: int) -> int:
        """Deliver at most `limit` due items; answer how many were attempted."""
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep delivering, looking for due work every second.")
        parser.add_argument("--limit", type=int, default=100,
                            help=f"{self.noun.capitalize()} claimed at a time (default 100).")

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        while True:
            done = self.deliver(options["limit"])
            total += done
            if done:
                continue
            if not options["loop"]:
                break
            time.sleep(1)
        self.stdout.write(f"{total} {self.noun} attempted")
