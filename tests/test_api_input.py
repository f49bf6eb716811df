"""What the API does with a request before any route code runs: the API key first, then the body and query string
through one parser (src/parceria/api/parser.py). Every refusal is the API's JSON error with a 4xx, and nothing is
stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from parceria.agreements.models import Agreement
from parceria.api.parser import MAX_DEPTH, NUL_MESSAGE, field_with_nul, parse_json
from parceria.api.schemas import MAX_ID
from parceria.common.errors import ParceriaError
from parceria.common.models import AuditRecord
from parceria.customers.models import Customer, Event
from parceria.partners.models import TierAssessment
from tests.factories import make_key, make_partner
from tests.test_api_tenancy import _PARAM, api_routes

pytestmark = pytest.mark.django_db

API = "/api/v1"


def error_of(response) -> dict[str, Any]:
    assert response["Content-Type"] == "application/json; charset=utf-8", response.content[:300]
    return response.json()["error"]


def nested(depth: int, inner: str) -> str:
    return "[" * depth + inner + "]" * depth


def keyed(key: str | None = None) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key or make_key('admin')}")


def customer_body(**extra: Any) -> dict[str, Any]:
    return {"external_id": "cus-input", "name": "Input Ltda", "country": "BR", **extra}


# --- the key comes first ----------------------------------------------------------------------------------------------


def fill(template: str, values: dict[str, str]) -> str:
    path = template.replace("{period}", "2026-03").replace("{year}", "2026")
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


#: Routes authenticated by a signature instead of an API key (tests/test_api_tenancy.py lists the same).
SIGNED_ROUTES = {("POST", "/integrations/stripe/webhook")}


def route_paths() -> list[tuple[str, str]]:
    """Every route of the API with 1 for each id and a valid month or year."""
    return [(r.method, API + fill(r.template, dict.fromkeys(r.params, "1"))) for r in api_routes()]


@pytest.mark.parametrize(("method", "path"), route_paths())
def test_without_a_key_a_deep_body_with_a_nul_is_a_401_on_every_route(db, method, path):
    body = '{"name": ' + nested(1000, '"\\u0000"') + "}"

    response = Client().generic(method, path, body, content_type="application/json")

    if (method, path.removeprefix(API)) in SIGNED_ROUTES:  # no key there: the signature is checked before the body
        assert (response.status_code, error_of(response)["code"]) == (400, "invalid_signature")
        return
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


@pytest.mark.parametrize(("content_type", "body"), [
    ("text/plain", b'{"name": "x"}'),
    ("application/json", b"x" * 3_000_000),
    ("multipart/form-data; boundary=zz", b"--zz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--zz--\r\n"),
])
def test_without_a_key_no_body_is_read(db, content_type, body):
    response = Client().post(f"{API}/customers", body, content_type=content_type)

    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


# --- nesting and NUL --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/customers", "/events", "/partners", "/agreements"])
def test_a_deeply_nested_body_with_a_nul_is_refused_as_malformed(admin_api, path):
    body = '{"events": ' + nested(1000, '"\\u0000"') + "}"

    response = admin_api.post(path, raw=body.encode())

    assert response.status_code == 400
    assert error_of(response) == {"code": "malformed_request",
                                  "message": f"the body's JSON nests deeper than {MAX_DEPTH} levels"}
    assert (Customer.objects.count(), Event.objects.count()) == (0, 0)


def test_a_nul_in_a_body_as_deep_as_allowed_names_its_place(admin_api):
    text = '{"events": ' + nested(MAX_DEPTH - 2, '"ok", "a\\u0000"') + "}"  # MAX_DEPTH - 1 levels

    response = admin_api.post("/events", raw=text.encode())

    assert response.status_code == 422
    place = "events" + ".0" * (MAX_DEPTH - 3) + ".1"
    assert error_of(response)["details"] == [{"field": place, "message": NUL_MESSAGE}]
    assert Event.objects.count() == 0


def test_one_level_more_than_allowed_is_refused():
    assert parse_json(nested(MAX_DEPTH - 1, "1").encode()) is not None
    with pytest.raises(ParceriaError) as refused:
        parse_json(nested(MAX_DEPTH + 1, "1").encode())
    assert refused.value.status == 400


def test_the_nul_search_is_iterative_and_in_document_order():
    deep: Any = "x\x00"
    for _ in range(5000):
        deep = [deep]

    assert field_with_nul({"a": ["ok", {"b\x00": 1}], "c": "\x00"}) == "a.1.b\x00"
    assert field_with_nul({"a": deep}) == "a" + ".0" * 5000
    assert field_with_nul({"a": ["\\u0000"]}) is None


# --- media types and sizes --------------------------------------------------------------------------------------------


def test_a_multipart_body_on_a_json_route_is_415_and_nothing_is_stored(db):
    response = keyed().post(f"{API}/customers", customer_body())  # the test client sends multipart by default

    assert response.status_code == 415
    assert error_of(response) == {
        "code": "unsupported_media_type",
        "message": "send the body as JSON (Content-Type: application/json), not multipart/form-data",
    }
    assert not Customer.objects.exists()


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "application/json; charset=latin-1", "application/jsonx"])
def test_json_sent_as_another_media_type_is_415(db, content_type):
    response = keyed().post(f"{API}/customers", json.dumps(customer_body()), content_type=content_type)

    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"
    assert not Customer.objects.exists()


def test_json_with_a_utf8_charset_is_accepted(db):
    response = keyed().post(f"{API}/customers", json.dumps(customer_body()),
                            content_type="application/json; charset=UTF-8")

    assert response.status_code == 201


def test_a_body_over_the_size_limit_is_the_json_413(db):
    body = json.dumps(customer_body(name="x" * 3_000_000))

    response = keyed().post(f"{API}/customers", body, content_type="application/json")

    assert response.status_code == 413
    assert error_of(response) == {"code": "too_large",
                                  "message": "the body is larger than the 2,621,440 bytes a request may send"}
    assert not Customer.objects.exists()


def test_a_broken_multipart_body_on_the_upload_route_is_a_json_400_not_a_500(db):
    response = keyed().post(f"{API}/disputes/1/attachments", b"--zz\r\nbroken",
                            content_type="multipart/form-data; boundary=zz")

    assert 400 <= response.status_code < 500
    assert error_of(response)["code"]


def test_too_many_query_fields_is_a_json_400(admin_api):
    query = "&".join(f"f{i}=1" for i in range(1200))

    response = admin_api.get(f"/customers?{query}")

    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_request"


# --- JSON that should be refused --------------------------------------------------------------------------------------


def test_a_repeated_key_is_refused_not_read_as_the_last_one(admin_api):
    one, seven = make_partner(), make_partner()
    body = (f'{{"external_id": "cus-dup", "name": "Dup", "country": "BR", '
            f'"partner_id": {one.pk}, "partner_id": {seven.pk}}}')

    response = admin_api.post("/customers", raw=body.encode())

    assert response.status_code == 400
    assert error_of(response) == {"code": "malformed_request",
                                  "message": "the body's JSON repeats the key 'partner_id' in one object"}
    assert not Customer.objects.exists()


def test_a_repeated_key_deep_in_an_event_is_refused(admin_api):
    body = b'{"events": [{"id": "e1", "type": "customer.churned", "type": "invoice.paid"}]}'

    response = admin_api.post("/events", raw=body)

    assert response.status_code == 400
    assert Event.objects.count() == 0


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(admin_api, constant):
    response = admin_api.post("/customers", raw=f'{{"external_id": "c", "name": {constant}}}'.encode())

    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_request"


def test_text_that_is_not_json_is_a_400(admin_api):
    response = admin_api.post("/customers", raw=b'{"external_id": ')

    assert response.status_code == 400
    assert error_of(response)["message"].startswith("the body is not valid JSON")


def test_true_is_not_an_id_in_a_body(admin_api):
    partner = make_partner()

    agreement = admin_api.post("/agreements", {"partner_id": True, "type": "letter_of_intent",
                                               "start_date": "2026-03-01"})
    assessment = admin_api.post("/tier-assessments", {"partner_id": True})

    for response in (agreement, assessment):
        assert response.status_code == 422
        assert error_of(response)["details"] == [{"field": "partner_id", "message": "Input should be a valid integer"}]
    assert (Agreement.objects.count(), TierAssessment.objects.count()) == (0, 0)
    assert partner.pk  # the partner exists, so `true` read as 1 could have reached it


# --- every id in a path is bounded ------------------------------------------------------------------------------------


def routes_with_ids() -> list[tuple[str, str, str]]:
    return [(route.method, route.template, name) for route in api_routes() for name in route.params
            if name.endswith("_id") and name != "external_id"]  # a CRM's id is text (PUT /opportunities/{external_id})


@pytest.mark.parametrize(("method", "template", "name"), routes_with_ids())
def test_an_id_beyond_the_database_range_in_any_path_is_422(db, method, template, name):
    params = [a or b for a, b in _PARAM.findall(template)]
    path = fill(template, {p: str(MAX_ID + 1) if p == name else "1" for p in params})
    takes_json = method in ("POST", "PATCH") and not template.endswith("/attachments")  # that one takes a file
    client = Client(HTTP_AUTHORIZATION=f"Bearer {make_key('admin')}")
    before = AuditRecord.objects.count()

    response = client.generic(method, API + path, "{}" if takes_json else "", content_type="application/json")

    assert response.status_code == 422, response.content
    assert error_of(response)["details"][0] == {
        "field": name, "message": f"Input should be less than or equal to {MAX_ID}"}
    assert AuditRecord.objects.count() == before


def test_the_export_download_with_an_id_beyond_the_range_is_422_not_a_500(admin_api):
    response = admin_api.get(f"/payout-batches/{MAX_ID + 1}/exports/{MAX_ID + 1}")

    assert response.status_code == 422
    assert [d["field"] for d in error_of(response)["details"]] == ["batch_id", "export_id"]


def test_a_json_string_with_half_a_surrogate_pair_is_refused_naming_its_field_and_a_whole_pair_is_kept():
    from parceria.api.parser import SURROGATE_MESSAGE, NulInText

    with pytest.raises(NulInText) as refused:
        parse_json(b'{"events": [{"id": "ok"}, {"id": "a\\udc00b"}]}')
    assert refused.value.details == [{"field": "events.1.id", "message": SURROGATE_MESSAGE}]
    with pytest.raises(NulInText):
        parse_json(b'{"\\uD800": 1}')
    assert parse_json(b'{"name": "\\ud83d\\ude00 ok"}') == {"name": "\U0001F600 ok"}
