"""`parceria deals_expire [--today YYYY-MM-DD] [--dry-run]`: the daily deal registrations job (run it from cron).

Registrations approved or in review whose expiry date has come become expired, and the partner admins of approved
registrations expiring within the warning days are e-mailed once (deals/expiry.py). Prints one line per change and
the counts. Idempotent: a second run on the same day changes nothing and says so."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from parceria.common.audit import Actor
from parceria.common.commands import add_today_argument, today_option
from parceria.deals.expiry import deals_expire


class Command(BaseCommand):
    help = "Expire deal registrations whose date has come and warn the partners of those expiring soon."

    def add_arguments(self, parser: CommandParser) -> None:
        add_today_argument(parser)
        parser.add_argument("--dry-run", action="store_true", help="Show what would change without writing.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = today_option(options)
        run = deals_expire(today=today, actor=Actor.system("deals-expire"), dry_run=options["dry_run"])
        for line in run.lines:
            self.stdout.write(line)
        self.stdout.write(run.summary())
