"""Recruiting in a real browser: a company applies on /apply/ (the applicant's form in pt-BR and es), staff accept it
in the console (the partner is active and its admin invited), and the partner, listed, appears in the public
directory. Screenshots at 1280 and 390 px (var/screenshots/recruiting-*.png)."""

from __future__ import annotations

import pytest

from parceria.accounts.models import User
from parceria.accounts.services import user_create
from parceria.common.audit import Actor
from parceria.common.taxids import synthetic_tax_id
from parceria.partners.models import TierDefinition
from parceria.partners.tier_data import INTEGRATION_DEFINITIONS
from parceria.recruiting.models import Application
from parceria.recruiting.services import ListingFields, listing_update
from tests.browser.conftest import staff_page
from tests.factories import ACTOR, make_integration_partner, make_partner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
CNPJ = synthetic_tax_id("BR", 4343)


@pytest.mark.parametrize(("width", "locale", "name", "accepted"), [
    (1280, "pt-BR", "recruiting", "Aceita"),
    (390, "es", "recruiting-es-phone", "Aceptada"),
])
def test_a_company_applies_and_staff_accept_it(browser, live_server, screenshot, width, locale, name, accepted):
    applicant = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800},
                                    locale=locale)
    applicant.set_default_timeout(15_000)
    page = applicant.new_page()
    try:
        page.goto("/apply/")
        screenshot(page, f"{name}-kinds")
        page.locator("a.button[href='/apply/agency/']").click()
        page.fill("#id_name", "Agência Aurora")
        page.fill("#id_legal_name", "Aurora Marketing Digital Ltda")
        page.fill("#id_tax_id", CNPJ)
        page.fill("#id_website", "aurora.com.br")
        page.fill("#id_customers_served", "Lojas de moda de pequeno porte.")
        page.fill("#id_motivation", "Nossos clientes pedem um ERP.")
        page.fill("#id_contact_name", "Lia Prado")
        page.fill("#id_contact_email", "lia@aurora.com.br")
        page.check("#id_consent")
        page.fill("#id_tax_id", "11.111.111/1111-11")
        page.locator("form.apply-form button[type=submit]").click()
        assert page.locator(".field-error #id_tax_id").count() == 1
        screenshot(page, f"{name}-form-error")
        assert Application.objects.count() == 0
        page.fill("#id_tax_id", CNPJ)
        page.locator("form.apply-form button[type=submit]").click()
        page.wait_for_url("**/apply/thanks/")
        screenshot(page, f"{name}-thanks")
    finally:
        applicant.close()
    application = Application.objects.get()
    assert application.partner.status == "prospect"

    staff, page = staff_page(browser, live_server, width, locale)
    try:
        page.goto("/console/applications/")
        screenshot(page, f"{name}-console-list")
        page.get_by_role("link", name="Agência Aurora").click()
        screenshot(page, f"{name}-console-application")
        page.locator("form:has(input[value=accept]) button[type=submit]").click()
        page.wait_for_selector(f"h1 .badge:text('{accepted}')")
        screenshot(page, f"{name}-console-accepted")
    finally:
        staff.close()
    application.refresh_from_db()
    assert (application.status, application.partner.status) == ("accepted", "active")
    assert User.objects.get(partner=application.partner).role == "partner_admin"


def _admin_of(partner) -> Actor:
    """The partner's admin, whose opting in records the partner's consent to the listing (privacy.consent)."""
    user = user_create(username=f"admin-{partner.pk}@example.com", password=None, role="partner_admin",
                       email=f"admin-{partner.pk}@example.com", partner=partner, actor=ACTOR)
    return Actor(label=f"user:{user.username}", user=user)


def test_the_public_directory(browser, live_server, screenshot):
    # A transactional test's database may have lost the migrations' data: the integration partner definition
    # (which grants preferred placement) is written again, as its data migration writes it.
    for row in INTEGRATION_DEFINITIONS:
        TierDefinition.objects.update_or_create(tier=row["tier"], version=row["version"], defaults={
            k: row[k] for k in ("effective_from", "effective_to", "requirements", "benefits")})
    crm = make_integration_partner(name="Zeta CRM", verticals=["varejo"], territories=["SP"])
    listing_update(partner=crm, actor=_admin_of(crm), fields=ListingFields(
        opted_in=True, headline="Integração nativa com o ERP", description="Sincroniza pedidos e clientes.",
        regions=("SP", "RJ")))
    for n, tier in enumerate(("strategic", "preferred", "certified")):
        p = make_partner(name=f"Parceiro {tier.title()} {n}", tier=tier, verticals=["moda"])
        listing_update(partner=p, actor=_admin_of(p), fields=ListingFields(
            opted_in=True, description="Implantação em 30 dias, com treinamento da equipe e suporte local."))
    for width, label in ((1280, "recruiting-directory"), (390, "recruiting-directory-phone")):
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800},
                                      locale="pt-BR")
        page = context.new_page()
        try:
            page.goto("/directory/")
            cards = page.locator(".directory-card h2").all_inner_texts()
            assert cards == ["Zeta CRM", "Parceiro Strategic 0", "Parceiro Preferred 1", "Parceiro Certified 2"]
            screenshot(page, label)
            page.get_by_role("link", name="Zeta CRM").click()
            page.wait_for_selector("h1:text('Zeta CRM')")
            screenshot(page, f"{label}-detail")
        finally:
            context.close()
