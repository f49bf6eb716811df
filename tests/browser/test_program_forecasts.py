"""The forecasts page in a real browser: staff see, for partner-channel ARR and the commission liability, the
server-drawn chart (history, dashed forecast, shaded 80 % band), the back-test and forecast tables, nothing wider
than the screen. Screenshots at 1280 and 390 px (var/screenshots/forecasts-*.png), in pt-BR, es and en."""

from __future__ import annotations

import math

import pytest
import time_machine
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import user_create
from parceria.common.months import add_months, month_start
from parceria.payouts.services import payout_mark
from tests.browser.conftest import sign_in
from tests.factories import ACTOR, ingest, make_customer, make_partner, make_payout, paid

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"


def build_history(months: int = 20) -> None:
    """`months` months up to the last complete one: two partners' customers paying a growing, seasonal amount, and a
    payout of the first partner paid every third month."""
    alfa, bravo = make_partner(name="Alfa Consultoria"), make_partner(name="Bravo Sistemas")
    customers = [make_customer(alfa), make_customer(bravo), make_customer(alfa)]
    first = add_months(month_start(timezone.localdate()), months=-months)
    events = []
    for k in range(months):
        month = add_months(first, months=k)
        for n, customer in enumerate(customers[: 1 + min(2, k // 6)]):
            amount = 1000 + 60 * k + 150 * math.sin(k * math.pi / 6) + 40 * n
            events.append(paid(customer, f"{amount:.2f}", invoice_id=f"inv-{n}-{k}",
                               at=f"{month:%Y-%m}-10T10:00:00-03:00"))
    ingest(*events)
    for k in range(2, months, 3):
        month = add_months(first, months=k)
        payout = make_payout(alfa, month, f"{250 + 10 * k}.00", payment_date=add_months(month, months=1))
        with time_machine.travel(f"{add_months(month, months=1):%Y-%m}-05T12:00:00-03:00", tick=False):
            payout_mark(payout=payout, status="paid", source="tests", actor=ACTOR)


@pytest.mark.parametrize(("width", "locale", "heading", "name"), [
    (1280, "pt-BR", "Previsões", "forecasts-console"),
    (390, "pt-BR", "Previsões", "forecasts-console-phone"),
    (390, "es", "Pronósticos", "forecasts-console-es-phone"),
    (1280, "en", "Forecasts", "forecasts-console-en"),
])
def test_staff_read_the_forecasts(browser, live_server, screenshot, width, locale, heading, name):
    build_history()
    user = user_create(username="an", password=PASSWORD, role="analyst", email="an@example.com", actor=ACTOR)
    key = TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        sign_in(page, "an", PASSWORD, totp_key_hex=key)
        page.wait_for_url("**/console/")
        if width > 900:  # the sidebar's Program group leads to the page
            page.locator("#sidebar a[href='/console/program/forecasts/']").click()
        else:
            page.goto("/console/program/forecasts/")
        page.wait_for_url("**/console/program/forecasts/")

        assert page.locator("h1").inner_text() == heading
        assert page.locator("figure.forecast-chart svg").count() == 2
        assert page.locator("figure.forecast-chart polygon.band").count() == 2
        for table in ("table.forecast-table", "table.forecast-backtest"):
            assert page.locator(table).count() == 2
        assert page.locator("table.forecast-table").first.locator("tbody tr").count() == 6
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        box = page.locator("figure.forecast-chart svg").first.bounding_box()
        assert box is not None and box["width"] <= width
        screenshot(page, name)
    finally:
        context.close()



def test_a_short_history_shows_its_months_and_says_there_is_no_forecast(browser, live_server, screenshot):
    build_history(months=3)
    user = user_create(username="an", password=PASSWORD, role="analyst", email="an@example.com", actor=ACTOR)
    key = TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 800}, locale="en")
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        sign_in(page, "an", PASSWORD, totp_key_hex=key)
        page.wait_for_url("**/console/")
        page.goto("/console/program/forecasts/")

        notes = page.locator(".forecast-note").all_inner_texts()
        assert notes[0] == "Too short a history to forecast: 3 months with a value, at least 6 needed."
        assert page.locator("figure.forecast-chart polygon.band").count() == 0
        assert page.locator("table.forecast-table").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "forecasts-console-short-en-phone")
    finally:
        context.close()
