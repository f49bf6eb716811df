"""Customers API (SPEC §5.1; issue #2 §4): idempotent create, attribution, validation, who may write."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone

from parceria.common.models import AuditRecord
from parceria.customers.models import Customer
from tests.factories import make_customer, make_partner

pytestmark = pytest.mark.django_db

CNPJ = "11222333000181"


def body(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"external_id": "cus_acme", "name": "Acme Comércio", "country": "BR"}
    data.update(overrides)
    return data


def snapshot() -> dict[str, Any]:
    return {"customers": list(Customer.objects.order_by("id").values()), "audit": AuditRecord.objects.count()}


def assert_error(response, status: int, code: str, *, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["message"]
    if field is not None:
        details = error.get("details")
        fields = {d["field"] for d in details} if isinstance(details, list) else {details["field"]}
        assert field in fields, error
    return error


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def to_ms(value: datetime) -> datetime:
    """The API writes date-times to the millisecond."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


# --- create -----------------------------------------------------------------------------------------------------------


def test_create_returns_201_with_normalised_fields(admin_api):
    partner = make_partner()
    t0 = timezone.now()

    response = admin_api.post("/customers", body(
        tax_id="11.222.333/0001-81", domain="https://www.Acme.com.br/contato", vertical="retail",
        partner_id=partner.pk,
    ))

    assert response.status_code == 201, response.content
    data = response.json()
    customer = Customer.objects.get()
    assert data["id"] == customer.pk
    assert {k: data[k] for k in ("external_id", "name", "tax_id", "domain", "country", "vertical", "partner_id",
                                 "source", "status", "churned_at")} == {
        "external_id": "cus_acme", "name": "Acme Comércio", "tax_id": CNPJ, "domain": "acme.com.br",
        "country": "BR", "vertical": "retail", "partner_id": partner.pk, "source": "partner", "status": "active",
        "churned_at": None,
    }
    assert to_ms(t0) <= parse(data["attributed_at"]) <= timezone.now()
    assert to_ms(customer.attributed_at) == parse(data["attributed_at"])


def test_direct_customer_has_no_attribution(platform_api):
    response = platform_api.post("/customers", body())

    assert response.status_code == 201, response.content
    assert (response.json()["partner_id"], response.json()["attributed_at"], response.json()["source"]) == (
        None, None, "direct",
    )


def test_explicit_attribution_date_is_kept(platform_api):
    partner = make_partner()

    response = platform_api.post("/customers", body(partner_id=partner.pk, attributed_at="2026-01-15T10:00:00-03:00"))

    assert response.status_code == 201, response.content
    assert parse(response.json()["attributed_at"]) == datetime.fromisoformat("2026-01-15T13:00:00+00:00")


def test_same_external_id_and_same_data_returns_the_customer_once(platform_api):
    partner = make_partner()
    first = platform_api.post("/customers", body(tax_id=CNPJ, domain="acme.com.br", partner_id=partner.pk))
    assert first.status_code == 201
    before = snapshot()

    # the same data, written differently (formatted tax id, URL instead of a bare domain)
    again = platform_api.post(
        "/customers", body(tax_id="11.222.333/0001-81", domain="http://www.acme.com.br", partner_id=partner.pk)
    )

    assert again.status_code == 200, again.content
    assert again.json() == first.json()
    assert snapshot() == before


@pytest.mark.parametrize(
    "change",
    [{"name": "Acme Outro"}, {"tax_id": CNPJ}, {"domain": "other.com.br"}, {"country": "MX"}, {"vertical": "health"},
     {"partner_id": "other"}, {"partner_id": None}],
)
def test_same_external_id_with_different_data_is_a_conflict(platform_api, change):
    partner, other = make_partner(), make_partner()
    assert platform_api.post("/customers", body(partner_id=partner.pk)).status_code == 201
    if change.get("partner_id") == "other":
        change = {"partner_id": other.pk}
    before = snapshot()

    response = platform_api.post("/customers", body(partner_id=partner.pk) | change)

    error = assert_error(response, 409, "duplicate_customer")
    assert error["details"] == {"customer_id": Customer.objects.get().pk}
    assert snapshot() == before


@pytest.mark.parametrize("domain", ["not a domain", "exa mple.com", "localhost", "-acme.com", "acme..com", "acme.c"])
def test_invalid_domain_is_refused(platform_api, domain):
    before = snapshot()

    response = platform_api.post("/customers", body(domain=domain))

    assert_error(response, 422, "invalid", field="domain")
    assert snapshot() == before


@pytest.mark.parametrize("tax_id", ["11.222.333/0001-82", "111.444.777-36", "123", "ABCDEFGHIJKLMN"])
def test_invalid_br_tax_id_is_refused(platform_api, tax_id):
    before = snapshot()

    response = platform_api.post("/customers", body(tax_id=tax_id))

    assert_error(response, 422, "invalid_tax_id", field="tax_id")
    assert snapshot() == before


def test_unknown_partner_is_refused(platform_api):
    before = snapshot()

    response = platform_api.post("/customers", body(partner_id=987654))

    error = assert_error(response, 422, "unknown_partner", field="partner_id")
    assert "987654" in error["message"]
    assert snapshot() == before


def test_terminated_partner_cannot_get_new_customers(platform_api):
    partner = make_partner(status="terminated")
    before = snapshot()

    assert_error(platform_api.post("/customers", body(partner_id=partner.pk)), 422, "partner_terminated")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"external_id": 5}, "external_id"),
        ({"name": ["Acme"]}, "name"),
        ({"partner_id": "abc"}, "partner_id"),
        ({"partner_id": 1.5}, "partner_id"),
        ({"attributed_at": "yesterday"}, "attributed_at"),
        ({"country": None}, "country"),
    ],
)
def test_wrong_types_are_422(platform_api, overrides, field):
    make_partner()
    before = snapshot()

    response = platform_api.post("/customers", body(**overrides))

    assert_error(response, 422, "invalid", field=field)
    assert snapshot() == before


def test_boolean_partner_id_is_refused(platform_api):
    make_partner()  # a partner that true would silently point at (pk 1 on a fresh sequence)
    before = snapshot()

    response = platform_api.post("/customers", body(partner_id=True))

    assert_error(response, 422, "invalid", field="partner_id")
    assert snapshot() == before




@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        pytest.param({"external_id": "  "}, "external_id", "invalid_field"),
        pytest.param({"name": " "}, "name", "invalid_field"),
        ({"external_id": ""}, "external_id", "invalid_field"),
        ({"name": ""}, "name", "invalid_field"),
        ({"country": "ZZ"}, "country", "invalid"),
        ({"external_id": "x" * 121}, "external_id", "invalid"),
        ({"attributed_at": "2026-01-15T10:00:00"}, "attributed_at", "invalid"),
    ],
)
def test_invalid_values_are_422(platform_api, overrides, field, code):
    partner = make_partner()
    before = snapshot()

    response = platform_api.post("/customers", body(partner_id=partner.pk, **overrides))

    assert_error(response, 422, code, field=field)
    assert snapshot() == before


def test_malformed_json_is_400(platform_api):
    before = snapshot()

    assert_error(platform_api.post("/customers", raw=b'{"external_id": '), 400, "malformed_request")
    assert snapshot() == before


# --- patch ------------------------------------------------------------------------------------------------------------


def test_reattribution_sets_a_new_attribution_date(platform_api):
    first, second = make_partner(), make_partner()
    customer = make_customer(first, attributed_at="2026-01-15T10:00:00-03:00")
    t0 = timezone.now()

    response = platform_api.patch(f"/customers/{customer.pk}", {"partner_id": second.pk})

    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert customer.partner_id == second.pk
    assert t0 <= customer.attributed_at <= timezone.now()
    assert parse(response.json()["attributed_at"]) == to_ms(customer.attributed_at)
    assert response.json()["partner_id"] == second.pk


def test_reattribution_with_an_explicit_date(platform_api):
    first, second = make_partner(), make_partner()
    customer = make_customer(first)

    response = platform_api.patch(
        f"/customers/{customer.pk}", {"partner_id": second.pk, "attributed_at": "2026-02-01T00:00:00-03:00"}
    )

    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert (customer.partner_id, customer.attributed_at) == (
        second.pk, datetime.fromisoformat("2026-02-01T03:00:00+00:00"),
    )


def test_changing_other_fields_keeps_the_attribution(platform_api):
    partner = make_partner()
    customer = make_customer(partner, attributed_at="2026-01-15T10:00:00-03:00")

    response = platform_api.patch(f"/customers/{customer.pk}", {"name": "Renamed", "partner_id": partner.pk})

    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert (customer.name, customer.partner_id, customer.attributed_at) == (
        "Renamed", partner.pk, datetime.fromisoformat("2026-01-15T13:00:00+00:00"),
    )


def test_removing_the_partner_makes_the_customer_direct(platform_api):
    customer = make_customer(make_partner())

    response = platform_api.patch(f"/customers/{customer.pk}", {"partner_id": None})

    assert response.status_code == 200, response.content
    assert (response.json()["partner_id"], response.json()["attributed_at"], response.json()["source"]) == (
        None, None, "direct",
    )


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"partner_id": 987654}, 422, "unknown_partner"),
        ({"domain": "not a domain"}, 422, "invalid"),
        ({"tax_id": "11.222.333/0001-82"}, 422, "invalid_tax_id"),
        ({"country": "XX"}, 422, "invalid"),
        ({"name": 7}, 422, "invalid"),
    ],
)
def test_patch_with_bad_values_changes_nothing(platform_api, change, status, code):
    customer = make_customer(make_partner())
    before = snapshot()

    assert_error(platform_api.patch(f"/customers/{customer.pk}", change), status, code)
    assert snapshot() == before


def test_patch_to_another_customers_external_id_is_a_conflict(platform_api):
    first, second = make_customer(), make_customer()
    before = snapshot()

    assert_error(platform_api.patch(f"/customers/{second.pk}", {"external_id": first.external_id}), 409,
                 "duplicate_customer")
    assert snapshot() == before


def test_unknown_fields_in_patch_are_refused(platform_api):
    customer = make_customer()
    before = snapshot()

    response = platform_api.patch(f"/customers/{customer.pk}", {"name": "Renamed", "status": "churned"})

    assert response.status_code == 422, response.content
    assert "status" in response.json()["error"]["message"]
    assert snapshot() == before


def test_patch_unknown_customer_is_404(platform_api):
    assert_error(platform_api.patch("/customers/987654", {"name": "x"}), 404, "not_found")


# --- list and read ----------------------------------------------------------------------------------------------------


def test_list_filters_by_partner(admin_api):
    first, second = make_partner(), make_partner()
    mine = [make_customer(first), make_customer(first)]
    make_customer(second)
    make_customer()

    response = admin_api.get("/customers", partner_id=first.pk)

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert [c["id"] for c in response.json()["items"]] == [c.pk for c in mine]
    assert admin_api.get("/customers").json()["count"] == 4


def test_list_is_paginated(admin_api):
    customers = [make_customer() for _ in range(3)]

    page = admin_api.get("/customers", limit=1, offset=1).json()

    assert {k: page[k] for k in ("count", "limit", "offset")} == {"count": 3, "limit": 1, "offset": 1}
    assert [c["id"] for c in page["items"]] == [customers[1].pk]


def test_get_reads_one_customer_and_404_otherwise(admin_api):
    customer = make_customer(external_id="cus_read_me")

    assert admin_api.get(f"/customers/{customer.pk}").json()["external_id"] == "cus_read_me"
    assert_error(admin_api.get("/customers/987654"), 404, "not_found")


# --- who may write ----------------------------------------------------------------------------------------------------


def test_analytics_key_reads_but_does_not_write(api_client_for):
    partner = make_partner()
    customer = make_customer(partner)
    api = api_client_for("analytics")
    before = snapshot()

    assert api.get("/customers").json()["count"] == 1
    assert api.get(f"/customers/{customer.pk}").status_code == 200
    assert_error(api.post("/customers", body()), 403, "forbidden_scope")
    assert_error(api.post("/customers", body(external_id=customer.external_id)), 403, "forbidden_scope")
    assert_error(api.patch(f"/customers/{customer.pk}", {"partner_id": None}), 403, "forbidden_scope")
    assert snapshot() == before


def test_partner_key_cannot_create_or_change_customers(api_client_for):
    partner = make_partner()
    customer = make_customer(partner)
    api = api_client_for("partner", partner)
    before = snapshot()

    assert_error(api.post("/customers", body(partner_id=partner.pk)), 403, "forbidden_scope")
    assert_error(api.patch(f"/customers/{customer.pk}", {"name": "Mine now"}), 403, "forbidden_scope")
    assert snapshot() == before


def test_admin_key_may_write_customers(admin_api):
    assert admin_api.post("/customers", body()).status_code == 201
