from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parceria.common.audit import Actor
from parceria.common.errors import ParceriaError
from parceria.payouts.bank_files import return_file_import


class Command(BaseCommand):
    help = "Read a bank return file (CNAB 240) and mark each payout in it paid or failed (or leave it pending)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        try:
            report = return_file_import(
                text=path.read_bytes(), filename=path.name, actor=Actor.system("command:import-return")
            )
        except ParceriaError as exc:
            raise CommandError(exc.message) from None
        for pending in report.pending:
            self.stdout.write(f"{pending['reference']}: left pending, {pending['note']}")
        for problem in report.problems:
            self.stderr.write(f"{problem['reference']}: {problem['error']}")
        self.stdout.write(
            f"{len(report.paid)} paid, {len(report.failed)} failed, {len(report.unchanged)} unchanged, "
            f"{len(report.pending)} pending, {len(report.problems)} problems"
        )
        if report.problems:
            raise SystemExit(2)
