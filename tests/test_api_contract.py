"""The API keeps its documented contract on odd input: JSON errors for every 4xx, bounded numbers, dates as ISO
text, booleans as booleans, and every status code and media type it answers with declared in /api/v1/openapi.json."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from ninja import Schema
from openapi_spec_validator import OpenAPIV31SpecValidator

from parceria.api.openapi import NO_NUL_PATTERN
from parceria.api.schemas import MAX_ID, MONTH_PATTERN, NOT_BLANK_PATTERN
from parceria.customers.models import Customer
from parceria.partners.models import TierAssessment
from tests.conftest import ApiClient
from tests.factories import make_customer, make_key, make_partner

pytestmark = pytest.mark.django_db


def error_of(response) -> dict[str, Any]:
    assert response["Content-Type"] == "application/json; charset=utf-8", response.content
    return response.json()["error"]


def openapi() -> dict[str, Any]:
    return ApiClient(None).get("/openapi.json").json()


# --- URLs and methods the API does not serve -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/partners/abc", "/partners/1/nothing", "/no-such-thing", "/"])
def test_a_url_under_the_api_that_no_route_matches_is_a_json_404(admin_api, path):
    response = admin_api.get(path)

    assert response.status_code == 404
    assert error_of(response) == {"code": "not_found", "message": "no API route matches this URL"}


def test_outside_the_api_a_missing_page_is_still_the_html_404(db):
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("delete", "/partners", "GET, POST"),
    ("put", "/customers/1", "GET, PATCH"),
    ("trace", "/events", "POST"),
])
def test_a_method_a_route_does_not_serve_is_a_json_405_with_allow(admin_api, method, path, allowed):
    response = admin_api.request(method, path)

    assert response.status_code == 405
    assert response["Allow"] == allowed
    assert error_of(response) == {
        "code": "method_not_allowed", "message": f"{method.upper()} is not allowed here; allowed: {allowed}",
    }


# --- numbers the database cannot hold ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    f"/customers?offset={10**30}", f"/payouts?offset={MAX_ID + 1}", f"/customers?partner_id={10**30}",
    f"/payouts?partner_id={10**30}", f"/disputes?partner_id={10**30}", f"/agreements?partner_id={10**30}",
    f"/adjustments?partner_id={10**30}", f"/payouts?batch_id={10**30}", "/customers?partner_id=-1",
])
def test_an_id_or_offset_beyond_the_database_range_is_422_not_a_server_error(admin_api, path):
    field = path.split("?")[1].split("=")[0]

    response = admin_api.get(path)

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid"
    assert [detail["field"] for detail in error["details"]] == [field]


def test_the_largest_id_the_database_holds_is_still_a_plain_not_found_filter(admin_api):
    response = admin_api.get(f"/customers?partner_id={MAX_ID}")

    assert response.status_code == 200
    assert response.json() == {"count": 0, "limit": 100, "offset": 0, "items": []}


def test_a_customer_with_a_partner_id_beyond_the_range_is_refused_and_not_stored(admin_api):
    response = admin_api.post("/customers", {"external_id": "cus-big", "name": "Big", "country": "BR",
                                             "partner_id": 10**30})

    assert response.status_code == 422
    assert [detail["field"] for detail in error_of(response)["details"]] == ["partner_id"]
    assert not Customer.objects.filter(external_id="cus-big").exists()


# --- dates are ISO text and booleans are booleans ------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1_700_000_000, "0", "1700000000"])
def test_a_number_is_not_taken_as_a_customer_attribution_time(admin_api, value):
    customer = make_customer(make_partner())
    attributed_at = customer.attributed_at

    response = admin_api.patch(f"/customers/{customer.pk}", {"attributed_at": value})

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid"
    assert error["details"] == [{"field": "attributed_at", "message": (
        "Value error, expected ISO 8601 text (YYYY-MM-DD, or a date and time), not a number")}]
    customer.refresh_from_db()
    assert customer.attributed_at == attributed_at


def test_an_iso_attribution_time_is_still_accepted(admin_api):
    customer = make_customer(make_partner())

    response = admin_api.patch(f"/customers/{customer.pk}", {"attributed_at": "2026-03-05T10:00:00-03:00"})

    assert response.status_code == 200
    assert response.json()["attributed_at"] == "2026-03-05T10:00:00-03:00"


@pytest.mark.parametrize("query", ["to=0", "from=20260301", "from=-1.6816973735469695e-160", "to=1e9", "to=%201%20"])
def test_a_number_is_not_a_date_in_the_fx_rate_filter(admin_api, query):
    response = admin_api.get(f"/fx-rates?{query}")

    assert response.status_code == 422
    assert [detail["field"] for detail in error_of(response)["details"]] == [query.split("=")[0]]


def test_an_iso_date_is_still_a_filter_of_fx_rates(admin_api):
    response = admin_api.get("/fx-rates?from=2026-03-01&to=2026-03-31")

    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("value", [0, 1, "yes"])
def test_a_tier_assessment_dry_run_must_be_a_boolean(admin_api, value):
    partner = make_partner()

    response = admin_api.post("/tier-assessments", {"partner_id": partner.pk, "dry_run": value})

    assert response.status_code == 422
    assert error_of(response)["details"] == [{"field": "dry_run", "message": "Input should be a valid boolean"}]
    assert TierAssessment.objects.count() == 0


# --- every answer is declared in the OpenAPI document --------------------------------------------------------------


def strict_json(text: str) -> Any:
    """JSON as a strict parser reads it: a key repeated in one object is an error (Swagger's "Parser error")."""

    def refuse_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        assert not repeated, f"the document repeats the keys {repeated} in one object"
        return dict(pairs)

    return json.loads(text, object_pairs_hook=refuse_repeats)


def test_the_document_is_strict_json_and_valid_openapi_3_1(db):
    response = Client().get("/api/v1/openapi.json")

    document = strict_json(response.content.decode())

    assert document["openapi"].startswith("3.1")
    OpenAPIV31SpecValidator(document).validate()  # raises on the first error


def test_no_two_api_schemas_share_a_component_name(db):
    """The document names each schema's component after its class; two classes of one name would silently share one
    component, so one route would document (and the fuzz tests check) the other's fields."""
    openapi()  # every router is imported and its schemas are built
    seen: dict[str, str] = {}
    clashes = []
    pending = list(Schema.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not cls.__module__.startswith("parceria."):
            continue
        where = f"{cls.__module__}.{cls.__qualname__}"
        if cls.__name__ in seen and seen[cls.__name__] != where:
            clashes.append((seen[cls.__name__], where))
        seen.setdefault(cls.__name__, where)
    assert clashes == []


def test_the_document_states_the_rules_of_every_request(db):
    paths = openapi()["paths"]
    components = openapi()["components"]["schemas"]
    download = paths["/api/v1/payout-batches/{batch_id}/exports/{export_id}"]["get"]["parameters"]
    close = paths["/api/v1/periods/{period}/close"]["post"]

    assert {p["name"]: (p["schema"]["minimum"], p["schema"]["maximum"]) for p in download} == {
        "batch_id": (0, MAX_ID), "export_id": (0, MAX_ID)}
    assert close["parameters"][0]["schema"]["pattern"] == MONTH_PATTERN
    assert components["CustomerIn"]["properties"]["tax_id"]["pattern"] == NO_NUL_PATTERN  # any text: no NUL
    assert components["CustomerIn"]["properties"]["name"]["pattern"] == NOT_BLANK_PATTERN
    assert components["ExportIn"]["properties"]["format"]["enum"] == [
        "cnab", "cnab_ted", "spei", "cbu", "co_bank", "cl_bank", "intl", "csv"]
    assert sorted(paths["/api/v1/customers"]["post"]["responses"]) == ["200", "201", "400", "401", "403", "404",
                                                                        "409", "413", "415", "422", "503"]


def test_post_events_documents_its_client_errors(db):
    responses = openapi()["paths"]["/api/v1/events"]["post"]["responses"]

    assert sorted(int(code) for code in responses) == [200, 400, 401, 403, 404, 409, 413, 415, 422, 503]


def test_post_events_without_a_key_is_the_documented_401(db):
    response = ApiClient(None).post("/events", {"events": []})

    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_downloads_document_the_media_types_they_are_served_with(db):
    paths = openapi()["paths"]

    export = paths["/api/v1/payout-batches/{batch_id}/exports/{export_id}"]["get"]["responses"]["200"]
    attachment = paths["/api/v1/disputes/{dispute_id}/attachments/{attachment_id}"]["get"]["responses"]["200"]

    assert sorted(export["content"]) == ["text/csv", "text/plain"]
    assert sorted(attachment["content"]) == ["application/pdf", "image/jpeg", "image/png", "text/csv"]


def test_the_document_states_the_bounds_of_ids_and_offsets(db):
    """The bounds above are in the document, so clients (and the fuzz test) see them."""
    parameters = {p["name"]: p["schema"] for p in openapi()["paths"]["/api/v1/customers"]["get"]["parameters"]}

    assert (parameters["offset"]["minimum"], parameters["offset"]["maximum"]) == (0, MAX_ID)
    assert parameters["partner_id"]["anyOf"][0] == {"type": "integer", "minimum": 0, "maximum": MAX_ID}


# --- NUL characters, which no database stores ----------------------------------------------------------------------

NUL_MESSAGE = "text may not contain NUL (\\x00) characters"


@pytest.mark.parametrize(("path", "field"), [
    ("/agreements?status=%00P&type=x", "status"), ("/customers?status=a%00", "status"), ("/partners?q%00=1", "q\x00"),
])
def test_a_nul_in_a_query_string_is_422(admin_api, path, field):
    response = admin_api.get(path)

    assert response.status_code == 422
    assert error_of(response) == {"code": "invalid", "message": f"{field}: {NUL_MESSAGE}",
                                  "details": [{"field": field, "message": NUL_MESSAGE}]}


def test_a_nul_in_a_json_body_is_422_and_nothing_is_stored(admin_api):
    response = admin_api.post("/customers", {"external_id": "cus-nul", "name": "Nul\x00Name", "country": "BR"})

    assert response.status_code == 422
    assert error_of(response)["details"] == [{"field": "name", "message": NUL_MESSAGE}]
    assert not Customer.objects.filter(external_id="cus-nul").exists()


def test_a_nul_deep_in_an_event_batch_names_its_place(admin_api):
    response = admin_api.post("/events", {"events": [{"id": "ok"}, {"id": "evt\x00"}]})

    assert response.status_code == 422
    assert error_of(response)["details"] == [{"field": "events.1.id", "message": NUL_MESSAGE}]


def test_the_query_string_of_an_upload_is_still_checked_for_nul():
    from django.test import RequestFactory

    from parceria.api.parser import ApiParser, NulInText

    with_nul, clean = (RequestFactory().post(f"/api/v1/x?q={q}", {"note": "clean"}) for q in ("a%00b", "ab"))
    assert with_nul.content_type == "multipart/form-data"
    with pytest.raises(NulInText):
        ApiParser().parse_querydict(with_nul.GET, [], with_nul)
    assert ApiParser().parse_querydict(clean.GET, [], clean) == {"q": "ab"}


def test_the_document_states_the_nul_rule_of_the_parts_an_upload_route_does_not_read(db):
    body = openapi()["paths"]["/api/v1/account-mappings"]["post"]["requestBody"]["content"]["multipart/form-data"]

    assert body["schema"]["additionalProperties"] == {"pattern": NO_NUL_PATTERN, "items": {"pattern": NO_NUL_PATTERN}}


def test_the_text_backslash_u0000_is_not_a_nul_and_is_stored(admin_api):
    response = admin_api.post("/customers", {"external_id": "cus-text", "name": "literal \\u0000", "country": "BR"})

    assert response.status_code == 201
    assert Customer.objects.get(external_id="cus-text").name == "literal \\u0000"


def test_a_multipart_content_type_on_a_json_route_is_the_json_415(db):
    """A multipart content type, even without a boundary (no form Django can read), on a route that takes JSON is
    refused as such (415), never read as a form nor answered with Django's HTML 400 page."""
    client = Client(HTTP_AUTHORIZATION=f"Bearer {make_key('admin')}")

    response = client.post("/api/v1/customers", b'{"name": "x"}', content_type="multipart/form-data")

    assert response.status_code == 415
    assert error_of(response) == {
        "code": "unsupported_media_type",
        "message": "send the body as JSON (Content-Type: application/json), not multipart/form-data",
    }
    assert not Customer.objects.exists()
