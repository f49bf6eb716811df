"""`parceria mdf-budgets [--quarter 2026Q4]`: create the quarter's marketing fund budgets (idempotent; docs/mdf.md).
Run by the schedule on each quarter's first day; default: the quarter of today."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from parceria.common.audit import Actor
from parceria.common.errors import InvalidInput
from parceria.mdf.services import budgets_create, parse_quarter, quarter_start


class Command(BaseCommand):
    help = "Create the quarter's marketing development fund budgets (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quarter", default=None, help="YYYYQn (default: the current quarter).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            quarter = parse_quarter(options["quarter"]) if options["quarter"] else quarter_start(timezone.localdate())
        except InvalidInput as error:
            raise CommandError(str(error)) from None
        run = budgets_create(quarter=quarter, actor=Actor.system("mdf-budgets"))
        for budget in run.created:
            self.stdout.write(f"partner {budget.partner_id} ({budget.tier}): {budget.amount} {budget.currency}")
        self.stdout.write(run.summary())
