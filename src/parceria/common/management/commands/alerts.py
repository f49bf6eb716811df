"""`parceria alerts`: what needs attention today, one line per alert. Read-only and idempotent (cron-safe)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parceria.common.alerts import alerts_due, lead_days_setting
from parceria.common.commands import add_today_argument, today_option


class Command(BaseCommand):
    help = (
        "List what needs attention today: agreement renewals and notice deadlines within the lead window, partners "
        "past their lifecycle stage, late onboarding check-ins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lead-days", type=int, default=None, help="Days ahead to look (default: setting, 30).")
        add_today_argument(parser, "The day to look from (YYYY-MM-DD; default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        lead = options["lead_days"] if options["lead_days"] is not None else lead_days_setting()
        if lead < 0:
            raise CommandError("--lead-days must not be negative")
        today = today_option(options)
        alerts = alerts_due(today, lead)
        for alert in alerts:
            self.stdout.write(alert.line())
        if not alerts:
            self.stdout.write(f"nothing needs attention in the next {lead} days")
