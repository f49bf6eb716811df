"""`parceria agreements-expire [--today YYYY-MM-DD] [--dry-run]`: the daily agreements job (run it from cron).

Agreements whose term is over and that do not renew by themselves become expired (a rate override they granted
ends the next day); agreements that renew by themselves have each renewal that took effect recorded. Prints one
line per change and a summary. Idempotent: a second run on the same day changes nothing and says so."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from parceria.agreements.alerts import renewals_due_emit
from parceria.agreements.expiry import agreements_expire
from parceria.common.alerts import lead_days_setting
from parceria.common.audit import Actor
from parceria.common.commands import add_today_argument, today_option


class Command(BaseCommand):
    help = "Expire agreements whose term is over and record the renewals of those that renew by themselves."

    def add_arguments(self, parser: CommandParser) -> None:
        add_today_argument(parser)
        parser.add_argument("--dry-run", action="store_true", help="Show what would change without writing.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = today_option(options)
        run = agreements_expire(today=today, actor=Actor.system("agreements-expire"), dry_run=options["dry_run"])
        for outcome in run.outcomes:
            self.stdout.write(outcome.line())
        self.stdout.write(run.summary())
        if not options["dry_run"]:
            renewals_due_emit(today, lead_days_setting())
