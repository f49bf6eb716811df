from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parceria.common.errors import ParceriaError
from parceria.common.fx import PTAX_USES, fx_import_ptax

_LISTED = 200


def read_text(path: Path) -> str:
    """A PTAX file's text: UTF-8 (with or without BOM), else Latin-1 (the Banco Central's own files)."""
    if not path.is_file():
        raise CommandError(f"{path} is not a file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if b"\x00" in data:
        raise CommandError(f"{path}: not a text file (it holds NUL bytes); expected a PTAX CSV in UTF-8 or Latin-1")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


class Command(BaseCommand):
    help = (
        "Import FX rates from a Banco Central do Brasil PTAX CSV (date;code;type;symbol;buy;sell;parities). "
        "Stores each currency's rate in BRL and its inverse; existing rates are never overwritten. "
        "Exits with status 2 if any line was rejected."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--use", choices=PTAX_USES, default="sell", help="Which PTAX rate to store (default sell).")
        parser.add_argument("--source", default="BCB PTAX", help="Source name stored with each rate.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        text = read_text(path)
        try:
            report = fx_import_ptax(text=text, use=options["use"], source=options["source"])
        except ParceriaError as exc:
            raise CommandError(f"{path}: {exc.message}") from None
        for problem in report.rejected[:_LISTED]:
            self.stderr.write(f"line {problem.line}: {problem.code}: {problem.error}")
        if len(report.rejected) > _LISTED:
            self.stderr.write(f"… and {len(report.rejected) - _LISTED} more rejected lines")
        names = report.skipped_currencies
        skipped = f" ({', '.join(names[:12])}{', …' if len(names) > 12 else ''})" if names else ""
        self.stdout.write(
            f"{report.lines} lines: {report.imported} imported ({report.rates_stored} rates stored, inverses "
            f"included), {report.duplicates} duplicates, {report.skipped} skipped{skipped}, "
            f"{len(report.rejected)} rejected"
        )
        if report.rejected:
            raise SystemExit(2)  # some lines were rejected: scripts can tell
