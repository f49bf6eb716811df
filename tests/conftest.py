from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

# Hypothesis runs without its per-example deadline: speed is measured by bench/, never asserted in a test, and on a
# busy machine (two xdist workers beside a PostgreSQL server) an example's time says nothing about the code.
hypothesis_settings.register_profile("parceria", deadline=None)
hypothesis_settings.load_profile("parceria")

SOURCE = Path(__file__).resolve().parent.parent / "src" / "parceria"


def pytest_configure(config: pytest.Config) -> None:
    """Compile the message catalogues (as `make messages` does) so translated pages can be tested: once, in the
    process that starts the run, before any pytest-xdist worker reads them (workers skip it)."""
    if hasattr(config, "workerinput") or shutil.which("msgfmt") is None:
        return
    from django.core.management import call_command

    here = os.getcwd()
    os.chdir(SOURCE)
    try:
        call_command("compilemessages", verbosity=0)
    finally:
        os.chdir(here)


#: Fixtures that give a test the database: a test that asks for none of them (directly or through its fixtures) and has
#: no django_db mark never touches it, so it runs the same on every backend.
DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With PARCERIA_TESTS_DATABASE_ONLY=1 (`make test`'s PostgreSQL phase), leave out the tests that never touch the
    database: the SQLite phase has just run them, and their answer does not depend on the backend."""
    if os.environ.get("PARCERIA_TESTS_DATABASE_ONLY") != "1":
        return
    kept, left = [], []
    for item in items:
        uses_database = item.get_closest_marker("django_db") is not None or DATABASE_FIXTURES & set(
            getattr(item, "fixturenames", ()))
        (kept if uses_database else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


_media_folders = itertools.count(1)


@pytest.fixture(autouse=True)
def media_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Each test stores uploaded files (dispute attachments, agreement documents) in a folder of its own, so
    it sees only the files it stored, whatever runs beside it. The folder is created on the first upload."""
    from django.test import override_settings

    folder = tmp_path_factory.getbasetemp() / "media" / str(next(_media_folders))
    with override_settings(MEDIA_ROOT=folder):
        yield folder


def _load_reference_data() -> None:
    """The rows the data migrations create (the standard plan, withholding rules, payout minimums), loaded
    again with the migrations' own idempotent functions. A transactional test starts from an emptied
    database; this puts the product's reference data back whatever ran before."""
    import importlib

    from django.apps import apps

    plan = importlib.import_module("parceria.commissions.migrations.0002_default_plan_and_append_only")
    payouts = importlib.import_module("parceria.payouts.migrations.0002_withholding_rules_and_thresholds")
    rules = importlib.import_module("parceria.payouts.migrations.0006_withholding_monthly_rules_and_inss")
    plan.create_plan(apps, None)
    payouts.load(apps, None)
    rules.sync(apps, None)


@pytest.fixture(autouse=True)
def tenancy_guard():
    """Every query a partner's request makes reads partner-owned tables through its partner (tests/tenancy_guard.py)."""
    from django.db import connections

    from tests.tenancy_guard import partner_owned_tables, wrapper

    guard = wrapper(partner_owned_tables())
    for connection in connections.all():
        connection.execute_wrappers.append(guard)
    yield
    for connection in connections.all():
        if guard in connection.execute_wrappers:
            connection.execute_wrappers.remove(guard)


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts and ends in the default language: a request (the language middleware) or a test may
    activate another one on the thread, and the next test on that worker would read its messages."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def reference_data(request):
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        _load_reference_data()


class ApiClient:
    """A client for the real API at /api/v1, through Django's whole request stack (URLs, middleware, the API's
    parser and error handlers), that sends an API key (`key`; None sends none)."""

    def __init__(self, key: str | None) -> None:
        self.key = key
        headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
        self._client = Client(**headers)

    def get(self, path: str, **params: Any):
        """GET `path`; its query is `params`, or the one written in `path`."""
        return self._client.get(f"/api/v1{path}", params)

    def post(self, path: str, body: Any = None, *, raw: bytes | None = None):
        """POST `body` as JSON (an empty object when None), or the bytes `raw` as they are."""
        data = raw if raw is not None else body
        return self._client.post(f"/api/v1{path}", data, content_type="application/json")

    def patch(self, path: str, body: Any = None, *, raw: bytes | None = None):
        data = raw if raw is not None else body
        return self._client.patch(f"/api/v1{path}", data, content_type="application/json")

    def request(self, method: str, path: str, body: Any = None):
        return getattr(self._client, method.lower())(f"/api/v1{path}", body, content_type="application/json")

    def upload(self, path: str, name: str, content: bytes, content_type: str = "application/octet-stream", *,
               extra: dict[str, Any] | None = None):
        """POST a multipart form whose field `file` is a file called `name` holding `content`, and the parts of
        `extra` (text, or a file as SimpleUploadedFile)."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self._client.post(f"/api/v1{path}",
                                 {"file": SimpleUploadedFile(name, content, content_type), **(extra or {})})


@pytest.fixture
def admin_api(db):
    from tests.factories import make_key

    return ApiClient(make_key("admin"))


@pytest.fixture
def platform_api(db):
    from tests.factories import make_key

    return ApiClient(make_key("platform"))


@pytest.fixture
def api_client_for():
    from tests.factories import make_key

    def build(scope: str, partner=None) -> ApiClient:
        return ApiClient(make_key(scope, partner))

    return build


# Signed-in staff who have passed the second factor, one per role the console and pipeline tests use.
@pytest.fixture
def manager(db) -> Client:
    from tests.factories import staff_client

    return staff_client("pm", "partner_manager")


@pytest.fixture
def analyst(db) -> Client:
    from tests.factories import staff_client

    return staff_client("ana", "analyst")


@pytest.fixture
def finance(db) -> Client:
    from tests.factories import staff_client

    return staff_client("fin", "finance")
