"""`parceria ledger-totals --check | --rebuild`: compare the ledger-totals projection with the ledger lines, or
recompute it from them.

--check prints every group (partner, month, kind, currency) whose total differs from its lines, every group
of a closed month's balance snapshot that differs from the totals of the months up to it, and every difference in
the projections other apps register with it (commissions.totals.register_derived_projection: the payouts' marketing
fund reimbursement snapshots), and exits 1 if there is any; it writes nothing and is safe to run from cron.
--rebuild recomputes the whole projection in one transaction while ledger writers wait (seconds for a million
lines), then the snapshots from it, then the registered projections, then checks them all."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parceria.commissions.totals import (
    derived_projections,
    snapshots_check,
    snapshots_rebuild,
    totals_check,
    totals_rebuild,
)


class Command(BaseCommand):
    help = "Check the ledger-totals projection against the ledger lines (--check) or rebuild it (--rebuild)."

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true", help="Report differences; exit 1 if any.")
        action.add_argument("--rebuild", action="store_true", help="Recompute the projection from the lines.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            groups = totals_rebuild()
            self.stdout.write(f"Rebuilt the ledger totals: {groups:,} groups.")
            snapshotted = snapshots_rebuild()
            self.stdout.write(f"Rebuilt the balance snapshots: {snapshotted:,} groups.")
            for projection in derived_projections():
                self.stdout.write(f"Rebuilt the {projection.name}: {projection.rebuild():,} rows.")
        differences = totals_check()
        for d in differences:
            self.stdout.write(
                f"partner {d.partner_id} {d.period:%Y-%m} {d.kind} {d.currency}: lines {d.lines_amount} "
                f"({d.lines_count} lines), totals {d.total_amount} ({d.total_count} lines)"
            )
        stale = snapshots_check()
        for s in stale:
            self.stdout.write(
                f"snapshot {s.month:%Y-%m} partner {s.partner_id} {s.kind} {s.currency}: totals {s.totals_amount} "
                f"({s.totals_count} lines), snapshot {s.snapshot_amount} ({s.snapshot_count} lines)"
            )
        projections = derived_projections()
        derived = {p.name: p.check() for p in projections}
        for name, lines in derived.items():
            for line in lines:
                self.stdout.write(f"{name}: {line}")
        others = "".join(f" and {len(lines)} difference(s) in the {name}" for name, lines in derived.items() if lines)
        if differences or stale or others:
            raise CommandError(
                f"{len(differences)} ledger-total group(s) differ from the lines and {len(stale)} balance-snapshot "
                f"group(s) from the totals{others}; run `parceria ledger-totals --rebuild`."
            )
        agree = "".join(f", and the {p.name} with {p.source}" for p in projections)
        self.stdout.write(
            f"The ledger totals agree with the ledger lines, and the balance snapshots with the totals{agree}."
        )
