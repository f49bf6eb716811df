"""Webhooks in a real browser: a partner admin registers an endpoint, copies its secret (shown once), sends a ping
that a receiver on 127.0.0.1 answers, and reads the delivery and its attempt; staff read the console's list.
Screenshots at 1280 and 390 px (var/screenshots/webhooks-*.png), in pt-BR, es and en."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import user_create
from parceria.webhooks.delivery import deliver_due
from parceria.webhooks.outbox import emit
from parceria.webhooks.services import endpoint_create
from tests.browser.conftest import sign_in
from tests.factories import ACTOR, make_partner
from tests.webhooks.receiver import receiver

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"


@pytest.fixture(autouse=True)
def loopback(settings):
    settings.PARCERIA = {**settings.PARCERIA, "WEBHOOKS_ALLOW_LOOPBACK": True, "WEBHOOKS_TIMEOUT": 2}


@pytest.mark.parametrize(("width", "locale", "texts", "name"), [
    (1280, "pt-BR", ("Segredo de assinatura", "Entregue"), "webhooks-portal"),
    (390, "pt-BR", ("Segredo de assinatura", "Entregue"), "webhooks-portal-phone"),
])
def test_a_partner_admin_registers_an_endpoint_pings_it_and_reads_the_delivery(browser, live_server, screenshot,
                                                                              width, locale, texts, name):
    partner = make_partner(name="Agência Horizonte")
    user_create(username="ana@horizonte", password=PASSWORD, role="partner_admin", email="ana@example.com",
                partner=partner, actor=ACTOR)
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        with receiver() as hook:
            sign_in(page, "ana@horizonte", PASSWORD)
            page.goto("/portal/webhooks/")
            page.fill("#id_url", hook.url)
            page.fill("#id_description", "ERP financeiro")
            page.check("input[name=event_types][value='payout.paid']")
            page.check("input[name=event_types][value='commission.accrued']")
            screenshot(page, f"{name}-new")
            page.locator("main form.webhook-form button[type=submit]").click()
            secret = page.locator("code.secret").inner_text()
            assert secret.startswith("whsec_") and texts[0] in page.content()
            hook.secret = secret
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            screenshot(page, f"{name}-secret")
            with page.expect_navigation():  # the ping is written before the page comes back
                page.locator("main form[action$='/ping/'] button").click()
            assert deliver_due() == 1
            with transaction.atomic():
                emit("payout.paid", partner=partner, data={"payout_id": 41, "gross": "1520.0000"})
            hook.statuses.append(500)
            assert deliver_due() == 1
            page.reload()
            assert "secret" not in page.locator("main").inner_html() or secret not in page.content()
            assert page.locator("table.webhook-deliveries tbody tr").count() == 2
            assert texts[1] in page.locator("table.webhook-deliveries").inner_text()
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            screenshot(page, f"{name}-deliveries")
            page.goto("/portal/webhooks/")
            screenshot(page, f"{name}-list")
        assert hook.bad_signatures == 0 and [r["body"]["type"] for r in hook.received] == ["ping", "payout.paid"]
    finally:
        context.close()


@pytest.mark.parametrize(("width", "locale", "heading", "name"), [
    (1280, "es", "Endpoints de los socios", "webhooks-console-es"),
    (390, "en", "Partners' endpoints", "webhooks-console-en-phone"),
])
def test_staff_read_every_partners_endpoints(browser, live_server, screenshot, width, locale, heading, name):
    for partner_name, url in (("Agência Horizonte", "http://127.0.0.1:9/webhooks/parceria/receiver-with-a-long-path"),
                              ("Bravo Sistemas Integrados Ltda", "http://127.0.0.1:9/in")):
        endpoint_create(partner=make_partner(name=partner_name), url=url, event_types=["payout.paid", "tier.changed"],
                        actor=ACTOR)
    endpoint_create(partner=None, url="http://127.0.0.1:9/staff", event_types=["dispute.updated"], actor=ACTOR)
    user = user_create(username="pm", password=PASSWORD, role="partner_manager", email="pm@example.com", actor=ACTOR)
    key = TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, "pm", PASSWORD, totp_key_hex=key)
        page.wait_for_url("**/console/")
        page.goto("/console/webhooks/")
        assert heading in page.locator("main").inner_text()
        assert "Bravo Sistemas Integrados Ltda" in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, name)
    finally:
        context.close()
