"""`parceria backup [--output DIR] [--verify]`: one backup set (the database, the media folder, a manifest of
figures and hashes) in a folder named by the UTC moment, under DIR (default: $PARCERIA_VAR_DIR/backups).

--verify restores the set just written into a scratch database and compares its row counts and decimal sums with
the manifest, table by table; it exits 1 naming what differs. Safe to run while the server runs, and from cron
(docs/backup.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parceria.common.audit import Actor
from parceria.privacy.backup import BackupError, BackupSet, backup_create, backup_verify


def write_figures(command: BaseCommand, backup: BackupSet) -> None:
    """The set's figures: totals, then every table with rows and every non-zero sum (all of them at -v 2)."""
    figures = backup.figures
    everything = command.verbosity >= 2  # type: ignore[attr-defined]
    rows = sum(figures.rows.values())
    command.stdout.write(f"  {len(figures.rows)} tables, {rows:,} rows, {backup.manifest['media_files']} media files")
    command.stdout.write("  rows per table:" if everything else "  rows per table (tables with rows):")
    for table, count in figures.rows.items():
        if count or everything:
            command.stdout.write(f"  {table}: {count:,}")
    for table, columns in figures.sums.items():
        for column, total in columns.items():
            if everything or any(ch not in "0." for ch in total.lstrip("-")):
                command.stdout.write(f"  Σ {table}.{column} = {total}")


class Command(BaseCommand):
    help = "Back up the database and the media folder into one verified backup set."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", default=None, help="Folder to write the set in (default: $PARCERIA_VAR_DIR/backups)."
        )
        parser.add_argument(
            "--verify",
            action="store_true",
            help="Restore the set into a scratch database and compare it with the manifest.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options["verbosity"])
        output = Path(options["output"]) if options["output"] else None
        try:
            backup = backup_create(output=output, actor=Actor.system("command:backup"))
        except (BackupError, OSError) as e:
            raise CommandError(f"No backup written: {e}") from None
        self.stdout.write(f"Backup written to {backup.path}")
        if self.verbosity >= 1:
            write_figures(self, backup)
        if not options["verify"]:
            return
        try:
            differences = backup_verify(backup)
        except (BackupError, OSError) as e:
            raise CommandError(f"The backup at {backup.path} could not be verified: {e}") from None
        if differences:
            for line in differences:
                self.stdout.write(f"  differs: {line}")
            raise CommandError(
                f"The backup at {backup.path} does not restore to what it recorded: {len(differences)} difference(s)."
            )
        self.stdout.write("Verified: restored into a scratch database, every row count and sum matches the manifest.")
