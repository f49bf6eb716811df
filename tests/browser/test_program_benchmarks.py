"""Partner benchmarks in a real browser: staff read every partner's figures with their percentiles, one partner's
scorecard and the revenue concentration; a partner reads its own scorecard in the portal and nothing of its peers.
Screenshots at 1280 and 390 px (var/screenshots/benchmarks-*.png), in pt-BR, es and en."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import user_create
from parceria.analytics.inputs import figure_record
from parceria.common.audit import Actor
from tests.browser.conftest import sign_in
from tests.factories import ACTOR, ingest, make_customer, make_partner, paid

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"
NAMES = ["Agência Sol", "Bravo Sistemas Integrados Ltda", "Cajuína Digital", "Dendê Consultoria", "Estrela Tech",
         "Farol Marketing", "Guaraná Labs", "Horizonte Vendas", "Ipê Soluções", "Jangada Cloud", "Kiwi Dados",
         "Lótus Integrações"]


def build() -> list:
    partners = []
    for n, name in enumerate(NAMES):
        tier = ["certified", "preferred", "strategic"][n % 3]
        partner = make_partner(name=name, tier=tier)
        partners.append(partner)
        for k in range(1 + n % 4):
            ingest(paid(make_customer(partner), f"{(n + 1) * 1000 + k * 137}.50",
                        at=f"2026-0{2 + k % 2}-1{k}T10:00:00-03:00"))
        figure_record(key="mdf_spent", month=date(2026, 3, 1), value=Decimal(300 + 50 * n), currency="BRL",
                      partner=partner, actor=Actor(label="tests"))
        figure_record(key="partner_satisfaction", month=date(2026, 3, 1), value=Decimal(1 + n % 5),
                      partner=partner, actor=Actor(label="tests"))
    return partners


def _staff(browser, live_server, width: int, locale: str):
    user = user_create(username="an", password=PASSWORD, role="analyst", email="an@example.com", actor=ACTOR)
    key = TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, "an", PASSWORD, totp_key_hex=key)
    page.wait_for_url("**/console/")
    return context, page


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize(("width", "locale", "heading", "name"), [
    (1280, "pt-BR", "Comparativo de parceiros", "benchmarks-console"),
    (390, "pt-BR", "Comparativo de parceiros", "benchmarks-console-phone"),
    (390, "es", "Comparativa de socios", "benchmarks-console-es-phone"),
    (1280, "en", "Partner benchmarks", "benchmarks-console-en"),
])
def test_staff_read_the_partner_benchmarks(browser, live_server, screenshot, width, locale, heading, name):
    build()
    context, page = _staff(browser, live_server, width, locale)
    try:
        page.goto("/console/program/partners/?period=2026-Q1")
        assert page.locator("h1").inner_text() == heading
        assert page.locator("table.benchmark-table tbody tr").count() == len(NAMES)
        assert page.locator("#sidebar a[href='/console/program/partners/']").count() == 1
        assert page.locator("#sidebar a[href='/console/program/concentration/']").count() == 1
        _fits(page)
        screenshot(page, name)
        page.locator("table.benchmark-table tbody th a").first.click()
        page.wait_for_url("**/console/program/partners/*/?period=2026-Q1")
        assert page.locator("table.scorecard-table tbody tr").count() == 12
        _fits(page)
        screenshot(page, f"{name}-scorecard")
        page.goto("/console/program/concentration/?period=2026-Q1")
        assert page.locator(".share-bars li").count() == 11  # the top 10 and the others
        widths = page.locator(".share-bars svg rect.fill").evaluate_all(
            "rects => rects.map(r => r.getBBox().width)")
        assert widths[0] > widths[1] > widths[-2] > 0  # drawn to scale, largest first
        _fits(page)
        screenshot(page, f"{name}-concentration")
    finally:
        context.close()


@pytest.mark.parametrize(("width", "locale", "heading", "name"), [
    (1280, "pt-BR", "Seu painel", "benchmarks-portal"),
    (390, "pt-BR", "Seu painel", "benchmarks-portal-phone"),
    (390, "en", "Your scorecard", "benchmarks-portal-en-phone"),
])
def test_a_partner_reads_its_own_scorecard(browser, live_server, screenshot, width, locale, heading, name):
    partners = build()
    member = user_create(username="sol@example.com", password=PASSWORD, role="partner_admin",
                         email="sol@example.com", partner=partners[0], actor=ACTOR)
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, member.username, PASSWORD)
        page.wait_for_url("**/portal/")
        page.locator("#sidebar a[href='/portal/program/']").dispatch_event("click")
        page.wait_for_url("**/portal/program/")
        page.goto("/portal/program/?period=2026-Q1")
        assert page.locator("h1").inner_text() == heading
        text = page.locator("main").inner_text()
        assert not any(p.name in text for p in partners[1:])
        _fits(page)
        screenshot(page, name)
    finally:
        context.close()
