"""`parceria restore PATH [--yes]`: overwrite the database and the media folder with the backup set at PATH (its
folder or its manifest.json).

Before anything is overwritten it checks the manifest, every file's SHA-256, the database vendor, that this code
knows the backup's migrations and that the database file reads; any failure exits 1 with the reason, nothing
changed. Without --yes it asks on a terminal and refuses elsewhere. Stop every other Parceria process first
(docs/backup.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from parceria.common.audit import Actor
from parceria.privacy.backup import BackupError, backup_check, backup_restore
from parceria.privacy.management.commands.backup import write_figures


class Command(BaseCommand):
    help = "Restore the database and the media folder from a backup set (checked before anything is overwritten)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The backup set's folder (or its manifest.json).")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options["verbosity"])
        try:
            backup = backup_check(Path(options["path"]))
        except (BackupError, OSError) as e:
            raise CommandError(f"Refused, nothing was changed: {e}") from None
        manifest = backup.manifest
        target = connection.settings_dict["NAME"]
        self.stdout.write(
            f"Backup {backup.path} taken {manifest['created_at']} (Parceria {manifest['parceria_version']}, "
            f"{manifest['vendor']}): checked."
        )
        if self.verbosity >= 1:
            write_figures(self, backup)
        if not options["yes"]:
            if not sys.stdin.isatty():
                raise CommandError(
                    "Refused, nothing was changed: not a terminal; pass --yes to restore without asking."
                )
            answer = input(f"This overwrites the database {target} and the media folder. Type 'yes' to restore: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Not restored, nothing was changed.")
        try:
            result = backup_restore(backup=backup, actor=Actor.system("command:restore"))
        except (BackupError, OSError) as e:
            raise CommandError(f"Restore failed: {e}") from None
        if result.differences:
            for line in result.differences:
                self.stdout.write(f"  differs: {line}")
            raise CommandError(f"Restored, but {len(result.differences)} figure(s) differ from the manifest.")
        self.stdout.write(f"Restored {target} and the media folder; every row count and sum matches the manifest.")
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write("The backup is older than this code: run `parceria migrate` before starting the servers.")
