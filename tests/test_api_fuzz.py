"""Property-based fuzzing of the whole API from its own OpenAPI document (DESIGN: schemathesis).

The schema is loaded from the application (WSGI, `/api/v1/openapi.json`) and every operation gets a bounded,
deterministic number of generated requests against a small real world (two partners, customers, paid and refunded
invoices, ledger lines, a closed March with an approved and exported payout batch, a dispute, an adjustment and an
agreement). Valid requests aim at real objects; invalid ones ("negative" data) are sent as generated. Every check
schemathesis has runs: the API must never answer 5xx, must answer only status codes and media types it documents with
bodies of the documented shape, must reject invalid input with 4xx and accept valid input (see POSITIVE_DATA_ANSWERS
for the rules a JSON Schema cannot state), must refuse the request without its key, must answer an undeclared method
with 405 and `Allow`; and every 4xx is the API's JSON error `{"error": {"code", "message", ...}}`.

Run it alone with `pytest tests/test_api_fuzz.py`; `FUZZ_EXAMPLES=500 pytest tests/test_api_fuzz.py` (what
`make fuzz` runs) tries many more examples per operation.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from parceria.api.parser import NUL_MESSAGE, field_with_nul
from tests.factories import make_key
from tests.test_api_tenancy import World, close_march, dispute_of_b, path_values, world  # noqa: F401

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
# Each test sends its own API key (below), so the Authorization header is not generated. Unknown query parameters
# are ignored by the API, as by most HTTP APIs, so requests that only add one are not expected to fail.
schema.config.generation.update(with_security_parameters=False, allow_extra_parameters=False)

#: Examples per operation and generation mode: enough to find odd input, small enough for a quick suite; the
#: FUZZ_EXAMPLES environment variable asks for more (`make fuzz`).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 15)
FUZZ = settings(
    max_examples=EXAMPLES,
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


def aim_at_real_objects(case: Any, w: World) -> None:
    """Valid requests address the world's objects, so they reach the service code rather than a 404."""
    if case.path_parameters and case.meta is not None and not case.meta.is_negative_at(ParameterLocation.PATH):
        values = path_values(w)
        for name in case.path_parameters:
            if name in values:
                case.path_parameters[name] = values[name]


#: Rules the document cannot state as JSON Schema, by operation: a check digit (CNPJ, CPF, a PIX key), a choice
#: that depends on another field (a subcategory of the category, a checklist item of the stage), a reference to a
#: row that must exist (a customer's partner, an event's customer), a file's content (a PTAX CSV, a bank return
#: file, an attachment's type), a move the object's current state does not allow, or a rule across fields (an end
#: date before the start). For schema-valid data such a refusal is a 422 with the rule's error code (and, where the
#: code is generic, the field); any other 422 or 400 still fails the positive-data check.
STATE = {"invalid_transition"}
POSITIVE_DATA_ANSWERS: dict[str, set[str | tuple[str, str]]] = {
    "POST /api/v1/partners": {"invalid_tax_id", "invalid_tax_regime", "invalid_pix_key", ("invalid_choice",
                                                                                         "subcategory"),
                              "invalid_payout_method"},
    # the method's details are checked per country (check digits, the holder, a reason for an account abroad)
    "PUT /api/v1/partners/{partner_id}/payout-method": {"invalid_payout_method"},
    "PATCH /api/v1/partners/{partner_id}": STATE | {"invalid_tax_id", "invalid_tax_regime", "invalid_pix_key",
                                                    ("invalid_choice", "subcategory")},
    # a named deal registration must exist and be the customer's partner's (documented 422s)
    "POST /api/v1/customers": {"invalid_tax_id", "unknown_partner", "partner_terminated", ("invalid", "domain"),
                               "unknown_deal_registration", "deal_registration_partner_mismatch"},
    "PATCH /api/v1/customers/{customer_id}": {"invalid_tax_id", "unknown_partner", "partner_terminated",
                                              ("invalid", "domain")},
    "POST /api/v1/events": {"batch"},  # each event names a customer that must exist; the answer is the batch's
    "POST /api/v1/fx-rates/import": {"empty_file"},
    "POST /api/v1/payout-returns": {"invalid_return_file"},
    # a part named `file` without a file name is a form field, not a file: file_required
    "POST /api/v1/disputes/{dispute_id}/attachments": {"invalid_file_type", "too_many_attachments", "file_required"},
    "POST /api/v1/disputes/{dispute_id}/review": STATE,
    "POST /api/v1/disputes/{dispute_id}/resolve": STATE,
    "POST /api/v1/disputes/{dispute_id}/reject": STATE,
    "POST /api/v1/adjustments/{adjustment_id}/reject": STATE,
    "POST /api/v1/adjustments/{adjustment_id}/approve": STATE,
    "POST /api/v1/agreements": {"end_before_start", ("invalid", "end_date"), ("invalid", "initial_term_months")},
    "POST /api/v1/agreements/{agreement_id}/status": STATE | {("invalid", "signed_on"), ("invalid", "terminated_on")},
    "POST /api/v1/agreements/{agreement_id}/rate-overrides": {("invalid", "status"), ("invalid", "type")},
    "POST /api/v1/partners/{partner_id}/lifecycle/moves": STATE | {"reason_required", "override_reason_required"},
    "POST /api/v1/partners/{partner_id}/lifecycle/checklist": {("invalid_choice", "item"), "evidence_required"},
    "POST /api/v1/evaluation-weights": {"weights_sum"},
    "POST /api/v1/partners/{partner_id}/evaluations": {"invalid_number"},  # a float score with more than one decimal
    "POST /api/v1/plans/{plan_id}/what-if": {("invalid", "to"), "period_too_long"},
    "GET /api/v1/fx-rates": {("invalid", "to")},  # from after to
    # the partner named must exist (404 otherwise); a tax id's check digits; a domain's form, never a public e-mail
    # provider's; an e-mail address's form; a name of letters or digits; a tax id or a domain
    "POST /api/v1/deal-registrations": {"partner_required", "partner_terminated", "invalid_tax_id",
                                        "public_email_domain", "identity_required", ("invalid", "domain"),
                                        ("invalid", "contact_email"), ("invalid", "company_name"),
                                        ("invalid", "country")},
    "POST /api/v1/deal-registrations/{registration_id}/decide": STATE,
    # a registration that is not approved, or expired, is a 409 (documented); a terminated partner's claim cannot
    # attribute the customer
    "POST /api/v1/deal-registrations/{registration_id}/convert": {"partner_terminated"},
    # the pipeline: a tax id's check digits, a domain's form (never a public e-mail provider's), a name of letters or
    # digits, an amount with its currency; an import's rows are checked the same way (every bad row listed)
    "PUT /api/v1/opportunities/{external_id}": {"invalid_tax_id", "public_email_domain", ("invalid", "domain"),
                                               ("invalid", "company_name"), ("invalid", "currency"),
                                               ("invalid", "external_id")},
    "POST /api/v1/opportunities/import": {"invalid_rows", "invalid_csv", "invalid"},
    # a lead is cleaned as a deal registration is; an external id of printable text
    "POST /api/v1/leads": {"invalid_tax_id", "public_email_domain", "identity_required", ("invalid", "domain"),
                           ("invalid", "contact_email"), ("invalid", "company_name"), ("invalid", "country"),
                           ("invalid", "external_id"), ("invalid", "contact_name"), ("invalid", "notes"),
                           ("invalid", "vertical"), ("invalid", "region")},
    "POST /api/v1/leads/{lead_id}/decline": {("invalid", "reason")},
    # only an active partner is offered a lead
    "POST /api/v1/leads/{lead_id}/offer": {"partner_inactive"},
    # the partner terminated since cannot register the lead's deal
    "POST /api/v1/leads/{lead_id}/accept": {"partner_terminated"},
    # staff name the partner whose list it is; the file must be a CSV naming tax_id and/or domain with a valid row
    "POST /api/v1/account-mappings": {"partner_required", "file_required", "invalid_csv", "invalid_header",
                                      "too_many_rows", "no_accounts"},
    # staff name the partner (it must exist); a landing URL must be an http(s) address
    "POST /api/v1/referral-links": {"partner_required", "unknown_partner", ("invalid", "landing_url")},
    "GET /api/v1/analytics/channel-conflict": {("invalid", "to"), "period_too_long"},  # from after to; > 60 months
    "GET /api/v1/analytics/risks": {"invalid_date"},  # a day the pattern allows but the calendar lacks (02-30)
    # every item goes through the figure's rules (a money figure's currency, a count's whole number, a score's scale,
    # a per-partner figure's partner that must exist, no repeated key, month and partner): every bad item listed
    "PUT /api/v1/analytics/figures": {"invalid_rows"},
    # authenticated by a signature over the body, which no generated request carries: refused 400 (and never 5xx)
    "POST /api/v1/integrations/stripe/webhook": {"invalid_signature"},
}


def _names_a_part_with_nul(body: Any, details: Any) -> bool:
    """Whether `details` is the NUL error of one of the parts of a multipart `body` whose name holds a NUL."""
    if not isinstance(body, dict) or not isinstance(details, list) or len(details) != 1:
        return False
    field = details[0].get("field")
    return details[0].get("message") == NUL_MESSAGE and field in body and "\x00" in field


def refused_by_a_stated_rule(case: Any, response: Any) -> None:
    """A 422 to schema-valid data must name one of the operation's rules in POSITIVE_DATA_ANSWERS."""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 422:
        return
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    if error and error.get("details") == [{"field": field_with_nul(case.body), "message": NUL_MESSAGE}]:
        return  # the generator put a NUL in a key, which `propertyNames` forbids: not valid data after all
    if error and _names_a_part_with_nul(case.body, error.get("details")):
        return  # an upload's part named with a NUL: refused like any NUL (the document cannot state part names)
    if error is None:
        code, field = "batch", ""
    else:
        details = error.get("details")
        code = error["code"]
        field = details.get("field", "") if isinstance(details, dict) else ""
    allowed = POSITIVE_DATA_ANSWERS[case.operation.label]
    assert code in allowed or (code, field) in allowed, (
        f"{case.operation.label}: valid data refused with {code} {field}: {response.content[:300]!r}"
    )


def call_and_check(case: Any, key: str, w: World) -> None:
    aim_at_real_objects(case, w)
    label = case.operation.label
    excluded = [positive_data_acceptance] if label in POSITIVE_DATA_ANSWERS else []
    # Every check schemathesis has, the positive-data one by the rules above where the document cannot state them.
    response = case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, excluded_checks=excluded)
    if excluded:
        refused_by_a_stated_rule(case, response)
    assert_error_body(response, case)


@schema.parametrize()
@FUZZ
def test_admin_key_fuzz(case, fuzz_world, admin_key):
    call_and_check(case, admin_key, fuzz_world)


@schema.include(method="GET").parametrize()
@FUZZ
def test_partner_key_fuzz_of_readable_routes(case, fuzz_world, partner_key):
    call_and_check(case, partner_key, fuzz_world)
