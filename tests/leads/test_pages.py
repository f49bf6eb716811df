"""The lead pages: staff add a lead, see the ranking with every reason's weight and points and the excluded
partners, and offer it after confirming; the partner sees it in the portal and accepts or declines it; another
partner's lead is a 404 and a refused answer writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parceria.accounts.services import user_create
from parceria.deals.models import DealRegistration
from parceria.deals.services import deal_register
from parceria.leads.models import Lead, LeadOffer
from parceria.leads.services import lead_offer
from tests.factories import ACTOR, PASSWORD, make_partner, staff_client
from tests.leads.helpers import LEAD_CNPJ, make_lead, other_company

pytestmark = pytest.mark.django_db

FORM = {"company_name": "Mercado Bom Preço Ltda", "country": "BR", "tax_id": LEAD_CNPJ, "domain": "bompreco.com.br",
        "contact_name": "Rita Alves", "contact_email": "rita@bompreco.com.br", "estimated_value": "48000,00",
        "currency": "BRL", "vertical": "retail", "region": "SP", "notes": "", "external_id": "crm-5"}


def partner_client(partner, username: str) -> Client:
    user = user_create(username=username, email=username, password=PASSWORD, role="partner_member",
                       partner=partner, actor=ACTOR)
    client = Client()
    client.force_login(user)
    return client


def test_staff_add_a_lead_and_adding_it_again_finds_it():
    client = staff_client("pm", "partner_manager")

    form = client.get(reverse("leads_console:new"))
    created = client.post(reverse("leads_console:new"), FORM, follow=True)
    again = client.post(reverse("leads_console:new"), FORM, follow=True)

    lead = Lead.objects.get()
    assert form.status_code == 200
    assert (lead.external_id, str(lead.estimated_value), lead.tax_id) == ("crm-5", "48000.0000", LEAD_CNPJ)
    assert created.redirect_chain == [(reverse("leads_console:detail", args=[lead.pk]), 302)]
    assert "The lead is added." in created.content.decode()
    assert "already exists: here it is." in again.content.decode()
    bad = client.post(reverse("leads_console:new"), {**FORM, "external_id": "", "domain": "gmail.com"})
    assert bad.status_code == 422 and "is a public e-mail provider" in bad.content.decode()
    assert Lead.objects.count() == 1


def test_the_ranking_shows_each_reason_with_weight_and_points_and_the_excluded_partners():
    make_partner(name="Alfa Vendas", tier="strategic", verticals=["retail"], territories=["SP"])
    holder = make_partner(name="Bravo Dono")
    lead = make_lead(domain="bompreco.com.br")
    held = deal_register(partner=holder, fields=other_company(1, domain="outra-coisa.com.br"), actor=ACTOR)
    client = staff_client("pm", "partner_manager")

    page = client.get(reverse("leads_console:detail", args=[lead.pk])).content.decode()

    assert ("Alfa Vendas" in page and "85,00 pontos" in page) or "85.00 points" in page
    assert "Works in retail." in page or "Atua em retail." in page
    assert held.pk and "Excluded partners" not in page  # nothing conflicts with this lead yet

    deal_register(partner=holder, fields=other_company(2, domain="bompreco.com.br"), actor=ACTOR)
    page = client.get(reverse("leads_console:detail", args=[lead.pk])).content.decode()
    assert "Excluded partners" in page and "Registered by another partner: Bravo Dono" in page


def test_staff_offer_the_lead_after_confirming():
    alfa = make_partner(name="Alfa Vendas", tier="strategic", verticals=["retail"], territories=["SP"])
    lead = make_lead()
    client = staff_client("pm", "partner_manager")
    url = reverse("leads_console:offer", args=[lead.pk])

    confirm = client.post(url, {"partner": alfa.pk})
    assert confirm.status_code == 200 and LeadOffer.objects.count() == 0
    done = client.post(url, {"partner": alfa.pk, "confirmed": "1"}, follow=True)

    offer = LeadOffer.objects.get()
    assert (offer.partner_id, offer.status) == (alfa.pk, "pending")
    assert done.redirect_chain == [(reverse("leads_console:detail", args=[lead.pk]), 302)]
    refused = client.post(url, {"partner": alfa.pk, "confirmed": "1"})
    assert refused.status_code == 409 and LeadOffer.objects.count() == 1


def test_an_analyst_reads_but_offers_nothing():
    alfa = make_partner(name="Alfa Vendas")
    lead = make_lead()
    client = staff_client("an", "analyst")

    assert client.get(reverse("leads_console:detail", args=[lead.pk])).status_code == 200
    response = client.post(reverse("leads_console:offer", args=[lead.pk]), {"partner": alfa.pk, "confirmed": "1"})

    assert response.status_code == 403 and LeadOffer.objects.count() == 0


def test_the_partner_sees_its_lead_and_accepts_it():
    alfa = make_partner(name="Alfa Vendas")
    lead = make_lead()
    lead_offer(lead=lead, partner=alfa, actor=ACTOR)
    client = partner_client(alfa, "ana@alfa.example")

    listed = client.get(reverse("leads_portal:list")).content.decode()
    detail = client.get(reverse("leads_portal:detail", args=[lead.pk]))
    accepted = client.post(reverse("leads_portal:accept", args=[lead.pk]), follow=True)

    assert "Mercado Bom Preço Ltda" in listed
    assert detail.status_code == 200 and reverse("leads_portal:accept", args=[lead.pk]) in detail.content.decode()
    registration = DealRegistration.objects.get()
    assert (registration.partner_id, registration.status) == (alfa.pk, "approved")
    assert "The lead is accepted and registered as your deal." in accepted.content.decode()
    assert client.get(reverse("leads_portal:accept", args=[lead.pk])).status_code == 405


def test_the_partner_declines_with_a_reason_and_without_one_nothing_is_written():
    alfa = make_partner(name="Alfa Vendas")
    lead = make_lead()
    lead_offer(lead=lead, partner=alfa, actor=ACTOR)
    client = partner_client(alfa, "ana@alfa.example")
    url = reverse("leads_portal:decline", args=[lead.pk])

    blank = client.post(url, {"reason": ""})
    assert blank.status_code == 422 and LeadOffer.objects.get().status == "pending"
    client.post(url, {"reason": "Fora da nossa região"})

    offer = LeadOffer.objects.get()
    assert (offer.status, offer.decline_reason) == ("declined", "Fora da nossa região")
    lead.refresh_from_db()
    assert lead.status == "open"


def test_after_the_deadline_the_page_offers_no_answer_and_an_answer_is_refused():
    alfa = make_partner(name="Alfa Vendas")
    lead = make_lead()
    lead_offer(lead=lead, partner=alfa, actor=ACTOR, now=timezone.now() - timedelta(hours=80))
    client = partner_client(alfa, "ana@alfa.example")

    page = client.get(reverse("leads_portal:detail", args=[lead.pk])).content.decode()
    refused = client.post(reverse("leads_portal:accept", args=[lead.pk]))

    assert reverse("leads_portal:accept", args=[lead.pk]) not in page
    assert refused.status_code == 409 and DealRegistration.objects.count() == 0


def test_another_partners_lead_is_a_404():
    alfa, bravo = make_partner(name="Alfa Vendas"), make_partner(name="Bravo Secreta")
    lead = make_lead()
    lead_offer(lead=lead, partner=bravo, actor=ACTOR)
    client = partner_client(alfa, "ana@alfa.example")

    for name in ("detail", "accept", "decline"):
        method = client.get if name == "detail" else client.post
        assert method(reverse(f"leads_portal:{name}", args=[lead.pk])).status_code == 404
    assert "Mercado Bom Preço" not in client.get(reverse("leads_portal:list")).content.decode()
    assert LeadOffer.objects.get().status == "pending"
