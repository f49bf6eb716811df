"""`parceria mdf-expire [--today YYYY-MM-DD] [--dry-run]`: the daily marketing fund expiry (docs/mdf.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from parceria.common.audit import Actor
from parceria.common.commands import add_today_argument, today_option
from parceria.mdf.services import mdf_expire


class Command(BaseCommand):
    help = "Expire approved marketing fund requests not claimed in time, and budgets past their date."

    def add_arguments(self, parser: CommandParser) -> None:
        add_today_argument(parser)
        parser.add_argument("--dry-run", action="store_true", help="Show what would change without writing.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = today_option(options)
        run = mdf_expire(today=today, actor=Actor.system("mdf-expire"), dry_run=options["dry_run"])
        for request in run.requests:
            self.stdout.write(f"request {request.pk} {request.title!r}: approved, not claimed")
        for budget in run.budgets:
            self.stdout.write(f"budget {budget.pk} partner {budget.partner_id} {budget.quarter_label}")
        self.stdout.write(run.summary())
