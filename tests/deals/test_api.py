"""The deal registrations API through /api/v1: the 201 answer, scoping (another partner's registration is a 404),
what a partner may not do, bad input (422, nothing stored) and staff decisions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parceria.deals.models import DealRegistration
from parceria.deals.services import REASON_APPROVED, REASON_REVIEW, REASON_TAKEN
from tests.conftest import ApiClient
from tests.deals.test_services import CNPJ_HQ, OTHER_CNPJ
from tests.factories import make_key, make_partner

pytestmark = pytest.mark.django_db

BODY = {"company_name": "Padaria São João Ltda", "country": "BR", "tax_id": CNPJ_HQ, "domain": "padariasj.com.br",
        "contact_name": "Joana Lima", "contact_email": "joana@padariasj.com.br", "estimated_value": "12500.50",
        "currency": "BRL", "vertical": "retail", "region": "SP", "notes": "Met at a fair"}


@pytest.fixture
def alfa():
    return make_partner(name="Alfa Integradora")


@pytest.fixture
def bravo():
    return make_partner(name="Bravo Consultoria")


def test_a_partner_key_registers_for_its_own_partner(alfa):
    response = ApiClient(make_key("partner", alfa)).post("/deal-registrations", BODY)

    reg = DealRegistration.objects.get()
    assert response.status_code == 201
    assert response.json() == {"id": reg.pk, "status": "approved", "reason": REASON_APPROVED,
                               "expires_on": (timezone.localdate() + timedelta(days=90)).isoformat()}
    assert (reg.partner_id, str(reg.estimated_value), reg.currency) == (alfa.pk, "12500.5000", "BRL")


def test_the_loser_reads_a_reason_that_names_no_partner_and_no_conflict(alfa, bravo):
    ApiClient(make_key("partner", alfa)).post("/deal-registrations", BODY)
    client = ApiClient(make_key("partner", bravo))

    created = client.post("/deal-registrations", {**BODY, "company_name": "Outra", "domain": "outra.com.br"})
    detail = client.get(f"/deal-registrations/{created.json()['id']}")

    assert (created.status_code, created.json()["status"], created.json()["reason"]) == (201, "rejected",
                                                                                         REASON_TAKEN)
    assert detail.json()["conflict"] is None
    for text in (created.content.decode(), detail.content.decode()):
        assert "Alfa" not in text and "padariasj" not in text.replace("joana@padariasj", "")


def test_staff_see_the_conflicting_record(alfa, bravo):
    first = ApiClient(make_key("partner", alfa)).post("/deal-registrations", BODY).json()
    lost = ApiClient(make_key("partner", bravo)).post("/deal-registrations", BODY).json()

    detail = ApiClient(make_key("admin")).get(f"/deal-registrations/{lost['id']}").json()

    assert detail["conflict"] == {"kind": "registration", "id": first["id"], "name": "Padaria São João Ltda",
                                  "partner_id": alfa.pk, "match": "tax_id"}


def test_partner_b_cannot_see_a_registration_of_a(alfa, bravo):
    reg_id = ApiClient(make_key("partner", alfa)).post("/deal-registrations", BODY).json()["id"]
    client = ApiClient(make_key("partner", bravo))

    detail = client.get(f"/deal-registrations/{reg_id}")
    listed = client.get("/deal-registrations", partner_id=alfa.pk)

    assert (detail.status_code, detail.json()["error"]["code"]) == (404, "not_found")
    assert listed.json() == {"count": 0, "limit": 100, "offset": 0, "items": []}
    assert "Padaria" not in detail.content.decode() + listed.content.decode()


def test_a_partner_key_may_not_register_for_another_partner(alfa, bravo):
    response = ApiClient(make_key("partner", alfa)).post("/deal-registrations", {**BODY, "partner_id": bravo.pk})

    assert (response.status_code, response.json()["error"]["code"]) == (403, "forbidden")
    assert DealRegistration.objects.count() == 0


def test_staff_register_for_the_partner_they_name(alfa):
    client = ApiClient(make_key("admin"))

    missing = client.post("/deal-registrations", BODY)
    unknown = client.post("/deal-registrations", {**BODY, "partner_id": 2**40})
    created = client.post("/deal-registrations", {**BODY, "partner_id": alfa.pk})

    assert (missing.status_code, missing.json()["error"]["code"]) == (422, "partner_required")
    assert unknown.status_code == 404
    assert created.status_code == 201
    assert list(DealRegistration.objects.values_list("partner_id", flat=True)) == [alfa.pk]


def test_a_read_only_key_may_not_register(alfa):
    response = ApiClient(make_key("analytics")).post("/deal-registrations", {**BODY, "partner_id": alfa.pk})

    assert response.status_code == 403
    assert DealRegistration.objects.count() == 0


@pytest.mark.parametrize(("change", "code"), [
    ({"tax_id": "45.997.418/0001-00"}, "invalid_tax_id"),
    ({"domain": "gmail.com"}, "public_email_domain"),
    ({"domain": "bol.com.br", "tax_id": ""}, "public_email_domain"),
    ({"estimated_value": "12,50"}, "invalid_amount"),
    ({"currency": "XYZ"}, "invalid_choice"),
    ({"company_name": ""}, "invalid_field"),
    ({"surprise": 1}, "invalid"),
])
def test_bad_input_is_a_422_and_stores_nothing(alfa, change, code):
    response = ApiClient(make_key("partner", alfa)).post("/deal-registrations", {**BODY, **change})

    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == code
    assert DealRegistration.objects.count() == 0


def test_staff_decide_a_registration_in_review_and_a_partner_may_not(alfa, bravo):
    ApiClient(make_key("partner", alfa)).post("/deal-registrations", BODY)
    bravo_client = ApiClient(make_key("partner", bravo))
    reg = bravo_client.post("/deal-registrations", {**BODY, "company_name": "Padaria Sao Joao S.A.",
                                                    "tax_id": OTHER_CNPJ, "domain": "x.com.br"}).json()
    assert (reg["status"], reg["reason"]) == ("in_review", REASON_REVIEW)

    refused = bravo_client.post(f"/deal-registrations/{reg['id']}/decide", {"approve": True, "reason": "mine"})
    decided = ApiClient(make_key("admin")).post(f"/deal-registrations/{reg['id']}/decide",
                                                {"approve": True, "reason": "A different bakery"})
    again = ApiClient(make_key("admin")).post(f"/deal-registrations/{reg['id']}/decide",
                                              {"approve": False, "reason": "no"})

    assert refused.status_code == 403
    assert (decided.status_code, decided.json()["status"], decided.json()["reason"]) == (200, "approved",
                                                                                         "A different bakery")
    assert (again.status_code, again.json()["error"]["code"]) == (422, "invalid_transition")
    assert DealRegistration.objects.get(pk=reg["id"]).status == "approved"


def test_the_list_is_paged_and_filtered(alfa):
    client = ApiClient(make_key("partner", alfa))
    for n in range(3):
        client.post("/deal-registrations", {**BODY, "company_name": f"Empresa {n} distinta", "tax_id": "",
                                             "domain": f"empresa{n}.com.br"})

    page = client.get("/deal-registrations", limit=2, offset=1, status="approved").json()
    bad = client.get("/deal-registrations", status="won")

    assert (page["count"], [i["company_name"] for i in page["items"]]) == (3, ["Empresa 1 distinta",
                                                                               "Empresa 0 distinta"])
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "invalid_choice")
