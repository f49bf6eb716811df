from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from parceria.commissions.intake_csv import events_import_csv
from parceria.common.errors import ParceriaError


class Command(BaseCommand):
    help = (
        "Import events from a CSV file in UTF-8 (or UTF-16 with its byte-order mark), with the same rules as "
        "POST /api/v1/events. Rejected lines are listed; exits with status 2 if any was rejected."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        columns = (TextColumn("Importing events"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        try:
            with Progress(*columns, disable=options["quiet"]) as progress:
                task = progress.add_task("import", total=None)
                report = events_import_csv(
                    data=data,
                    submitted_by=f"csv:{path.name}",
                    progress=lambda done, total: progress.update(task, completed=done, total=total),
                )
        except ParceriaError as exc:
            raise CommandError(f"{path}: {exc.message}") from None
        for r in report.rejected[:200]:
            column = f", column {r.field}" if r.field else ""
            self.stderr.write(f"line {r.index}{column}: {r.id or '-'}: {r.error}")
        if len(report.rejected) > 200:
            self.stderr.write(f"… and {len(report.rejected) - 200} more rejected rows")
        self.stdout.write(
            f"{report.rows} rows: {report.accepted} accepted, {report.duplicates} duplicates, "
            f"{len(report.rejected)} rejected"
        )
        if report.rejected:
            raise SystemExit(2)  # some rows were rejected: scripts can tell
