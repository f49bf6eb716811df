"""`parceria idempotency-prune [--days N]`: the daily job that deletes the API's Idempotency-Keys (and the answers
kept with them) older than IDEMPOTENCY_KEY_DAYS (30) days. Safe to re-run: a second run deletes nothing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from parceria.api.idempotency import prune


class Command(BaseCommand):
    help = "Delete the API's Idempotency-Keys older than IDEMPOTENCY_KEY_DAYS days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None,
                            help="Keep this many days instead (default: IDEMPOTENCY_KEY_DAYS).")

    def handle(self, *args: Any, **options: Any) -> None:
        days = settings.IDEMPOTENCY_KEY_DAYS if options["days"] is None else options["days"]
        if days < 1:
            raise CommandError(f"--days must be at least 1, not {days}")
        deleted = prune(days=days)
        self.stdout.write(f"{deleted} idempotency key(s) older than {days} day(s) deleted")
