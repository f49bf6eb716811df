"""Lead routing in a real browser: staff add a lead, see the partners ranked for it with every reason's weight and
points, offer it to the first after confirming; the partner opens it in the portal and accepts it, which registers
its deal. Screenshots at 1280 and 390 px (var/screenshots/leads-*.png), in pt-BR, es and en."""

from __future__ import annotations

import pytest

from parceria.accounts.services import user_create
from parceria.deals.models import DealRegistration
from parceria.deals.services import deal_register
from parceria.leads.models import Lead, LeadOffer
from tests.browser.conftest import sign_in, staff_page
from tests.factories import ACTOR, make_partner
from tests.leads.helpers import LEAD_CNPJ, make_lead, other_company

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"




@pytest.mark.parametrize(("width", "locale", "accepted", "name"), [
    (1280, "pt-BR", "Aceito", "leads"),
    (390, "pt-BR", "Aceito", "leads-phone"),
    (390, "es", "Aceptado", "leads-es-phone"),
    (1280, "en", "Accepted", "leads-en"),
])
def test_staff_route_a_lead_and_the_partner_accepts_it(browser, live_server, screenshot, width, locale, accepted,
                                                       name):
    alfa = make_partner(name="Alfa Varejo Digital", tier="strategic", verticals=["retail"], territories=["SP", "RJ"])
    make_partner(name="Bravo Consultoria", tier="preferred", verticals=["retail"], territories=["MG"])
    make_partner(name="Cruz Soluciones", country="MX", tier="certified", verticals=["healthcare"],
                 territories=["Jalisco"])
    user_create(username="alfa", password=PASSWORD, role="partner_admin", partner=alfa, email="a@alfa.example",
                actor=ACTOR)
    staff, page = staff_page(browser, live_server, width, locale)
    try:
        page.goto("/console/leads/new/")
        page.fill("#id_company_name", "Mercado Bom Preço Ltda")
        page.fill("#id_tax_id", "61.238.412/0001-" + LEAD_CNPJ[-2:])
        page.fill("#id_domain", "bompreco.com.br")
        page.fill("#id_contact_name", "Rita Alves")
        page.fill("#id_contact_email", "rita@bompreco.com.br")
        page.fill("#id_estimated_value", "48000,00")
        page.fill("#id_vertical", "retail")
        page.fill("#id_region", "SP")
        screenshot(page, f"{name}-console-new")
        page.locator("main form[method=post] button[type=submit]").click()
        lead = Lead.objects.get()
        page.wait_for_url(f"**/console/leads/{lead.pk}/")
        assert page.locator("article.lead-candidate h3").first.inner_text().startswith("1. Alfa Varejo Digital")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"{name}-console-ranking")
        page.locator("article.lead-candidate form button[type=submit]").first.click()
        screenshot(page, f"{name}-console-confirm")
        page.locator("main form[method=post] button[type=submit]").click()
        page.wait_for_url(f"**/console/leads/{lead.pk}/")
        assert LeadOffer.objects.get().partner_id == alfa.pk
        screenshot(page, f"{name}-console-offered")
        page.goto("/console/leads/")
        assert page.locator("main tbody tr").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"{name}-console-list")
    finally:
        staff.close()

    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    partner = context.new_page()
    try:
        sign_in(partner, "alfa", PASSWORD)
        partner.wait_for_url("**/portal/")
        partner.goto("/portal/leads/")
        screenshot(partner, f"{name}-portal-list")
        partner.click("main tbody a")
        partner.wait_for_url(f"**/portal/leads/{lead.pk}/")
        screenshot(partner, f"{name}-portal-detail")
        partner.locator("#accept-title ~ form button[type=submit]").click()
        partner.wait_for_url(f"**/portal/leads/{lead.pk}/")

        registration = DealRegistration.objects.get()
        assert (registration.partner_id, registration.status) == (alfa.pk, "approved")
        assert partner.locator("h1 .badge").inner_text() == accepted
        assert partner.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(partner, f"{name}-portal-accepted")
    finally:
        context.close()


@pytest.mark.parametrize(("width", "name"), [(1280, "leads-console-excluded"), (390, "leads-console-excluded-phone")])
def test_staff_see_why_partners_are_excluded(browser, live_server, screenshot, width, name):
    holder = make_partner(name="Delta Parceira", tier="certified")
    make_partner(name="Echo Integradora")
    deal_register(partner=holder, fields=other_company(1, company_name="Bom Preço", domain="bompreco.com.br"),
                  actor=ACTOR)
    lead = make_lead()
    staff, page = staff_page(browser, live_server, width, "pt-BR")
    try:
        page.goto(f"/console/leads/{lead.pk}/")
        assert "Registrada por outro parceiro: Delta Parceira" in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, name)
    finally:
        staff.close()
