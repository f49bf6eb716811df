"""`parceria alerts`: what needs attention today, one line per alert. Read-only and idempotent (cron-safe)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from parceria.common.alerts import alerts_due, lead_days_setting


class Command(BaseCommand):
    help = (
        "List what needs attention today: agreement renewals and notice deadlines within the lead window, partners "
        "past their lifecycle stage, late onboarding check-ins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lead-days", type=int, default=None, help="Days ahead to look (default: setting, 30).")
        parser.add_argument("--today", default=None, help="The day to look from (YYYY-MM-DD; default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        lead = options["lead_days"] if options["lead_days"] is not None else lead_days_setting()
        if lead < 0:
            raise CommandError("--lead-days must not be negative")
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"--today must be a date (YYYY-MM-DD), not {options['today']!r}") from None
        alerts = alerts_due(today, lead)
        for alert in alerts:
            self.stdout.write(alert.line())
        if not alerts:
            self.stdout.write(f"nothing needs attention in the next {lead} days")
