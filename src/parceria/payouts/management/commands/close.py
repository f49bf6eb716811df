from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parceria.common.audit import Actor
from parceria.common.errors import ParceriaError
from parceria.common.months import parse_month
from parceria.payouts.close import close_preview, period_close
from parceria.payouts.close_summary import plan_as_dict, plan_totals


class Command(BaseCommand):
    help = "Close a month (YYYY-MM): lock it, pay balances at or above the minimum, carry the rest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period", help="The month to close, YYYY-MM.")
        parser.add_argument("--preview", action="store_true", help="Show what the close would do; write nothing.")
        parser.add_argument("--json", action="store_true", help="Print the full result as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = parse_month(options["period"])
            if options["preview"]:
                plan = close_preview(month=month)
            else:
                plan = period_close(month=month, actor=Actor.system("command:close"))
        except ParceriaError as exc:
            raise CommandError(exc.message) from None
        result = plan_as_dict(plan)
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
            return
        for warning in plan.warnings:
            self.stderr.write(f"warning: {warning}")
        verb = "would pay" if options["preview"] and plan.batch_id is None else "paid"
        for t in plan_totals(plan):
            withheld = ", ".join(f"{code} {amount}" for code, amount in t.withheld.items()) or "none"
            line = f"{t.currency}: {verb} {t.payouts} partners, gross {t.gross}, withheld {withheld}, net {t.net}"
            if t.employer_contributions:
                costs = ", ".join(f"{code} {amount}" for code, amount in t.employer_contributions.items())
                line += f"; company contributions (not withheld) {costs}"
            self.stdout.write(line)
        self.stdout.write(f"carried: {len(plan.carried)} balances")
        batch = f"batch #{plan.batch_id}" if plan.batch_id else "no batch (preview)"
        self.stdout.write(f"{result['period']}: {batch}")
