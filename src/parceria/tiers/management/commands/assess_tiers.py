"""`parceria assess-tiers [--dry-run] [--today YYYY-MM-DD]`: assess every active partner's tier (run quarterly).

Prints one line per tier change and a summary. Safe to re-run: the same day gives the same result and no new
change (the day's assessments are replaced, tiers already changed stay as they are)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from parceria.common.audit import Actor
from parceria.tiers.assessment import tiers_assess


class Command(BaseCommand):
    help = "Assess partner tiers: promotions at once, demotions after a full quarter below the requirements."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Show the changes without writing anything.")
        parser.add_argument("--today", default=None, help="The assessment day (YYYY-MM-DD; default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["today"]:
            try:
                day = date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(f"--today must be a date (YYYY-MM-DD), not {options['today']!r}") from None
            if day != timezone.localdate(now):
                # The end of that day (or now, if it is today): everything that happened on it counts.
                now = datetime.combine(day, time(23, 59, 59), tzinfo=timezone.get_default_timezone())
        run = tiers_assess(actor=Actor.system("assess-tiers"), now=now, dry_run=options["dry_run"])
        for outcome in run.changes:
            self.stdout.write(outcome.line())
        self.stdout.write(run.summary())
