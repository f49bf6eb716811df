"""Database faults: the database cannot serve a request for a while, as opposed to a bug in the request's code.

The server is stopped, restarting or unreachable, a connection was lost, the disk is full, the database takes no
writes (a standby, `default_transaction_read_only`, a read-only file), a lock is held too long. A request that meets
one answers 503 with `Retry-After` (the API's JSON error, or a plain page: api/errors.py, site/errors.py,
site/middleware.py) and the health check names it (site/views.py); nothing of the driver's message is shown, it is
logged as one WARNING line.

A fault is known by the driver's code, not its wording:

- PostgreSQL's SQLSTATE (psycopg's `sqlstate`). Source: PostgreSQL 15 documentation, Appendix A "PostgreSQL Error
  Codes" (https://www.postgresql.org/docs/15/errcodes-appendix.html): class 08 connection exception, class 53
  insufficient resources (53100 disk_full), class 57 operator intervention (57P01 admin_shutdown, 57P02
  crash_shutdown, 57P03 cannot_connect_now, 57014 query_canceled), class 58 system error (58030 io_error), 25006
  read_only_sql_transaction, 40001 serialization_failure, 40P01 deadlock_detected, 55P03 lock_not_available.
  An error without a SQLSTATE is the driver's own: the connection failed or was lost.
- SQLite's result code (Python's `sqlite_errorcode`). Source: SQLite "Result and Error Codes"
  (https://www.sqlite.org/rescode.html): the primary code is the low 8 bits of an extended one; SQLITE_BUSY 5,
  SQLITE_LOCKED 6, SQLITE_NOMEM 7, SQLITE_READONLY 8, SQLITE_IOERR 10, SQLITE_CORRUPT 11, SQLITE_FULL 13,
  SQLITE_CANTOPEN 14, SQLITE_PROTOCOL 15, SQLITE_NOTADB 26. The message is read only when an error carries no
  code ("database or disk is full", "attempt to write a readonly database", "database is locked").

Any other database error (a constraint, a missing table, SQLITE_ERROR) is a bug and stays a 500.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import InterfaceError, InternalError, OperationalError
from django.http.response import HttpResponseBase

logger = logging.getLogger(__name__)

UNAVAILABLE = "database_unavailable"
BUSY = "database_busy"
READ_ONLY = "database_read_only"
STORAGE_FULL = "storage_full"


@dataclass(frozen=True)
class DatabaseFault:
    """What a request that met a database fault answers: a 503 with this code and message and `Retry-After`."""

    code: str
    message: str
    retry_after: int  # seconds
    status: int = 503

    def as_dict(self) -> dict[str, Any]:
        """The API's error shape, as ParceriaError.as_dict gives it."""
        return {"error": {"code": self.code, "message": self.message}}


FAULTS = {
    UNAVAILABLE: DatabaseFault(UNAVAILABLE, "the database cannot be reached; send the request again in a few seconds",
                               retry_after=5),
    BUSY: DatabaseFault(BUSY, "the database is busy; send the request again in a moment", retry_after=1),
    READ_ONLY: DatabaseFault(READ_ONLY, "the database takes no writes at the moment; send the request again later",
                             retry_after=30),
    STORAGE_FULL: DatabaseFault(STORAGE_FULL, "the database's storage is full; send the request again later",
                                retry_after=60),
}

_POSTGRESQL_STATES = {
    "53100": STORAGE_FULL,
    "25006": READ_ONLY,
    "40001": BUSY,
    "40P01": BUSY,
    "55P03": BUSY,
    "57014": BUSY,
}
_POSTGRESQL_CLASSES = {"08": UNAVAILABLE, "53": UNAVAILABLE, "57": UNAVAILABLE, "58": UNAVAILABLE}
_SQLITE_CODES = {5: BUSY, 6: BUSY, 7: UNAVAILABLE, 8: READ_ONLY, 10: UNAVAILABLE, 11: UNAVAILABLE,
                 13: STORAGE_FULL, 14: UNAVAILABLE, 15: UNAVAILABLE, 26: UNAVAILABLE}
_SQLITE_MESSAGES = (
    ("database or disk is full", STORAGE_FULL),
    ("readonly database", READ_ONLY),
    ("is locked", BUSY),
    ("disk i/o error", UNAVAILABLE),
    ("unable to open database file", UNAVAILABLE),
)


def _driver_error(exc: BaseException) -> BaseException:
    """The driver's own error: Django raises its class of the same name `from` it."""
    return exc.__cause__ if exc.__cause__ is not None else exc


def _sqlite_fault(error: sqlite3.Error) -> str | None:
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _SQLITE_CODES.get(code & 0xFF)
    text = str(error).lower()
    return next((fault for words, fault in _SQLITE_MESSAGES if words in text), None)


def _postgresql_fault(exc: BaseException, state: str | None) -> str | None:
    if state:
        return _POSTGRESQL_STATES.get(state) or _POSTGRESQL_CLASSES.get(state[:2])
    # No SQLSTATE: the driver's own error (connection refused, server closed the connection, connection closed).
    return None if isinstance(exc, InternalError) else UNAVAILABLE


def database_fault(exc: BaseException | None) -> DatabaseFault | None:
    """The fault `exc` is, or None when it is no database fault (another error, or a bug such as a constraint)."""
    if not isinstance(exc, OperationalError | InterfaceError | InternalError):
        return None
    driver = _driver_error(exc)
    if isinstance(driver, sqlite3.Error):
        code = _sqlite_fault(driver)
    else:
        code = _postgresql_fault(exc, getattr(driver, "sqlstate", None) or getattr(driver, "pgcode", None))
    return FAULTS[code] if code else None


def current_fault() -> tuple[DatabaseFault, BaseException] | None:
    """The fault of the exception being handled (in Django's handler500), with the exception."""
    exc = sys.exc_info()[1]
    fault = database_fault(exc)
    return (fault, exc) if fault is not None and exc is not None else None


def where(request: Any) -> str:
    """A request as the log names it: its method and path."""
    return f"{request.method} {request.path}"


def driver_text(exc: BaseException) -> str:
    """The driver's error on one line, for the log (never for an answer): its class and message."""
    driver = _driver_error(exc)
    return f"{type(driver).__name__}: {' '.join(str(driver).split())[:500]}"


def log_fault(fault: DatabaseFault, exc: BaseException, where: str) -> None:
    """One WARNING line: the fault's code, where it was met (a request's method and path) and the driver's error.
    The answer that follows is marked as logged, so that Django does not log its 503 again as an error."""
    logger.warning("%s at %s: %s", fault.code, where, driver_text(exc))


_Response = TypeVar("_Response", bound=HttpResponseBase)


def mark_logged(response: _Response) -> _Response:
    """Tell Django's log_response (django.utils.log) that this answer was logged already: a 503 that log_fault or
    the health check reported as a warning is not repeated as an error line."""
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response
