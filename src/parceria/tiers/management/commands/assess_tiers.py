"""`parceria assess-tiers [--dry-run] [--today YYYY-MM-DD]`: assess every active partner's tier (run quarterly).

Prints one line per tier change and a summary. Safe to re-run: the same day gives the same result and no new
change (the day's assessments are replaced, tiers already changed stay as they are)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from parceria.common.audit import Actor
from parceria.common.commands import add_today_argument, given_day
from parceria.tiers.assessment import tiers_assess


class Command(BaseCommand):
    help = "Assess partner tiers: promotions at once, demotions after a full quarter below the requirements."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Show the changes without writing anything.")
        add_today_argument(parser, "The assessment day (YYYY-MM-DD; default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        day = given_day(options)
        if day is not None and day != timezone.localdate(now):
            # The end of that day (or now, if it is today): everything that happened on it counts.
            now = datetime.combine(day, time(23, 59, 59), tzinfo=timezone.get_default_timezone())
        run = tiers_assess(actor=Actor.system("assess-tiers"), now=now, dry_run=options["dry_run"])
        for outcome in run.changes:
            self.stdout.write(outcome.line())
        self.stdout.write(run.summary())
