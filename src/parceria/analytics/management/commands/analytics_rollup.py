"""`parceria analytics-rollup [--check [--repair] | --rebuild]`: bring the analytics' monthly roll-up up to date with
every write so far (what any analytics page does first, done ahead of it: after a deploy, nightly, after a large
import), compare it with a fresh computation from the invoices, refunds, customers and ledger (--check: exits 1 on a
difference; with --repair it builds again from the first month that differs, says so and exits 0), or recompute it
all (--rebuild). docs/analytics.md, "The facts every figure is built from"."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parceria.analytics.rollup import differences, ensure, repair


class Command(BaseCommand):
    help = "Bring the analytics' monthly roll-up up to date, check it (--check) or rebuild it (--rebuild)."

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--check", action="store_true", help="Report differences; exit 1 if any.")
        action.add_argument("--rebuild", action="store_true", help="Recompute every month from the start.")
        parser.add_argument("--repair", action="store_true",
                            help="With --check: build again from the first month that differs, and exit 0.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        state = ensure(rebuild=options["rebuild"])
        seconds = time.perf_counter() - started
        if state.first_month is None or state.last_month is None or state.first_month > state.last_month:
            self.stdout.write(f"The roll-up is up to date: no month over has any data yet ({seconds:.1f}s).")
        else:
            self.stdout.write(f"The roll-up is up to date: {state.first_month:%Y-%m} to {state.last_month:%Y-%m}, "
                              f"version {state.version} ({seconds:.1f}s).")
        if not options["check"]:
            return
        found = differences()
        for d in found[:50]:
            changed = {k: (v, d["computed"][k]) for k, v in d["stored"].items() if v != d["computed"][k]}
            self.stdout.write(f"{d['month'][:7]} partner {d['partner_id'] or 'direct'}: "
                              + ", ".join(f"{k} stored {a} computed {b}" for k, (a, b) in changed.items()))
        if found and options["repair"]:
            months = repair()
            self.stdout.write(f"Built again from {months[0]:%Y-%m}: {len(months)} month(s)." if months else
                              "Nothing to build again: the roll-up agrees now.")
            if differences():
                raise CommandError("The roll-up still differs after the repair; run `parceria analytics-rollup "
                                   "--rebuild`.")
            return
        if found:
            raise CommandError(f"{len(found)} month(s) and partner(s) of the roll-up differ from a fresh computation; "
                               "run `parceria analytics-rollup --rebuild`.")
        self.stdout.write("The roll-up agrees with the invoices, refunds, customers and ledger.")
