"""A deal registration's lifecycle in a real browser: the partner's dashboard and list mark a registration expiring
soon, the partner asks for an extension on its page, and staff approve it from the queue after confirming; the
expiry moves 30 days. Screenshots at 1280 and 390 px (var/screenshots/deal-extension-*.png), in pt-BR, es and en."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import user_create
from parceria.deals.models import DealRegistration
from parceria.deals.services import deal_register
from tests.browser.conftest import sign_in
from tests.deals.test_services import fields
from tests.factories import ACTOR, make_partner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"


def new_page(browser, live_server, width: int, locale: str):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    return context, context.new_page()


@pytest.mark.parametrize(("width", "locale", "requested", "approved", "name"), [
    (1280, "pt-BR", "Solicitada", "Aprovada", "deal-extension"),
    (390, "pt-BR", "Solicitada", "Aprovada", "deal-extension-phone"),
    (390, "es", "Solicitada", "Aprobada", "deal-extension-es-phone"),
    (1280, "en", "Requested", "Approved", "deal-extension-en"),
])
def test_a_partner_asks_for_an_extension_and_staff_approve_it(browser, live_server, screenshot, width, locale,
                                                               requested, approved, name):
    partner = make_partner(name="Alfa Consultoria")
    user_create(username="alfa", password=PASSWORD, role="partner_member", partner=partner, email="a@alfa.example",
                actor=ACTOR)
    reg = deal_register(partner=partner, fields=fields(), actor=ACTOR)
    today = timezone.localdate()
    DealRegistration.objects.filter(pk=reg.pk).update(expires_on=today + timedelta(days=10))
    staff = user_create(username="pm", password=PASSWORD, role="partner_manager", email="pm@example.com", actor=ACTOR)
    key = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True).key

    context, page = new_page(browser, live_server, width, locale)
    try:
        sign_in(page, "alfa", PASSWORD)
        page.wait_for_url("**/portal/")
        assert page.locator("#expiring-deals a").first.inner_text() == "Padaria São João Ltda."
        screenshot(page, f"{name}-home")
        page.goto("/portal/deals/")
        assert page.locator("tbody .expires-soon").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"{name}-list")
        page.click("main tbody a")
        page.wait_for_url(f"**/portal/deals/{reg.pk}/")
        page.fill("#id_reason", "A diretoria do cliente decide no mês que vem")
        screenshot(page, f"{name}-ask")
        page.locator("#extension button[type=submit]").click()
        page.wait_for_url(f"**/portal/deals/{reg.pk}/")
        assert page.locator("#extension h2 .badge").inner_text() == requested
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"{name}-asked")
    finally:
        context.close()
    reg.refresh_from_db()
    assert (reg.extension_status, reg.extension_reason) == ("requested", "A diretoria do cliente decide no mês que vem")

    context, page = new_page(browser, live_server, width, locale)
    try:
        sign_in(page, "pm", PASSWORD, totp_key_hex=key)
        page.wait_for_url("**/console/")
        page.goto("/console/deal-registrations/extensions/")
        screenshot(page, f"{name}-queue")
        page.click("main tbody a")
        page.wait_for_url(f"**/console/deal-registrations/{reg.pk}/")
        page.select_option("#extension #id_decision", "approve")
        screenshot(page, f"{name}-detail")
        page.locator("#extension button[type=submit]").click()
        screenshot(page, f"{name}-confirm")
        page.locator("main form[method=post] button[type=submit]").click()
        page.wait_for_url(f"**/console/deal-registrations/{reg.pk}/")
        assert page.locator("#extension h2 .badge").inner_text() == approved
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"{name}-approved")
    finally:
        context.close()
    reg.refresh_from_db()
    assert (reg.extension_status, reg.expires_on) == ("approved", today + timedelta(days=40))
