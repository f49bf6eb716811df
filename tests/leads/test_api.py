"""The leads API through /api/v1: staff and the platform add leads (idempotent by external id); a partner key sees
only the leads offered to it and answers them; another partner's lead is a 404; bad input is a 4xx that stores
nothing; staff cannot answer for a partner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parceria.deals.models import DealRegistration
from parceria.leads.models import Lead, LeadOffer
from parceria.leads.services import lead_offer
from tests.conftest import ApiClient
from tests.factories import ACTOR, make_key, make_partner
from tests.leads.helpers import LEAD_CNPJ, make_lead

pytestmark = pytest.mark.django_db

BODY = {"external_id": "crm-77", "company_name": "Mercado Bom Preço Ltda", "country": "BR", "tax_id": LEAD_CNPJ,
        "domain": "bompreco.com.br", "contact_name": "Rita Alves", "contact_email": "rita@bompreco.com.br",
        "estimated_value": "48000.00", "currency": "BRL", "vertical": "retail", "region": "SP"}


@pytest.fixture
def alfa():
    return make_partner(name="Alfa Vendas", tier="strategic", verticals=["retail"], territories=["SP"])


@pytest.fixture
def bravo():
    return make_partner(name="Bravo Secreta")


@pytest.mark.parametrize("scope", ["admin", "platform"])
def test_staff_and_the_platform_add_a_lead_once(scope):
    client = ApiClient(make_key(scope))

    created = client.post("/leads", BODY)
    again = client.post("/leads", BODY)
    changed = client.post("/leads", {**BODY, "estimated_value": "1.00"})

    lead = Lead.objects.get()
    assert (created.status_code, again.status_code, changed.status_code) == (201, 200, 409)
    assert created.json() == again.json()
    assert created.json() | {"created_at": None} == {
        "id": lead.pk, "external_id": "crm-77", "company_name": "Mercado Bom Preço Ltda", "country": "BR",
        "tax_id": LEAD_CNPJ, "domain": "bompreco.com.br", "contact_name": "Rita Alves",
        "contact_email": "rita@bompreco.com.br", "estimated_value": "48000.0000", "currency": "BRL",
        "vertical": "retail", "region": "SP", "notes": "", "status": "open", "created_at": None, "offer": None}
    assert changed.json()["error"]["code"] == "duplicate_lead"


@pytest.mark.parametrize(("change", "status", "code"), [
    ({"tax_id": "11.111.111/1111-11"}, 422, "invalid_tax_id"),
    ({"domain": "hotmail.com", "tax_id": ""}, 422, "public_email_domain"),
    ({"estimated_value": "-5"}, 422, None),
    ({"unknown": "x"}, 422, None),
])
def test_bad_input_is_a_4xx_and_stores_nothing(change, status, code):
    response = ApiClient(make_key("admin")).post("/leads", {**BODY, **change})

    assert response.status_code == status
    if code:
        assert response.json()["error"]["code"] == code
    assert Lead.objects.count() == 0


def test_a_partner_key_adds_no_lead(alfa):
    response = ApiClient(make_key("partner", alfa)).post("/leads", BODY)

    assert response.status_code == 403 and Lead.objects.count() == 0


def test_a_partner_sees_only_the_leads_offered_to_it(alfa, bravo):
    mine = make_lead()
    theirs = make_lead(external_id="b", company_name="Segredo Bravo", tax_id="", domain="segredobravo.com.br")
    never = make_lead(external_id="c", company_name="Ninguém", tax_id="", domain="ninguem.com.br")
    offer = lead_offer(lead=mine, partner=alfa, actor=ACTOR)
    lead_offer(lead=theirs, partner=bravo, actor=ACTOR)
    client = ApiClient(make_key("partner", alfa))

    listed = client.get("/leads")
    other = client.get(f"/leads/{theirs.pk}")
    unoffered = client.get(f"/leads/{never.pk}")

    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [mine.pk] and listed.json()["count"] == 1
    item = listed.json()["items"][0]
    assert (item["status"], item["created_at"]) == (None, None)  # the lead's own state is staff's
    assert item["offer"]["id"] == offer.pk and item["offer"]["status"] == "pending"
    assert (other.status_code, unoffered.status_code) == (404, 404)
    assert "Segredo Bravo" not in listed.content.decode() + other.content.decode()


def test_staff_list_every_lead_with_its_latest_offer(alfa):
    offered = make_lead()
    lead_offer(lead=offered, partner=alfa, actor=ACTOR)
    make_lead(external_id="b", company_name="Outra", tax_id="", domain="outra.com.br")

    listed = ApiClient(make_key("admin")).get("/leads", status="offered")

    assert [(i["id"], i["status"], i["offer"]["partner_id"]) for i in listed.json()["items"]] == [
        (offered.pk, "offered", alfa.pk)]
    assert ApiClient(make_key("admin")).get("/leads", status="nope").status_code == 422


def test_the_partner_accepts_through_the_api_and_its_deal_is_registered(alfa):
    lead = make_lead()
    lead_offer(lead=lead, partner=alfa, actor=ACTOR)

    response = ApiClient(make_key("partner", alfa)).post(f"/leads/{lead.pk}/accept")

    registration = DealRegistration.objects.get()
    assert response.status_code == 200
    assert response.json()["offer"] | {"offered_at": None, "deadline": None, "responded_at": None} == {
        "id": LeadOffer.objects.get().pk, "partner_id": alfa.pk, "status": "accepted", "offered_at": None,
        "deadline": None, "responded_at": None, "decline_reason": "", "registration_id": registration.pk,
        "registration_status": "approved"}
    assert registration.partner_id == alfa.pk


def test_the_partner_declines_with_a_reason_and_a_blank_one_is_refused(alfa):
    lead = make_lead()
    lead_offer(lead=lead, partner=alfa, actor=ACTOR)
    client = ApiClient(make_key("partner", alfa))

    blank = client.post(f"/leads/{lead.pk}/decline", {"reason": "  "})
    declined = client.post(f"/leads/{lead.pk}/decline", {"reason": "Fora da nossa região"})
    again = client.post(f"/leads/{lead.pk}/accept")

    assert blank.status_code == 422
    assert (declined.status_code, declined.json()["offer"]["decline_reason"]) == (200, "Fora da nossa região")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "invalid_transition")
    lead.refresh_from_db()
    assert lead.status == "open" and DealRegistration.objects.count() == 0


def test_an_answer_after_the_deadline_is_409_and_writes_nothing(alfa):
    lead = make_lead()
    lead_offer(lead=lead, partner=alfa, actor=ACTOR, now=timezone.now() - timedelta(hours=73))

    response = ApiClient(make_key("partner", alfa)).post(f"/leads/{lead.pk}/accept")

    assert (response.status_code, response.json()["error"]["code"]) == (409, "offer_expired")
    assert DealRegistration.objects.count() == 0 and LeadOffer.objects.get().status == "pending"


def test_another_partner_cannot_answer_and_staff_answer_nothing(alfa, bravo):
    lead = make_lead()
    lead_offer(lead=lead, partner=alfa, actor=ACTOR)

    stranger = ApiClient(make_key("partner", bravo)).post(f"/leads/{lead.pk}/accept")
    staff = ApiClient(make_key("admin")).post(f"/leads/{lead.pk}/accept")
    missing = ApiClient(make_key("admin")).post("/leads/999999/decline", {"reason": "x"})

    assert (stranger.status_code, staff.status_code, missing.status_code) == (404, 403, 404)
    assert LeadOffer.objects.get().status == "pending" and DealRegistration.objects.count() == 0


def test_staff_read_the_ranking_with_every_reason_and_offer_the_lead(alfa, bravo, django_capture_on_commit_callbacks):
    lead = make_lead()
    client = ApiClient(make_key("admin"))

    ranking = client.get(f"/leads/{lead.pk}/candidates")
    with django_capture_on_commit_callbacks(execute=True):
        offered = client.post(f"/leads/{lead.pk}/offer", {"partner_id": alfa.pk})
    again = client.post(f"/leads/{lead.pk}/offer", {"partner_id": bravo.pk})

    assert ranking.status_code == 200
    body = ranking.json()
    assert (body["blocked"], body["excluded"], body["weights"]["vertical"]) == ("", [], "30")
    assert [(c["position"], c["partner_name"], c["points"]) for c in body["candidates"]] == [
        (1, "Alfa Vendas", "85.00"), (2, "Bravo Secreta", "27.50")]
    assert body["candidates"][0]["reasons"][1] == {"key": "vertical", "weight": "30", "fraction": "1.0000",
                                                   "points": "30.00", "detail": "Works in retail."}
    assert (offered.status_code, offered.json()["status"], offered.json()["offer"]["partner_id"]) == (
        200, "offered", alfa.pk)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "invalid_transition")
    assert LeadOffer.objects.get().ranking["points"] == "85.00"


def test_a_partner_reads_no_ranking_and_offers_nothing(alfa, bravo):
    lead = make_lead()
    lead_offer(lead=lead, partner=alfa, actor=ACTOR)
    other = make_lead(external_id="o", company_name="Outra", tax_id="", domain="outra.com.br")
    client = ApiClient(make_key("partner", alfa))

    own = client.get(f"/leads/{lead.pk}/candidates")
    foreign = client.get(f"/leads/{other.pk}/candidates")
    offer = client.post(f"/leads/{other.pk}/offer", {"partner_id": alfa.pk})

    assert (own.status_code, foreign.status_code, offer.status_code) == (403, 404, 404)
    assert LeadOffer.objects.count() == 1


def test_offering_to_an_excluded_or_unknown_partner_is_refused(alfa, bravo):
    lead = make_lead()
    client = ApiClient(make_key("admin"))
    held = client.post("/deal-registrations", {"partner_id": bravo.pk, "company_name": "Bom Preço", "country": "BR",
                                        "domain": "bompreco.com.br", "contact_name": "X",
                                        "contact_email": "x@bompreco.com.br", "estimated_value": "1",
                                        "currency": "BRL"}).json()["id"]

    excluded = client.post(f"/leads/{lead.pk}/offer", {"partner_id": alfa.pk})
    unknown = client.post(f"/leads/{lead.pk}/offer", {"partner_id": 999999})
    ranking = client.get(f"/leads/{lead.pk}/candidates").json()

    assert (excluded.status_code, excluded.json()["error"]["code"]) == (409, "partner_excluded")
    assert unknown.status_code == 404 and LeadOffer.objects.count() == 0
    assert ranking["candidates"] == []
    assert [(e["partner_name"], e["reason"]) for e in ranking["excluded"]] == [
        ("Alfa Vendas", f"Registered by another partner: Bravo Secreta (registration #{held})."),
        ("Bravo Secreta", f"It already holds an active registration of this company (#{held}).")]
