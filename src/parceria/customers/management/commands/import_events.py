from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from parceria.common.errors import ParceriaError
from parceria.customers.csv_import import CsvFormatError, count_rows, events_import_csv


class Command(BaseCommand):
    help = "Import events from a CSV file (same rules as POST /api/v1/events). Rejected rows are listed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        total = count_rows(path)
        columns = (TextColumn("Importing events"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        try:
            with Progress(*columns, disable=options["quiet"]) as progress:
                task = progress.add_task("import", total=total)
                report = events_import_csv(
                    path=path, submitted_by=f"csv:{path.name}", progress=lambda n: progress.advance(task, n)
                )
        except (CsvFormatError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: {exc}") from None
        except ParceriaError as exc:
            raise CommandError(exc.message) from None
        for r in report.rejected[:200]:
            self.stderr.write(f"line {r.index}: {r.id or '-'}: {r.error}")
        if len(report.rejected) > 200:
            self.stderr.write(f"… and {len(report.rejected) - 200} more rejected rows")
        self.stdout.write(
            f"{report.rows} rows: {report.accepted} accepted, {report.duplicates} duplicates, "
            f"{len(report.rejected)} rejected"
        )
        if report.rejected:
            raise SystemExit(2)  # some rows were rejected: scripts can tell
