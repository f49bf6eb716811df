"""Backups that restore: `parceria backup [--output DIR] [--verify]`, `parceria restore PATH [--yes]` (docs/backup.md).

A backup set is one folder, named by the UTC moment it was taken (parceria-backup-20261204T161500Z), holding:

- the database: `database.sqlite3` (SQLite's online backup API, safe while the server runs) or `database.dump`
  (`pg_dump --format=custom`, taken in the snapshot the figures below are counted in);
- `media.tar.gz`: the uploaded files (settings.MEDIA_ROOT, stored under `media/`);
- `manifest.json`: the format and its version, Parceria's version, the database vendor, when it was taken, the
  latest applied migration of every app, the row count of every table, the sum of every DecimalField column (per
  table and column, exact decimal text at the field's decimal places) and the SHA-256 of every file of the set.

A restore checks everything it can before it overwrites anything (manifest, hashes, vendor, migrations known to
this code, the database file readable, the media archive's member names) and refuses with a BackupError, the live
database and media untouched, when any check fails.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.db.migrations.loader import MigrationLoader

from parceria.common.audit import Actor, audit_record_create

FORMAT = "parceria-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"
MEDIA_FILE = "media.tar.gz"
MEDIA_ARCNAME = "media"
DATABASE_FILES = {"sqlite": SQLITE_FILE, "postgresql": POSTGRES_FILE}
#: Django's own keys in DATABASES[...]["OPTIONS"], which are not libpq connection parameters.
_DJANGO_PG_OPTIONS = {"isolation_level", "server_side_binding", "assume_role", "pool", "cursor_factory", "context"}


class BackupError(Exception):
    """A backup, verification or restore that cannot go on; the message says why, for the operator."""


@dataclass(frozen=True)
class Figures:
    """What a database holds, to compare two copies: rows per table, and Σ of every decimal column per table."""

    rows: dict[str, int]
    sums: dict[str, dict[str, str]]

    def as_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "sums": self.sums}


@dataclass(frozen=True)
class BackupSet:
    path: Path
    manifest: dict[str, Any]

    @property
    def figures(self) -> Figures:
        return Figures(rows=self.manifest["rows"], sums=self.manifest["sums"])


@dataclass
class RestoreResult:
    backup: BackupSet
    differences: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------------
# Figures: counted with plain DB-API cursors, so that the same code counts the live database, a backup file and a
# scratch database.


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def money_columns() -> dict[str, dict[str, int]]:
    """Every DecimalField of every model, as {table: {column: decimal places}} (a multi-table child's inherited
    fields count in its parent's table, once)."""
    columns: dict[str, dict[str, int]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        for f in meta.local_concrete_fields:
            if isinstance(f, models.DecimalField):
                columns.setdefault(meta.db_table, {})[str(f.column)] = int(f.decimal_places)
    return columns


def _tables_and_columns(cursor: Any, vendor: str) -> dict[str, set[str]]:
    tables: dict[str, set[str]] = {}
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        for (name,) in cursor.fetchall():
            cursor.execute(f"PRAGMA table_info({_quote(name)})")
            tables[name] = {row[1] for row in cursor.fetchall()}
    else:
        cursor.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
            "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
        )
        for table, column in cursor.fetchall():
            tables.setdefault(table, set()).add(column)
    return tables


def _exact(value: Any, places: int) -> Decimal:
    """A stored decimal as Django reads it: SQLite keeps REAL (Django reads it with 15 significant digits and
    rounds it to the field's places); PostgreSQL gives the exact numeric."""
    if isinstance(value, float):
        number = decimal.Context(prec=15).create_decimal_from_float(value)
    else:
        number = Decimal(str(value))
    return number.quantize(Decimal(1).scaleb(-places))


def count_figures(cursor: Any, vendor: str) -> Figures:
    """Row counts of every table of the database `cursor` reads, and the sums of its decimal columns."""
    tables = _tables_and_columns(cursor, vendor)
    rows: dict[str, int] = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        rows[table] = int(cursor.fetchone()[0])
    sums: dict[str, dict[str, str]] = {}
    for table, columns in sorted(money_columns().items()):
        for column, places in sorted(columns.items()):
            if column not in tables.get(table, set()):
                continue  # a table or column this database's migrations have not made (yet)
            total = Decimal(0).quantize(Decimal(1).scaleb(-places))
            if vendor == "sqlite":
                # Summed here, value by value, as Django reads them: SQLite's SUM over REAL values is a float.
                cursor.execute(f"SELECT {_quote(column)} FROM {_quote(table)} WHERE {_quote(column)} IS NOT NULL")
                for (value,) in cursor:
                    total += _exact(value, places)
            else:
                cursor.execute(f"SELECT SUM({_quote(column)}) FROM {_quote(table)}")
                value = cursor.fetchone()[0]
                if value is not None:
                    total += _exact(value, places)
            sums.setdefault(table, {})[column] = format(total, "f")
    return Figures(rows=rows, sums=sums)


def figure_differences(expected: Figures, found: Figures) -> list[str]:
    """What differs between two sets of figures, one line per table or column, in table order."""
    lines: list[str] = []
    for table in sorted(set(expected.rows) | set(found.rows)):
        a, b = expected.rows.get(table), found.rows.get(table)
        if a is None:
            lines.append(f"{table}: a table the backup does not have ({b} rows)")
        elif b is None:
            lines.append(f"{table}: missing from the restored database ({a} rows in the backup)")
        elif a != b:
            lines.append(f"{table}: {a} rows in the backup, {b} restored")
    for table in sorted(set(expected.sums) | set(found.sums)):
        want, got = expected.sums.get(table, {}), found.sums.get(table, {})
        for column in sorted(set(want) | set(got)):
            if want.get(column) != got.get(column):
                a_sum, b_sum = _shown(want.get(column)), _shown(got.get(column))
                lines.append(f"{table}.{column}: sum {a_sum} in the backup, {b_sum} restored")
    return lines


def _shown(value: object) -> str:
    return "no" if value is None else str(value)


def _migrations(cursor: Any) -> dict[str, str]:
    """The latest applied migration of every app (the last one recorded)."""
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    latest: dict[str, str] = {}
    for app, name in cursor.fetchall():
        latest[app] = name
    return dict(sorted(latest.items()))


# ---------------------------------------------------------------------------------------------------------------
# Files


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _write_media(dest: Path) -> int:
    """The media folder as a gzip tar under `media/`; regular files and folders only. Returns the file count."""
    root = _media_root()
    count = 0
    with tarfile.open(dest, "w:gz") as tar:
        info = tarfile.TarInfo(MEDIA_ARCNAME)
        info.type = tarfile.DIRTYPE
        info.mode = 0o700
        tar.addfile(info)
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_symlink() or not (path.is_file() or path.is_dir()):
                    continue
                if path.relative_to(root).parts[0].startswith((_STAGING, _PREVIOUS)):
                    continue  # a restore's working folders
                tar.add(path, arcname=f"{MEDIA_ARCNAME}/{path.relative_to(root).as_posix()}", recursive=False)
                count += path.is_file()
    return count


def _check_media(path: Path) -> int:
    """Refuses an archive that is not a readable tar of `media/` with regular files and folders only."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            members = tar.getmembers()
    except (tarfile.TarError, OSError, EOFError) as e:
        raise BackupError(f"{path.name} is not a readable archive ({e}).") from None
    files = 0
    for m in members:
        parts = Path(m.name).parts
        if m.name.startswith("/") or ".." in parts or not parts or parts[0] != MEDIA_ARCNAME:
            raise BackupError(f"{path.name} holds a member outside media/: {m.name!r}.")
        if not (m.isfile() or m.isdir()):
            raise BackupError(f"{path.name} holds a member that is not a file or a folder: {m.name!r}.")
        files += m.isfile()
    return files


_STAGING = ".parceria-restoring-"
_PREVIOUS = ".parceria-before-restore-"


def _stage_media(path: Path) -> Path:
    """Unpacks the archive into a hidden folder inside MEDIA_ROOT (the same file system, even when MEDIA_ROOT is a
    mount point), before the database is touched: a full disk or an unreadable member fails here. Returns it."""
    root = _media_root()
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f"{_STAGING}{secrets.token_hex(4)}"
    staging.mkdir(mode=0o700)
    try:
        with tarfile.open(path, "r:gz") as tar:
            tar.extractall(staging, filter="data")
        (staging / MEDIA_ARCNAME).mkdir(exist_ok=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _swap_media(staging: Path) -> None:
    """Moves MEDIA_ROOT's present entries aside and the staged ones in (renames within one folder), then removes
    the old ones. If a move fails, the old files are kept aside and the error names where."""
    root = _media_root()
    previous = root / f"{_PREVIOUS}{staging.name.removeprefix(_STAGING)}"
    previous.mkdir(mode=0o700)
    try:
        for entry in list(root.iterdir()):
            if entry not in (staging, previous):
                entry.rename(previous / entry.name)
        for entry in list((staging / MEDIA_ARCNAME).iterdir()):
            entry.rename(root / entry.name)
    except OSError as e:
        raise BackupError(f"The media folder could not be swapped ({e}); its previous files are in {previous}.") from e
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(previous, ignore_errors=True)


# ---------------------------------------------------------------------------------------------------------------
# Databases


def vendor() -> str:
    return str(connection.vendor)


def _sqlite_path() -> Path:
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"The SQLite database is not a file ({name!r}); nothing to back up.")
    return Path(name)


def _sqlite_open_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _pg_params(dbname: str | None = None) -> dict[str, str]:
    """libpq parameters of the configured database (the password apart: it goes through PGPASSWORD)."""
    s = connection.settings_dict
    params = {
        "dbname": dbname or str(s["NAME"]),
        "user": str(s.get("USER") or ""),
        "host": str(s.get("HOST") or ""),
        "port": str(s.get("PORT") or ""),
    }
    for key, value in (s.get("OPTIONS") or {}).items():
        if key not in _DJANGO_PG_OPTIONS and isinstance(value, str | int):
            params[key] = str(value)
    return {k: v for k, v in params.items() if v}


def _pg_conninfo(dbname: str | None = None) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(**_pg_params(dbname))


def _pg_env() -> dict[str, str]:
    env = dict(os.environ)
    password = connection.settings_dict.get("PASSWORD")
    if password:
        env["PGPASSWORD"] = str(password)
    return env


@contextlib.contextmanager
def _pg_connect(dbname: str | None = None, *, autocommit: bool = False) -> Iterator[Any]:
    import psycopg
    from psycopg.conninfo import make_conninfo

    conninfo = _pg_conninfo(dbname)
    password = connection.settings_dict.get("PASSWORD")
    if password:
        conninfo = make_conninfo(conninfo, password=str(password))
    with psycopg.connect(conninfo, autocommit=autocommit) as conn:
        yield conn


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not on PATH: install PostgreSQL's client tools (apt-get install postgresql-client) of the "
            "server's major version or newer, or back up by hand (docs/backup.md)."
        )
    return path


def _run(args: list[str], what: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, env=_pg_env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}): {result.stderr.strip() or result.stdout.strip()}")
    return result


def _pg_restore_into(dump: Path, dbname: str | None, *, clean: bool) -> None:
    args = [_tool("pg_restore"), "--no-owner", "--single-transaction", "--exit-on-error"]
    if clean:
        args += ["--clean", "--if-exists"]
    _run([*args, f"--dbname={_pg_conninfo(dbname)}", str(dump)], "pg_restore")


# ---------------------------------------------------------------------------------------------------------------
# Backup


def _parceria_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("parceria")
    except PackageNotFoundError:
        return "unknown"


def _new_set_folder(output: Path, now: dt.datetime) -> tuple[Path, Path]:
    """The final folder's path (free) and a hidden staging folder beside it, private to this user."""
    output.mkdir(parents=True, exist_ok=True)
    base = f"parceria-backup-{now:%Y%m%dT%H%M%SZ}"
    name, n = base, 1
    while (output / name).exists():
        n += 1
        name = f"{base}-{n}"
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=output))
    os.chmod(staging, 0o700)
    return output / name, staging


def backup_create(*, output: Path | None = None, actor: Actor, now: dt.datetime | None = None) -> BackupSet:
    """Writes a backup set under `output` (default: $PARCERIA_VAR_DIR/backups) and returns it. The set appears
    under its final name only once complete; a failure leaves nothing behind."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    output = Path(output) if output is not None else Path(settings.VAR_DIR) / "backups"
    db_vendor = vendor()
    if db_vendor not in DATABASE_FILES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {db_vendor}.")
    if db_vendor == "postgresql":
        _tool("pg_dump")
    final, staging = _new_set_folder(output, now)
    try:
        database = staging / DATABASE_FILES[db_vendor]
        if db_vendor == "sqlite":
            figures, migrations = _sqlite_backup(database)
        else:
            figures, migrations = _postgres_backup(database)
        media_files = _write_media(staging / MEDIA_FILE)
        files = {p.name: _sha256(p) for p in sorted(staging.iterdir())}
        for p in staging.iterdir():
            os.chmod(p, 0o600)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "parceria_version": _parceria_version(),
            "vendor": db_vendor,
            "created_at": now.isoformat().replace("+00:00", "Z"),
            "database_file": database.name,
            "media_file": MEDIA_FILE,
            "media_files": media_files,
            "migrations": migrations,
            **figures.as_json(),
            "files": files,
        }
        manifest_path = staging / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        os.chmod(manifest_path, 0o600)
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    audit_record_create(
        actor=actor,
        action="backup.created",
        obj=_BackupObject(final.name),
        after={"path": str(final), "vendor": db_vendor, "tables": len(figures.rows)},
    )
    return BackupSet(path=final, manifest=manifest)


def _sqlite_backup(dest: Path) -> tuple[Figures, dict[str, str]]:
    source = sqlite3.connect(str(_sqlite_path()), timeout=30)
    target = sqlite3.connect(str(dest))
    try:
        source.backup(target)
        # The copy is a plain file on its own (no -wal/-shm beside it) whatever the live database's journal mode.
        target.execute("PRAGMA journal_mode=DELETE")
        cursor = target.cursor()
        return count_figures(cursor, "sqlite"), _migrations(cursor)
    except sqlite3.Error as e:
        raise BackupError(f"The SQLite backup failed: {e}") from None
    finally:
        target.close()
        source.close()


def _postgres_backup(dest: Path) -> tuple[Figures, dict[str, str]]:
    """pg_dump in a snapshot exported by a repeatable-read transaction that counts the figures in that very
    snapshot: the manifest describes exactly what the dump holds, however busy the database is."""
    import psycopg

    with _pg_connect() as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _run(
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={dest}",
                    f"--dbname={_pg_conninfo()}",
                ],
                "pg_dump",
            )
            figures, migrations = count_figures(cursor, "postgresql"), _migrations(cursor)
        conn.rollback()
    return figures, migrations


class _BackupObject:
    """What an audit record of a backup or a restore is about: a backup set, named by its folder (no table)."""

    class _meta:  # noqa: N801 - stands in for a model's _meta for audit_record_create
        label_lower = "privacy.backup"

    def __init__(self, name: str) -> None:
        self.pk = name


# ---------------------------------------------------------------------------------------------------------------
# Reading and checking a set


def backup_read(path: Path) -> BackupSet:
    """The set at `path` (its folder or its manifest.json), its manifest read and every file's SHA-256 checked."""
    path = Path(path)
    folder = path.parent if path.name == MANIFEST else path
    manifest_path = folder / MANIFEST
    if not folder.is_dir():
        raise BackupError(f"{folder} is not a backup folder.")
    if not manifest_path.is_file():
        raise BackupError(f"{folder} has no {MANIFEST}: not a Parceria backup set.")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BackupError(f"{manifest_path} is not readable JSON ({e}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{manifest_path} is not the manifest of a Parceria backup set.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"The backup's format version is {manifest.get('format_version')!r}; this version of Parceria reads "
            f"version {FORMAT_VERSION}."
        )
    _check_shape(manifest)
    for name, digest in manifest["files"].items():
        file = folder / name
        if not file.is_file():
            raise BackupError(f"{name} is missing from the backup set.")
        if _sha256(file) != digest:
            raise BackupError(f"{name} does not match its SHA-256 in the manifest: the file is damaged or altered.")
    return BackupSet(path=folder, manifest=manifest)


def _check_shape(manifest: dict[str, Any]) -> None:
    def bad(what: str) -> BackupError:
        return BackupError(f"The manifest is damaged: {what}.")

    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise bad("no list of files")
    for name, digest in files.items():
        if not isinstance(name, str) or "/" in name or "\\" in name or name in {"", ".", "..", MANIFEST}:
            raise bad(f"the file name {name!r}")
        if not isinstance(digest, str) or len(digest) != 64:
            raise bad(f"the SHA-256 of {name}")
    if manifest.get("vendor") not in DATABASE_FILES:
        raise bad(f"the database vendor {manifest.get('vendor')!r}")
    if manifest.get("database_file") != DATABASE_FILES[manifest["vendor"]] or manifest["database_file"] not in files:
        raise bad("the database file")
    if manifest.get("media_file") != MEDIA_FILE or MEDIA_FILE not in files:
        raise bad("the media file")
    migrations = manifest.get("migrations")
    if not isinstance(migrations, dict) or not all(isinstance(v, str) for v in migrations.values()):
        raise bad("the migrations")
    rows, sums = manifest.get("rows"), manifest.get("sums")
    if not isinstance(rows, dict) or not all(isinstance(v, int) for v in rows.values()):
        raise bad("the row counts")
    if not isinstance(sums, dict) or not all(
        isinstance(c, dict) and all(isinstance(v, str) for v in c.values()) for c in sums.values()
    ):
        raise bad("the sums")


def unknown_migrations(manifest: dict[str, Any]) -> list[str]:
    """The backup's latest migrations that this code does not have (a newer or a foreign installation)."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [f"{app}.{name}" for app, name in manifest["migrations"].items() if (app, name) not in known]


def backup_check(path: Path) -> BackupSet:
    """Everything a restore checks before it overwrites anything; a BackupError says what is wrong."""
    backup = backup_read(path)
    manifest = backup.manifest
    if manifest["vendor"] != vendor():
        raise BackupError(
            f"The backup is of a {manifest['vendor']} database; this installation runs on {vendor()}. Restore it "
            "into an installation of the same kind."
        )
    unknown = unknown_migrations(manifest)
    if unknown:
        raise BackupError(
            "The backup comes from a newer or a different installation: this code does not know its migrations "
            + ", ".join(unknown)
            + ". Restore it with the version of Parceria that made it."
        )
    database = backup.path / manifest["database_file"]
    if manifest["vendor"] == "sqlite":
        _check_sqlite_file(database, manifest)
    else:
        _run([_tool("pg_restore"), "--list", str(database)], f"Reading {database.name} (pg_restore --list)")
    _check_media(backup.path / manifest["media_file"])
    return backup


def _check_sqlite_file(path: Path, manifest: dict[str, Any]) -> None:
    try:
        db = _sqlite_open_readonly(path)
        try:
            cursor = db.cursor()
            result = cursor.execute("PRAGMA quick_check").fetchone()
            if not result or result[0] != "ok":
                raise BackupError(f"{path.name} is a damaged SQLite database ({result[0] if result else 'no answer'}).")
            migrations = _migrations(cursor)
        finally:
            db.close()
    except sqlite3.Error as e:
        raise BackupError(f"{path.name} is not a readable SQLite database ({e}).") from None
    if migrations != manifest["migrations"]:
        raise BackupError(f"{path.name} does not hold the migrations its manifest lists.")


# ---------------------------------------------------------------------------------------------------------------
# Verify and restore


def backup_verify(backup: BackupSet) -> list[str]:
    """Restores the set into a scratch database (a temporary SQLite file, or a scratch PostgreSQL database made
    with the configured connection and dropped afterwards) and compares its figures with the manifest's. Returns
    what differs (nothing when the backup is good)."""
    manifest = backup.manifest
    database = backup.path / manifest["database_file"]
    _check_media(backup.path / manifest["media_file"])
    if manifest["vendor"] == "sqlite":
        with tempfile.TemporaryDirectory(prefix="parceria-verify-") as scratch:
            target_path = Path(scratch) / "scratch.sqlite3"
            try:
                source = _sqlite_open_readonly(database)
                target = sqlite3.connect(str(target_path))
                try:
                    source.backup(target)
                    found = count_figures(target.cursor(), "sqlite")
                finally:
                    target.close()
                    source.close()
            except sqlite3.Error as e:
                raise BackupError(f"The backup could not be restored into a scratch database: {e}") from None
    else:
        found = _postgres_scratch_figures(database)
    return figure_differences(backup.figures, found)


def _postgres_scratch_figures(dump: Path) -> Figures:
    name = f"{str(connection.settings_dict['NAME'])[:30]}_verify_{secrets.token_hex(4)}"
    with _pg_connect(autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {_quote(name)}")
    try:
        _pg_restore_into(dump, name, clean=False)
        with _pg_connect(name) as conn, conn.cursor() as cursor:
            return count_figures(cursor, "postgresql")
    finally:
        # A plain DROP: PostgreSQL itself stops an autovacuum worker that started on the fresh copy, where
        # WITH (FORCE) refuses to (its process belongs to no role this user is a member of).
        with _pg_connect(autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {_quote(name)}")


def _pg_drop_tables_not_in(tables: set[str]) -> None:
    """pg_restore --clean replaces the tables of the dump and leaves the others: tables made after the backup (by a
    later migration) go too, so that the database is the backup's, as an SQLite restore makes it, and `parceria
    migrate` can make them again."""
    with _pg_connect() as conn, conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        for (table,) in cursor.fetchall():
            if table not in tables:
                cursor.execute(f"DROP TABLE IF EXISTS {_quote(table)} CASCADE")
        conn.commit()


def live_figures() -> Figures:
    """The figures of the configured database, as it is now."""
    if vendor() == "sqlite":
        db = sqlite3.connect(str(_sqlite_path()), timeout=30)
        try:
            return count_figures(db.cursor(), "sqlite")
        finally:
            db.close()
    with _pg_connect() as conn, conn.cursor() as cursor:
        return count_figures(cursor, "postgresql")


def backup_restore(*, backup: BackupSet, actor: Actor) -> RestoreResult:
    """Overwrites the configured database and the media folder with a set that backup_check accepted, then
    compares the restored figures with the manifest and records the restore in the (restored) audit log. Stop
    every other Parceria process first (docs/backup.md)."""
    manifest = backup.manifest
    staging = _stage_media(backup.path / manifest["media_file"])
    try:
        _restore_database(backup)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap_media(staging)
    differences = figure_differences(backup.figures, live_figures())
    audit_record_create(
        actor=actor,
        action="backup.restored",
        obj=_BackupObject(backup.path.name),
        after={"path": str(backup.path), "created_at": manifest["created_at"], "differences": len(differences)},
    )
    return RestoreResult(backup=backup, differences=differences)


def _restore_database(backup: BackupSet) -> None:
    manifest = backup.manifest
    database = backup.path / manifest["database_file"]
    connection.close()
    if manifest["vendor"] == "sqlite":
        try:
            source = _sqlite_open_readonly(database)
            target = sqlite3.connect(str(_sqlite_path()), timeout=30)
            try:
                source.backup(target)  # one step: all pages or nothing
            finally:
                target.close()
                source.close()
        except sqlite3.Error as e:
            raise BackupError(f"The restore failed, the database is as it was: {e}") from None
    else:
        _pg_restore_into(database, None, clean=True)  # one transaction: all of it or nothing
        _pg_drop_tables_not_in(set(manifest["rows"]))
