"""Stripe's webhook over real HTTP (the live server), then the console's intake page, where a refused Stripe event
stays visible with its reason; screenshots at desktop and phone widths in three languages."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest

from parceria.customers.models import EventBatch, Invoice
from parceria.integrations.models import StripeEvent
from tests.browser.conftest import sign_in
from tests.browser.test_console import PASSWORD, staff
from tests.factories import make_customer, make_partner
from tests.integrations import stripe_payloads as sp

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def deliver(base: str, payload: dict) -> int:
    """POST the signed event to the live server as Stripe does; the answer's status."""
    body, header = sp.signed(payload)
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=10)
    try:
        connection.request("POST", sp.URL, body=body, headers={
            "Content-Type": "application/json; charset=utf-8", "Stripe-Signature": header, "User-Agent": "Stripe/1.0"})
        return connection.getresponse().status
    finally:
        connection.close()


def test_stripe_events_over_http_and_a_refused_one_in_the_console(page, screenshot, live_server):
    make_customer(make_partner(name="Agência Aurora", tier="preferred"), external_id="cus_A", name="Padaria Central")

    assert deliver(live_server.url, sp.event("invoice.paid", sp.invoice(), event_id="evt_ok")) == 200
    assert deliver(live_server.url, sp.event("invoice.paid", sp.invoice(invoice_id="in_2", customer="cus_unknown"),
                                             event_id="evt_early")) == 422
    assert (Invoice.objects.count(), StripeEvent.objects.count()) == (1, 1)
    refused = EventBatch.objects.filter(accepted=0).get()

    sign_in(page, "ops", PASSWORD, totp_key_hex=staff("ops", "admin"))
    page.wait_for_url("**/console/")
    page.goto("/console/intake/?source=webhook")
    assert page.locator("main table tbody tr").count() == 2
    screenshot(page, "console-intake-stripe-pt-br")
    page.goto(f"/console/intake/{refused.pk}/")
    for language in ("pt-br", "es", "en"):
        if language != "pt-br":
            page.select_option("#language", language)
            page.wait_for_function(f"document.documentElement.lang === '{language}'")
        assert "unknown customer 'cus_unknown'" in page.locator("main").inner_text()
        screenshot(page, f"console-intake-stripe-refused-{language}")
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "console-intake-stripe-refused-phone")
