from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parceria.common.audit import Actor
from parceria.common.errors import ParceriaError
from parceria.common.months import parse_month
from parceria.payouts.bank_files import CNAB_KINDS, EXPORT_KINDS, batch_export
from parceria.payouts.models import PayoutBatch


class Command(BaseCommand):
    help = ("Export an approved payout batch (by its month, YYYY-MM) as one payout method's file (a CNAB 240 PIX or "
            "TED remittance, a transfer CSV per country or international) or the CSV of every payout.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period", help="The batch's month, YYYY-MM.")
        parser.add_argument("--format", choices=EXPORT_KINDS, default="cnab")
        parser.add_argument("--output", type=Path, help="Where to write the file (default: its own name, here).")
        parser.add_argument(
            "--again", action="store_true", help="Include payouts already sent in an earlier remittance."
        )
        parser.add_argument("--currency", help="For a transfer file whose payouts are in several currencies.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            batch = PayoutBatch.objects.filter(period=parse_month(options["period"])).first()
            if batch is None:
                raise CommandError(f"no payout batch for {options['period']}: close the month first")
            result = batch_export(
                batch=batch,
                kind=options["format"],
                actor=Actor.system("command:export-payouts"),
                again=options["again"],
                currency=options["currency"],
            )
        except ParceriaError as exc:
            raise CommandError(exc.message) from None
        path: Path = options["output"] or Path(result.export.filename)
        path.write_text(
            result.export.content, encoding="ascii" if result.export.kind in CNAB_KINDS else "utf-8", newline=""
        )
        for skipped in result.skipped:
            self.stderr.write(f"skipped payout {skipped['payout_id']}: {skipped['reason']}")
        for warning in result.warnings:
            self.stderr.write(f"check payout {warning['payout_id']}: {warning['warning']}")
        self.stdout.write(f"{len(result.included)} payouts written to {path}")
