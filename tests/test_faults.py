"""Database faults (common/dbfaults.py): the database unreachable, the connection lost, the disk full, the database
read-only or locked. A request that meets one answers 503 with Retry-After (the API's JSON error, or a plain page in
the reader's language), never a 500 with the driver's message; it is logged as one warning; nothing of the request
is written; the broken connection is dropped and the next request succeeds. /healthz says what is wrong.

The faults are the drivers' own errors: sqlite3's are made for real on a scratch file (a read-only open, a full
database, a held lock), psycopg's are built from their classes (each carries its SQLSTATE), and on PostgreSQL a
read-only session and a killed connection are real. scripts/fault_drill.py stops and restarts a real server.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import django.db
import orjson
import psycopg
import psycopg.errors
import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import DatabaseError, connection, connections
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from parceria.api.models import IdempotencyKey
from parceria.commissions.models import LedgerLine
from parceria.common.dbfaults import BUSY, FAULTS, READ_ONLY, STORAGE_FULL, UNAVAILABLE, database_fault
from parceria.config.settings import _database_config
from parceria.config.urls import handler500
from parceria.customers.models import Event, EventBatch, Invoice
from tests.conftest import ApiClient
from tests.factories import make_customer, make_key, make_partner, paid, staff_client

MB = 1024 * 1024
FAULT_LOGGER = "parceria.common.dbfaults"


# --- the drivers' errors -------------------------------------------------------------------------------------------


def _scratch_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (x BLOB)")


def sqlite_read_only(tmp_path: Path) -> sqlite3.Error:
    """A write to a database opened read-only: SQLITE_READONLY, "attempt to write a readonly database"."""
    path = tmp_path / "ro.sqlite3"
    _scratch_sqlite(path)
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        db.execute("INSERT INTO t VALUES (1)")
    except sqlite3.Error as exc:
        return exc
    finally:
        db.close()
    raise AssertionError("the read-only database took a write")


def sqlite_full(tmp_path: Path) -> sqlite3.Error:
    """A database that may not grow (max_page_count): SQLITE_FULL, "database or disk is full"."""
    path = tmp_path / "full.sqlite3"
    _scratch_sqlite(path)
    db = sqlite3.connect(path)
    try:
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")
        db.execute("INSERT INTO t VALUES (zeroblob(100000))")
    except sqlite3.Error as exc:
        return exc
    finally:
        db.close()
    raise AssertionError("the database grew past its maximum")


def sqlite_locked(tmp_path: Path) -> sqlite3.Error:
    """A write while another connection holds the write lock, without waiting: SQLITE_BUSY, "database is locked"."""
    path = tmp_path / "locked.sqlite3"
    _scratch_sqlite(path)
    holder = sqlite3.connect(path, isolation_level=None)
    waiter = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        holder.execute("BEGIN IMMEDIATE")
        waiter.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        return exc
    finally:
        waiter.close()
        holder.close()
    raise AssertionError("two writers held the lock")


def sqlite_missing_table(tmp_path: Path) -> sqlite3.Error:
    db = sqlite3.connect(tmp_path / "empty.sqlite3")
    try:
        db.execute("SELECT * FROM nowhere")
    except sqlite3.Error as exc:
        return exc
    finally:
        db.close()
    raise AssertionError("a missing table was read")


PG_DISK_FULL = 'could not extend file "base/16384/16397": No space left on device'
PG_REFUSED = 'connection failed: connection to server at "127.0.0.1", port 5432 failed: Connection refused'

#: name → (the driver's error, the fault it is). None: not a fault, a bug (a 500).
DRIVER_ERRORS: dict[str, tuple[Callable[[Path], BaseException], str | None]] = {
    "pg disk full": (lambda _: psycopg.errors.DiskFull(PG_DISK_FULL), STORAGE_FULL),
    "pg read-only": (lambda _: psycopg.errors.ReadOnlySqlTransaction(
        "cannot execute INSERT in a read-only transaction"), READ_ONLY),
    "pg shutdown": (lambda _: psycopg.errors.AdminShutdown(
        "terminating connection due to administrator command"), UNAVAILABLE),
    "pg starting up": (lambda _: psycopg.errors.CannotConnectNow("the database system is starting up"), UNAVAILABLE),
    "pg refused": (lambda _: psycopg.OperationalError(PG_REFUSED), UNAVAILABLE),
    "pg closed": (lambda _: psycopg.OperationalError(
        "consuming input failed: server closed the connection unexpectedly"), UNAVAILABLE),
    "pg connection gone": (lambda _: psycopg.InterfaceError("the connection is closed"), UNAVAILABLE),
    "pg deadlock": (lambda _: psycopg.errors.DeadlockDetected("deadlock detected"), BUSY),
    "pg lock timeout": (lambda _: psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"), BUSY),
    "sqlite full": (sqlite_full, STORAGE_FULL),
    "sqlite read-only": (sqlite_read_only, READ_ONLY),
    "sqlite locked": (sqlite_locked, BUSY),
    "sqlite full, no code": (lambda _: sqlite3.OperationalError("database or disk is full"), STORAGE_FULL),
    "sqlite read-only, no code": (
        lambda _: sqlite3.OperationalError("attempt to write a readonly database"), READ_ONLY),
    "sqlite locked, no code": (lambda _: sqlite3.OperationalError("database is locked"), BUSY),
    "pg aborted transaction": (lambda _: psycopg.errors.InFailedSqlTransaction(
        "current transaction is aborted, commands ignored until end of transaction block"), None),
    "pg unique violation": (lambda _: psycopg.errors.UniqueViolation("duplicate key value"), None),
    "pg missing table": (lambda _: psycopg.errors.UndefinedTable('relation "nowhere" does not exist'), None),
    "sqlite missing table": (sqlite_missing_table, None),
}
#: The faults a request meets on a write (the intake retries a locked or deadlocked batch itself: below, elsewhere).
WRITE_FAULTS = ["pg disk full", "pg read-only", "pg shutdown", "pg refused", "pg connection gone", "sqlite full",
                "sqlite read-only"]

#: Django's classes, in the order its DatabaseErrorWrapper tries them.
_DJANGO_CLASSES = ("DataError", "OperationalError", "IntegrityError", "InternalError", "ProgrammingError",
                   "NotSupportedError", "DatabaseError", "InterfaceError", "Error")


def as_django(error: BaseException) -> DatabaseError:
    """The driver's error as Django raises it: its class of the same PEP 249 name, raised from the driver's."""
    names = {cls.__name__ for cls in type(error).__mro__}
    django_class = getattr(django.db, next(name for name in _DJANGO_CLASSES if name in names))
    wrapped = django_class(*error.args)
    wrapped.__cause__ = error
    return wrapped


def driver_error(name: str, tmp_path: Path) -> BaseException:
    return DRIVER_ERRORS[name][0](tmp_path)


@contextmanager
def failing(error: BaseException, *, only: tuple[str, ...] = ("INSERT",)) -> Iterator[list[str]]:
    """Every statement starting with one of `only` (an INSERT by default) fails with `error`, as Django raises it;
    yields the statements refused."""
    refused: list[str] = []

    def refuse(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith(only):
            refused.append(sql)
            raise as_django(error)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield refused


def answer(response: Any) -> tuple[int, Any, str | None]:
    return response.status_code, response.json(), response.get("Retry-After")


def fault_body(code: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": FAULTS[code].message}}


def fault_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == FAULT_LOGGER]


# --- which errors are faults ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(DRIVER_ERRORS))
def test_each_driver_error_is_the_fault_its_code_says(name, tmp_path):
    error = driver_error(name, tmp_path)
    fault = database_fault(as_django(error))

    assert (fault.code if fault else None) == DRIVER_ERRORS[name][1]
    if fault is not None:
        assert (fault.status, fault.retry_after) == (503, {UNAVAILABLE: 5, BUSY: 1, READ_ONLY: 30,
                                                           STORAGE_FULL: 60}[fault.code])


def test_the_real_sqlite_errors_carry_their_codes(tmp_path):
    """The codes the classification reads first (the messages only when there is none)."""
    errors = {name: driver_error(name, tmp_path) for name in ("sqlite full", "sqlite read-only", "sqlite locked")}

    assert {name: (e.sqlite_errorname, str(e)) for name, e in errors.items()} == {  # type: ignore[attr-defined]
        "sqlite full": ("SQLITE_FULL", "database or disk is full"),
        "sqlite read-only": ("SQLITE_READONLY", "attempt to write a readonly database"),
        "sqlite locked": ("SQLITE_BUSY", "database is locked"),
    }


def test_only_database_errors_are_faults():
    assert database_fault(ValueError("database is locked")) is None
    assert database_fault(None) is None
    assert database_fault(django.db.OperationalError("no driver error")).code == UNAVAILABLE  # type: ignore[union-attr]


# --- the API --------------------------------------------------------------------------------------------------------


@pytest.fixture
def intake(db) -> tuple[ApiClient, list[dict[str, Any]]]:
    """A platform key and a batch of two paid invoices of an attributed customer."""
    customer = make_customer(make_partner(status="active"))
    events = [paid(customer, "100.00", event_id="evt_fault_1"), paid(customer, "50.00", event_id="evt_fault_2")]
    return ApiClient(make_key("platform")), events


def stored() -> dict[str, int]:
    return {"events": Event.objects.count(), "batches": EventBatch.objects.count(),
            "invoices": Invoice.objects.count(), "ledger": LedgerLine.objects.count()}


@pytest.mark.parametrize("name", WRITE_FAULTS)
def test_a_fault_on_the_intake_is_a_503_that_writes_nothing_and_the_next_request_succeeds(name, intake, tmp_path,
                                                                                         caplog):
    api, events = intake
    error = driver_error(name, tmp_path)
    code = DRIVER_ERRORS[name][1]
    before = stored()

    with failing(error) as refused, caplog.at_level(logging.WARNING):
        response = api.post("/events", {"events": events})

    assert answer(response) == (503, fault_body(str(code)), str(FAULTS[str(code)].retry_after))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert str(error) not in response.content.decode()
    assert refused
    assert stored() == before
    [record] = fault_records(caplog)
    assert (record.levelname, record.getMessage()) == (
        "WARNING", f"{code} at POST /api/v1/events: {type(error).__name__}: {' '.join(str(error).split())}")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    again = api.post("/events", {"events": events})

    assert answer(again) == (200, {"accepted": 2, "duplicates": 0, "rejected": []}, None)
    assert stored() == {"events": before["events"] + 2, "batches": before["batches"] + 1,
                        "invoices": before["invoices"] + 2, "ledger": before["ledger"] + 2}


@pytest.mark.parametrize("name", ["pg deadlock", "sqlite locked"])
def test_a_lock_held_too_long_is_a_503_busy(name, admin_api, tmp_path):
    with failing(driver_error(name, tmp_path)):
        response = admin_api.post("/customers", {"external_id": "cus_busy", "name": "Busy Ltda", "country": "BR"})

    assert answer(response) == (503, fault_body(BUSY), "1")
    assert admin_api.post("/customers", {"external_id": "cus_busy", "name": "Busy Ltda",
                                         "country": "BR"}).status_code == 201


@pytest.mark.parametrize("name", ["pg deadlock", "sqlite locked"])
def test_an_intake_batch_that_finds_the_database_busy_on_each_try_is_a_503_busy_that_writes_nothing(name, intake,
                                                                                                   tmp_path):
    """The intake tries a batch that met a busy database again itself (commissions/intake.py); when every try
    met it, the answer is the fault's, not a conflict."""
    from parceria.commissions import intake as intake_module

    api, events = intake
    before = stored()

    with failing(driver_error(name, tmp_path)) as refused:
        response = api.post("/events", {"events": events})

    assert answer(response) == (503, fault_body(BUSY), "1")
    assert len(refused) == intake_module.MAX_ATTEMPTS  # one refused INSERT per try
    assert stored() == before
    assert answer(api.post("/events", {"events": events})) == (200, {"accepted": 2, "duplicates": 0,
                                                                     "rejected": []}, None)


def test_a_fault_on_a_read_is_a_503(admin_api):
    with failing(psycopg.OperationalError(PG_REFUSED), only=("SELECT",)):
        response = admin_api.get("/partners")

    assert answer(response) == (503, fault_body(UNAVAILABLE), "5")


def test_a_bug_is_still_the_500(intake, tmp_path):
    api, events = intake
    api._client.raise_request_exception = False

    with failing(driver_error("sqlite missing table", tmp_path)):
        response = api.post("/events", {"events": events})

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"


def test_a_503_is_not_kept_as_the_answer_of_an_idempotency_key(intake):
    """The key is claimed, the route fails on the batch's first write: the claim is released, not answered."""
    api, events = intake
    headers = {"HTTP_IDEMPOTENCY_KEY": "batch-7"}

    with failing(psycopg.errors.DiskFull(PG_DISK_FULL), only=('INSERT INTO "CUSTOMERS_EVENTBATCH"',)):
        first = api._client.post("/api/v1/events", {"events": events}, content_type="application/json", **headers)
    again = api._client.post("/api/v1/events", {"events": events}, content_type="application/json", **headers)

    assert (first.status_code, again.status_code, again.get("Idempotent-Replayed")) == (503, 200, None)
    assert again.json() == {"accepted": 2, "duplicates": 0, "rejected": []}
    assert IdempotencyKey.objects.get(key="batch-7").status == 200


def test_the_document_declares_the_503_on_every_operation(db):
    document = Client().get("/api/v1/openapi.json").json()
    operations = [op for ops in document["paths"].values() for op in ops.values()]
    events = document["paths"]["/api/v1/events"]["post"]["responses"]["503"]

    assert operations and all("503" in op["responses"] for op in operations)
    assert events["headers"] == {"Retry-After": {"description": "Seconds to wait before sending the request again",
                                                 "schema": {"type": "integer", "minimum": 0}}}
    assert events["content"] == {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}


# --- pages ----------------------------------------------------------------------------------------------------------

UNREACHABLE_PT = "O Parceria não consegue acessar o banco de dados agora."


def test_a_page_that_meets_a_fault_is_the_plain_503_page_in_the_readers_language(db, caplog):
    with failing(psycopg.OperationalError(PG_REFUSED), only=("SELECT",)), caplog.at_level(logging.WARNING):
        response = Client(HTTP_ACCEPT_LANGUAGE="pt-BR").get("/")

    page = response.content.decode()
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert response["Content-Type"].startswith("text/html")
    assert "Serviço indisponível" in page and UNREACHABLE_PT in page and "Erro 503" in page
    assert "Connection refused" not in page
    assert [r.getMessage().split(":")[0] for r in fault_records(caplog)] == ["database_unavailable at GET /"]


@pytest.mark.parametrize(("name", "text"), [
    ("sqlite read-only", "su base de datos no acepta escrituras"),
    ("pg disk full", "su almacenamiento está lleno"),
])
def test_the_page_says_which_fault(name, text, db, tmp_path):
    with failing(driver_error(name, tmp_path), only=("SELECT",)):
        response = Client(HTTP_ACCEPT_LANGUAGE="es").get("/")

    assert response.status_code == 503
    assert text in response.content.decode()


def test_a_fault_met_by_a_middleware_is_the_503_page_logged_once(db, caplog):
    """The signed-in user is read (by the language middleware) before any view runs: Django's handler500 answers."""
    client = staff_client("ana", "partner_manager")
    client.raise_request_exception = False

    with failing(psycopg.OperationalError(PG_REFUSED), only=("SELECT",)), caplog.at_level(logging.WARNING):
        response = client.get("/console/", HTTP_ACCEPT_LANGUAGE="pt-BR")

    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert UNREACHABLE_PT in response.content.decode()
    assert len(fault_records(caplog)) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(("path", "content_type"), [("/api/v1/partners", "application/json"), ("/", "text/html")])
def test_handler500_answers_a_fault_with_the_503(path, content_type):
    request = RequestFactory().get(path)
    try:
        raise as_django(psycopg.errors.ReadOnlySqlTransaction("cannot execute UPDATE in a read-only transaction"))
    except DatabaseError:
        response = handler500(request)

    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert response["Content-Type"].startswith(content_type)
    assert getattr(response, "_has_been_logged", False)


# --- /healthz -------------------------------------------------------------------------------------------------------


@pytest.fixture
def plenty_of_room() -> Iterator[mock.MagicMock]:
    with mock.patch("parceria.site.views.shutil.disk_usage", return_value=mock.Mock(free=50_000 * MB)) as usage:
        yield usage


def healthz() -> tuple[int, dict[str, Any]]:
    response = Client().get("/healthz")
    return response.status_code, response.json()


def test_healthz_is_ok_with_one_query_and_one_look_at_the_disk(db, plenty_of_room):
    with CaptureQueriesContext(connection) as queries:
        status, body = healthz()

    assert (status, body) == (200, {"status": "ok", "database": connection.vendor})
    assert len(queries) == 1
    assert plenty_of_room.call_args_list == [mock.call(Path(settings.VAR_DIR))]


def test_healthz_says_the_database_cannot_be_reached(db, plenty_of_room, caplog):
    error = as_django(psycopg.OperationalError(PG_REFUSED))
    with mock.patch.object(connections["default"], "cursor", side_effect=error), caplog.at_level(logging.WARNING):
        status, body = healthz()

    assert (status, body) == (503, {"status": "unavailable", "database": connection.vendor, "problems": [
        {"code": "database_unavailable", "detail": "the database cannot be reached"}]})
    assert [r.getMessage() for r in caplog.records if r.name == "parceria.site.views"] == [
        f"GET /healthz: database_unavailable (the database cannot be reached); OperationalError: {PG_REFUSED}"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_healthz_says_the_disk_is_nearly_full(db, settings):
    settings.PARCERIA = {**settings.PARCERIA, "HEALTHZ_MIN_FREE_MB": 100}
    with mock.patch("parceria.site.views.shutil.disk_usage", return_value=mock.Mock(free=42 * MB + 5)):
        status, body = healthz()

    assert (status, body) == (503, {"status": "unavailable", "database": connection.vendor, "problems": [
        {"code": "storage_low", "detail": "42 MB free on the disk of the var folder, under the 100 MB wanted"}]})


def test_healthz_without_a_minimum_looks_at_no_disk(db, settings):
    settings.PARCERIA = {**settings.PARCERIA, "HEALTHZ_MIN_FREE_MB": 0}
    with mock.patch("parceria.site.views.shutil.disk_usage") as usage:
        assert healthz() == (200, {"status": "ok", "database": connection.vendor})
    assert usage.call_count == 0


sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="an SQLite database file")
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL server")
#: Requests that commit (a read-only session, a killed connection), as the suite's other such tests are marked.
transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@sqlite_only
@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to a read-only file")
def test_healthz_says_a_read_only_sqlite_file_takes_no_writes(db, plenty_of_room):
    path = Path(connection.settings_dict["NAME"])
    mode = path.stat().st_mode
    path.chmod(0o444)
    try:
        status, body = healthz()
    finally:
        path.chmod(mode)

    assert (status, body) == (503, {"status": "unavailable", "database": "sqlite", "problems": [
        {"code": "database_read_only", "detail": "the database file is not writable"}]})


@sqlite_only
def test_healthz_says_an_sqlite_folder_that_takes_no_writes(db, plenty_of_room):
    """As a read-only mount shows it (even to root)."""
    folder = Path(connection.settings_dict["NAME"]).parent

    def access(path: Any, mode: int) -> bool:
        return not (Path(path) == folder and mode == os.W_OK)

    with mock.patch("parceria.site.views.os.access", side_effect=access):
        status, body = healthz()

    assert (status, body) == (503, {"status": "unavailable", "database": "sqlite", "problems": [
        {"code": "database_read_only", "detail": "the folder of the database file is not writable"}]})


# --- PostgreSQL: a read-only session, a killed connection -----------------------------------------------------------


@contextmanager
def read_only_session() -> Iterator[None]:
    """The session's next transactions are read-only, as on a server with default_transaction_read_only on."""
    with connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = on")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET default_transaction_read_only = off")


@postgresql_only
@transactional
def test_healthz_says_a_read_only_postgresql_takes_no_writes(plenty_of_room):
    with read_only_session():
        status, body = healthz()

    detail = "the database takes no writes (default_transaction_read_only is on)"
    assert (status, body) == (503, {"status": "unavailable", "database": "postgresql", "problems": [
        {"code": "database_read_only", "detail": detail}]})


@postgresql_only
@transactional
def test_a_write_to_a_read_only_postgresql_is_a_503_and_nothing_is_written():
    customer = make_customer(make_partner(status="active"))
    api = ApiClient(make_key("platform"))
    before = stored()

    with read_only_session():
        response = api.post("/events", {"events": [paid(customer, "10.00", event_id="evt_ro")]})

    assert answer(response) == (503, fault_body(READ_ONLY), "30")
    assert stored() == before
    assert api.post("/events", {"events": [paid(customer, "10.00", event_id="evt_ro")]}).status_code == 200


def wsgi(method: str, path: str, body: bytes = b"", **headers: Any) -> tuple[int, bytes]:
    """A request through Django's WSGI handler itself, which (unlike the test client) closes a broken connection at
    the request's end and checks a kept one at its start (close_old_connections, CONN_HEALTH_CHECKS)."""
    environ = RequestFactory().generic(method, path, body, content_type="application/json", **headers).environ
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        statuses.append(status)

    response = WSGIHandler()(environ, start_response)
    try:
        content = b"".join(response)
    finally:
        response.close()  # request_finished
    return int(statuses[0].split()[0]), content


def kill(backend_pid: int) -> None:
    """End a server process from another session, waiting until it is gone."""
    killer = connections.create_connection("default")
    try:
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [backend_pid])
    finally:
        killer.close()


def backend_pid() -> int:
    connection.ensure_connection()
    return int(connection.connection.info.backend_pid)


@pytest.fixture
def pg_intake() -> tuple[str, list[dict[str, Any]]]:
    customer = make_customer(make_partner(status="active"))
    return make_key("platform"), [paid(customer, "100.00", event_id="evt_kill_1")]


@postgresql_only
@transactional
def test_a_connection_killed_between_requests_is_replaced_without_an_error(pg_intake):
    key, events = pg_intake
    before = backend_pid()
    kill(before)

    status, _ = wsgi("POST", "/api/v1/events", orjson.dumps({"events": events}), HTTP_AUTHORIZATION=f"Bearer {key}")

    assert status == 200
    assert backend_pid() != before
    assert Event.objects.filter(event_id="evt_kill_1").exists()


@postgresql_only
@transactional
def test_a_connection_lost_during_a_request_is_a_503_then_replaced_and_the_next_request_succeeds(pg_intake, caplog):
    key, events = pg_intake
    body = orjson.dumps({"events": events})
    first = backend_pid()

    def lose_connection(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith("INSERT"):
            kill(first)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(lose_connection), caplog.at_level(logging.WARNING):
        status, content = wsgi("POST", "/api/v1/events", body, HTTP_AUTHORIZATION=f"Bearer {key}")

    assert (status, orjson.loads(content)) == (503, fault_body(UNAVAILABLE))
    assert backend_pid() != first  # the dead connection was dropped
    assert [r.getMessage().split(":")[0] for r in fault_records(caplog)] == [
        "database_unavailable at POST /api/v1/events"]

    status, content = wsgi("POST", "/api/v1/events", body, HTTP_AUTHORIZATION=f"Bearer {key}")

    assert (status, orjson.loads(content)) == (200, {"accepted": 1, "duplicates": 0, "rejected": []})
    assert Event.objects.filter(event_id="evt_kill_1").count() == 1


def test_postgresql_connections_are_checked_before_reuse():
    with mock.patch.dict(os.environ, {"DATABASE_URL": "postgres://parceria:secret@127.0.0.1:5432/parceria"}):
        config = _database_config()

    assert (config["ENGINE"], config["CONN_HEALTH_CHECKS"]) == ("django.db.backends.postgresql", True)
