"""Deal registration in a real browser: a partner registers a deal in the portal and sees it approved; another
partner's registration of a similar name waits in the console's review queue and staff approve it after
confirming. Screenshots at 1280 and 390 px (var/screenshots/deals-*.png), in pt-BR, es and en."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import user_create
from parceria.deals.models import DealRegistration
from parceria.deals.services import deal_register
from tests.browser.conftest import sign_in
from tests.deals.test_services import CNPJ_HQ, OTHER_CNPJ, fields
from tests.factories import ACTOR, make_partner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"


def register_in_the_portal(page) -> None:
    page.goto("/portal/deals/new/")
    page.fill("#id_company_name", "Padaria São João Ltda")
    page.fill("#id_tax_id", "45.997.418/0001-" + CNPJ_HQ[-2:])
    page.fill("#id_domain", "padariasj.com.br")
    page.fill("#id_contact_name", "Joana Lima")
    page.fill("#id_contact_email", "joana@padariasj.com.br")
    page.fill("#id_estimated_value", "12500,50")
    page.fill("#id_vertical", "Varejo")
    page.fill("#id_region", "São Paulo")


@pytest.mark.parametrize(("width", "locale", "approved", "name"), [
    (1280, "pt-BR", "Aprovado", "deals-portal"),
    (390, "pt-BR", "Aprovado", "deals-portal-phone"),
    (390, "es", "Aprobado", "deals-portal-es-phone"),
    (1280, "en", "Approved", "deals-portal-en"),
])
def test_a_partner_registers_a_deal_and_sees_it_approved(browser, live_server, screenshot, width, locale, approved,
                                                         name):
    partner = make_partner(name="Alfa Consultoria")
    user_create(username="alfa", password=PASSWORD, role="partner_member", partner=partner, email="a@alfa.example",
                actor=ACTOR)
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, "alfa", PASSWORD)
        page.wait_for_url("**/portal/")
        register_in_the_portal(page)
        screenshot(page, f"{name}-form")
        page.locator("main form[method=post] button[type=submit]").click()
        page.wait_for_url("**/portal/deals/*/")

        reg = DealRegistration.objects.get()
        assert (reg.partner_id, reg.status, reg.tax_id, str(reg.estimated_value)) == (
            partner.pk, "approved", CNPJ_HQ, "12500.5000")
        assert page.locator("h1 .badge").inner_text() == approved
        screenshot(page, f"{name}-outcome")
        page.goto("/portal/deals/")
        assert page.locator("tbody tr").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"{name}-list")
    finally:
        context.close()


def test_a_public_email_domain_is_refused_beside_the_field(page, screenshot):
    partner = make_partner(name="Alfa Consultoria")
    user_create(username="alfa", password=PASSWORD, role="partner_member", partner=partner, email="a@alfa.example",
                actor=ACTOR)
    sign_in(page, "alfa", PASSWORD)
    page.wait_for_url("**/portal/")
    register_in_the_portal(page)
    page.fill("#id_domain", "gmail.com")
    page.locator("main form[method=post] button[type=submit]").click()

    assert "gmail.com" in page.locator(".field-error").first.inner_text()
    assert DealRegistration.objects.count() == 0
    screenshot(page, "deals-portal-refused")


@pytest.mark.parametrize(("width", "name"), [(1280, "deals-console"), (390, "deals-console-phone")])
def test_staff_approve_a_registration_in_review(browser, live_server, screenshot, width, name):
    deal_register(partner=make_partner(name="Alfa Consultoria"), fields=fields(), actor=ACTOR)
    review = deal_register(partner=make_partner(name="Bravo Sistemas"), actor=ACTOR, fields=fields(
        company_name="Padaria Sao Joao S.A.", tax_id=OTHER_CNPJ, domain="padaria-sj.com.br"))
    user = user_create(username="pm", password=PASSWORD, role="partner_manager", email="pm@example.com", actor=ACTOR)
    key = TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale="pt-BR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, "pm", PASSWORD, totp_key_hex=key)
        page.wait_for_url("**/console/")
        page.goto("/console/deal-registrations/review/")
        screenshot(page, f"{name}-queue")
        page.click("main tbody a")
        page.wait_for_url(f"**/console/deal-registrations/{review.pk}/")
        page.select_option("#id_decision", "approve")
        page.fill("#id_reason", "Outra padaria, confirmada com o time de vendas")
        screenshot(page, f"{name}-detail")
        page.locator("main form[method=post] button[type=submit]").click()
        screenshot(page, f"{name}-confirm")
        page.locator("main form[method=post] button[type=submit]").click()
        page.wait_for_url(f"**/console/deal-registrations/{review.pk}/")

        review.refresh_from_db()
        assert (review.status, review.reason) == ("approved", "Outra padaria, confirmada com o time de vendas")
        assert page.locator("h1 .badge").inner_text() == "Aprovado"
        page.goto("/console/deal-registrations/?status=")
        screenshot(page, f"{name}-list")
    finally:
        context.close()


@pytest.mark.parametrize(("width", "locale", "converted", "name"), [
    (1280, "pt-BR", "Convertido", "deals-console-convert"),
    (390, "pt-BR", "Convertido", "deals-console-convert-phone"),
    (390, "es", "Convertido", "deals-console-convert-es-phone"),
    (1280, "en", "Converted", "deals-console-convert-en"),
])
def test_staff_convert_an_approved_registration_after_confirming(browser, live_server, screenshot, width, locale,
                                                                 converted, name):
    partner = make_partner(name="Alfa Consultoria")
    reg = deal_register(partner=partner, fields=fields(), actor=ACTOR)
    user = user_create(username="pm", password=PASSWORD, role="partner_manager", email="pm@example.com", actor=ACTOR)
    key = TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, "pm", PASSWORD, totp_key_hex=key)
        page.wait_for_url("**/console/")
        page.goto(f"/console/deal-registrations/{reg.pk}/")
        screenshot(page, f"{name}-detail")
        page.locator("#convert-title + form button[type=submit]").click()
        screenshot(page, f"{name}-confirm")
        page.locator("main form[method=post] button[type=submit]").click()
        page.wait_for_url(f"**/console/deal-registrations/{reg.pk}/")

        reg.refresh_from_db()
        assert (reg.status, reg.customer.external_id, reg.customer.partner_id) == (
            "converted", f"deal-{reg.pk}", partner.pk)
        assert page.locator("h1 .badge").inner_text() == converted
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"{name}-done")
    finally:
        context.close()
