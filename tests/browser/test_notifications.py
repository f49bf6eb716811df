"""Notifications in a real browser: a partner admin turns an e-mail off, sets the chat webhook (a receiver on
127.0.0.1) and sends a test message; a partner manager reads the delivery log. Screenshots at 1280 and 390 px
(var/screenshots/notifications-*.png), in pt-BR, es and en."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import user_create
from parceria.notifications.delivery import deliver_due
from parceria.notifications.models import ChatWebhook, Preference
from parceria.partners.models import Partner
from parceria.webhooks.outbox import emit
from tests.browser.conftest import sign_in
from tests.factories import ACTOR, make_partner
from tests.notifications.receiver import chat_receiver

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"
PAID = {"payout_id": 41, "currency": "BRL", "net": "1497.2000"}


@pytest.fixture(autouse=True)
def loopback(settings):
    settings.PARCERIA = {**settings.PARCERIA, "WEBHOOKS_ALLOW_LOOPBACK": True, "WEBHOOKS_TIMEOUT": 2}


@pytest.mark.parametrize(("width", "locale", "texts", "name"), [
    (1280, "pt-BR", ("Webhook de chat", "Uma mensagem de teste foi enviada ao chat."), "notifications-portal"),
    (390, "pt-BR", ("Webhook de chat", "Uma mensagem de teste foi enviada ao chat."), "notifications-portal-phone"),
    (1280, "es", ("Webhook de chat", "Se envió un mensaje de prueba al chat."), "notifications-portal-es"),
])
def test_a_partner_admin_sets_e_mail_and_the_chat_webhook(browser, live_server, screenshot, width, locale, texts,
                                                           name):
    partner = make_partner(name="Agência Horizonte")
    user = user_create(username="ana@horizonte", password=PASSWORD, role="partner_admin", email="ana@example.com",
                       partner=partner, actor=ACTOR)
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        with chat_receiver() as hook:
            sign_in(page, "ana@horizonte", PASSWORD)
            page.goto("/portal/notifications/")
            assert texts[0] in page.locator("main").inner_text()
            screenshot(page, f"{name}-new")
            page.uncheck("form.notification-prefs input[value='tier.changed']")
            page.locator("form.notification-prefs button[type=submit]").click()
            page.wait_for_url("**/portal/notifications/")
            assert Preference.objects.get(user=user, event_type="tier.changed").email is False
            page.fill("#id_url", "https://10.1.2.3/hooks/chat")
            page.locator("form.notification-chat button[value=save]").click()
            assert ChatWebhook.objects.count() == 0
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            screenshot(page, f"{name}-refused")
            page.fill("#id_url", hook.url)
            page.locator("form.notification-chat button[value=save]").click()
            page.wait_for_url("**/portal/notifications/")
            page.locator("form.notification-chat button[value=test]").click()
            page.wait_for_url("**/portal/notifications/")
            assert texts[1] in page.locator("main").inner_text()
            with transaction.atomic():
                emit("payout.paid", partner=partner, data=PAID)
            assert deliver_due() == 2
            page.reload()
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            screenshot(page, f"{name}-saved")
        assert len(hook.received) == 2
    finally:
        context.close()


@pytest.mark.parametrize(("width", "locale", "heading", "name"), [
    (1280, "pt-BR", "Notificações", "notifications-console"),
    (390, "en", "Notifications", "notifications-console-en-phone"),
])
def test_a_partner_manager_reads_the_delivery_log(browser, live_server, screenshot, width, locale, heading, name):
    user = user_create(username="pm", password=PASSWORD, role="partner_manager", email="pm@example.com", actor=ACTOR)
    key = TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key
    for partner_name in ("Agência Horizonte", "Bravo Sistemas Integrados Ltda"):
        partner = make_partner(name=partner_name)
        Partner.objects.filter(pk=partner.pk).update(manager=user)
        user_create(username=f"admin@{partner.pk}", password=None, role="partner_admin",
                    email=f"admin{partner.pk}@example.com", partner=partner, actor=ACTOR)
        with transaction.atomic():
            emit("payout.paid", partner=partner, data=PAID)
            emit("deal.decided", partner=partner, data={"company_name": "Loja Vitória", "status": "approved"})
    deliver_due()
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, "pm", PASSWORD, totp_key_hex=key)
        page.wait_for_url("**/console/")
        page.goto("/console/notifications/")
        assert heading in page.locator("main h1").inner_text()
        assert page.locator("table.notification-log tbody tr").count() == 8
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, name)
        page.goto("/console/notifications/settings/")
        screenshot(page, f"{name}-settings")
    finally:
        context.close()
