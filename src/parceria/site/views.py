"""The start page (the installation's figures and, with the demo data loaded, its logins) and the health check."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from parceria.commissions.models import LedgerLine
from parceria.common.dbfaults import FAULTS, READ_ONLY, UNAVAILABLE, database_fault, driver_text, mark_logged
from parceria.customers.models import Customer
from parceria.demo.logins import DEMO_PASSWORD, demo_loaded, demo_totp_key, existing_logins
from parceria.partners.models import Partner

logger = logging.getLogger(__name__)


def start(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {
        "partners": Partner.objects.count(),
        "customers": Customer.objects.count(),
        "ledger_lines": LedgerLine.objects.count(),
        "database": connection.vendor,
    }
    if demo_loaded():
        # Demo data only: these accounts and their password are public by design.
        context |= {"demo_logins": existing_logins(), "demo_password": DEMO_PASSWORD, "demo_totp": demo_totp_key()}
    return render(request, "site/start.html", context)


#: What /healthz says of each database fault (common/dbfaults.py); nothing of the driver's message, which is logged.
HEALTH_DETAILS = {
    "database_unavailable": "the database cannot be reached",
    "database_busy": "the database is busy: a query waited too long for a lock",
    "database_read_only": "the database takes no writes",
    "storage_full": "the database's storage is full",
}
_MB = 1024 * 1024


def _problem(code: str, detail: str) -> dict[str, str]:
    return {"code": code, "detail": detail}


def _database_problems() -> tuple[list[dict[str, str]], DatabaseError | None]:
    """One query: can the database be reached, and does it take writes (PostgreSQL: not a standby in recovery, no
    `default_transaction_read_only`)? Also the error met, for the log."""
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')")
                in_recovery, read_only = cursor.fetchone()
            else:
                cursor.execute("SELECT 1")
                in_recovery, read_only = False, "off"
    except DatabaseError as exc:
        fault = database_fault(exc) or FAULTS[UNAVAILABLE]
        return [_problem(fault.code, HEALTH_DETAILS[fault.code])], exc
    if in_recovery:
        return [_problem(READ_ONLY, "the database is a standby in recovery: it takes no writes")], None
    if read_only == "on":
        return [_problem(READ_ONLY, "the database takes no writes (default_transaction_read_only is on)")], None
    return (_sqlite_file_problems() if connection.vendor == "sqlite" else []), None


def _sqlite_file(database: str | Path) -> Path | None:
    """The SQLite database's file, when it is a file (not `:memory:` nor a URI)."""
    name = str(database)
    return None if name == ":memory:" or name.startswith("file:") else Path(name)


def _sqlite_file_problems() -> list[dict[str, str]]:
    """SQLite writes the database file and, beside it, its -wal and -shm files: both must be writable."""
    path = _sqlite_file(connection.settings_dict["NAME"])
    if path is None:
        return []
    if not os.access(path, os.W_OK):
        return [_problem(READ_ONLY, "the database file is not writable")]
    if not os.access(path.parent, os.W_OK):
        return [_problem(READ_ONLY, "the folder of the database file is not writable")]
    return []


def _storage_problems() -> list[dict[str, str]]:
    """Free space (one statvfs each) on the disk of PARCERIA_VAR_DIR and, when it is another disk, of the SQLite
    database file."""
    minimum = int(settings.PARCERIA["HEALTHZ_MIN_FREE_MB"])  # type: ignore[call-overload]
    if minimum <= 0:
        return []
    folders: dict[str, Path] = {"the var folder": Path(settings.VAR_DIR)}
    path = _sqlite_file(connection.settings_dict["NAME"]) if connection.vendor == "sqlite" else None
    if path is not None and path.parent != folders["the var folder"]:
        folders["the database file"] = path.parent
    problems = []
    for name, folder in folders.items():
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            problems.append(_problem("storage_unavailable", f"the disk of {name} cannot be read"))
            continue
        if free < minimum * _MB:
            problems.append(_problem("storage_low", f"{free // _MB} MB free on the disk of {name}, under the "
                                                    f"{minimum} MB wanted"))
    return problems


def healthz(request: HttpRequest) -> JsonResponse:
    """200 `{"status": "ok", "database": vendor}` when the database answers and takes writes and the disks have
    room; otherwise 503 with `"status": "unavailable"` and the problems found (docs/operations.md), logged as one
    warning line with the database's error, if one was met."""
    problems, error = _database_problems()
    problems += _storage_problems()
    if not problems:
        return JsonResponse({"status": "ok", "database": connection.vendor})
    said = "; ".join(f"{p['code']} ({p['detail']})" for p in problems)
    logger.warning("GET /healthz: %s%s", said, f"; {driver_text(error)}" if error is not None else "")
    body = {"status": "unavailable", "database": connection.vendor, "problems": problems}
    return mark_logged(JsonResponse(body, status=503))
