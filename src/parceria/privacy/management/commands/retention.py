"""`parceria retention [--today YYYY-MM-DD] [--apply]`: apply the retention schedule (privacy/retention_data.py).

By default a dry run: per rule what it would remove or clear, how many records, the oldest one's date and how many
past their period a legal hold keeps; nothing is written. `--apply` removes exactly those, one transaction per rule,
audited per rule that removed something, and prints the same figures. A second run finds nothing to do."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from parceria.common.audit import Actor
from parceria.common.commands import add_today_argument, today_option
from parceria.privacy.retention import retention_apply, retention_plan


class Command(BaseCommand):
    help = "Apply the retention schedule: a dry run by default (a report per rule); --apply removes."

    def add_arguments(self, parser: CommandParser) -> None:
        add_today_argument(parser)
        parser.add_argument("--apply", action="store_true", help="Remove what the dry run reports.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = today_option(options)
        if options["apply"]:
            run = retention_apply(today=today, actor=Actor.system("command:retention"))
        else:
            run = retention_plan(today=today)
        for report in run.reports:
            self.stdout.write(report.line())
        self.stdout.write(run.summary())
