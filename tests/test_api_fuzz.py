"""Property-based fuzzing of the whole API from its own OpenAPI document (DESIGN: schemathesis).

The schema is loaded from the application (WSGI, `/api/v1/openapi.json`) and every operation gets a bounded,
deterministic number of generated requests against a small real world (two partners, customers, paid and refunded
invoices, ledger lines, a closed March with an approved and exported payout batch, a dispute, an adjustment and an
agreement). Valid requests aim at real objects; invalid ones ("negative" data) are sent as generated. Whatever is
sent, the API must never answer 5xx, must answer only status codes it documents with bodies of the documented shape,
must reject invalid input with 4xx, and every 4xx is the API's JSON error `{"error": {"code", "message", ...}}`.

Run it alone with `pytest tests/test_api_fuzz.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import make_key
from tests.test_api_tenancy import World, close_march, dispute_of_b, path_values, world  # noqa: F401

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
# Each test sends its own API key (below), so the Authorization header is not generated. Unknown query parameters
# are ignored by the API, as by most HTTP APIs, so requests that only add one are not expected to fail.
schema.config.generation.update(with_security_parameters=False, allow_extra_parameters=False)

#: Examples per operation and generation mode: enough to find odd input, small enough for a quick suite.
FUZZ = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    # The world is built once per operation (a function-scoped fixture) and shared by its examples on purpose.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(autouse=True)
def _requests_share_the_test_transaction() -> Iterator[None]:
    """Django closes stale connections around each WSGI request; inside a test that would drop the test's
    transaction (Django's own test client disconnects the same handler)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(world: World) -> World:  # noqa: F811
    """Partners A and B with customers and ledger lines, March closed into an approved, exported batch, and B's
    dispute (with an attachment), adjustment and agreement: every path parameter names a real object."""
    close_march(world)
    dispute_of_b(world)
    return world


@pytest.fixture
def admin_key(fuzz_world: World) -> str:
    return make_key("admin")


@pytest.fixture
def partner_key(fuzz_world: World) -> str:
    return make_key("partner", fuzz_world.b)


def documents_its_own_body(case: Any, status: int) -> bool:
    """Whether the operation documents a body other than the error for this status (POST /events answers 422
    with its batch result)."""
    declared = case.operation.definition.raw.get("responses", {}).get(str(status), {})
    schema_ = declared.get("content", {}).get("application/json", {}).get("schema", {})
    refs = [schema_.get("$ref", "")] + [option.get("$ref", "") for option in schema_.get("anyOf", [])]
    return any(ref and not ref.endswith("/ErrorOut") for ref in refs)


def assert_error_body(response: Any, case: Any) -> None:
    """Every client error is the API's JSON error: {"error": {"code": str, "message": str, "details"?}}."""
    if not 400 <= response.status_code < 500:
        return
    what = f"{case.method} {response.request.url} -> {response.status_code} {response.content[:300]!r}"
    assert response.headers.get("content-type", [""])[0].startswith("application/json"), what
    body = response.json()
    if documents_its_own_body(case, response.status_code) and "error" not in body:
        return
    assert isinstance(body, dict) and set(body) == {"error"}, what
    error = body["error"]
    assert set(error) <= {"code", "message", "details"}, what
    assert isinstance(error["code"], str) and error["code"], what
    assert isinstance(error["message"], str), what


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def aim_at_real_objects(case: Any, w: World) -> None:
    """Valid requests address the world's objects, so they reach the service code rather than a 404."""
    if case.path_parameters and case.meta is not None and not case.meta.is_negative_at(ParameterLocation.PATH):
        values = path_values(w)
        for name in case.path_parameters:
            if name in values:
                case.path_parameters[name] = values[name]


def call_and_check(case: Any, key: str, w: World) -> None:
    aim_at_real_objects(case, w)
    response = case.call(headers={"Authorization": f"Bearer {key}"})
    case.validate_response(response, checks=CHECKS)
    assert_error_body(response, case)


@schema.parametrize()
@FUZZ
def test_admin_key_fuzz(case, fuzz_world, admin_key):
    call_and_check(case, admin_key, fuzz_world)


@schema.include(method="GET").parametrize()
@FUZZ
def test_partner_key_fuzz_of_readable_routes(case, fuzz_world, partner_key):
    call_and_check(case, partner_key, fuzz_world)
