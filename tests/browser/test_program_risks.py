"""The risk list in a real browser: staff open Program → Risk list, see the partners at risk by score with each
reason as a sentence linking to its evidence, filter by reason, nothing wider than the screen. Screenshots at 1280
and 390 px (var/screenshots/risks-*.png), in pt-BR, es and en."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import user_create
from tests.analytics.test_risks import agreement, disputes, referral_months, scores
from tests.browser.conftest import sign_in
from tests.factories import ACTOR, ingest, make_customer, make_partner, paid

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"


def build_risks() -> None:
    """Three partners at risk on 2026-06-15, one with three reasons, and one partner that is fine."""
    alfa = make_partner(name="Alfa Consultoria", tier="preferred")
    agreement(alfa)
    disputes(alfa, "2026-06-01", "2026-06-02", "2026-06-03")
    ingest(paid(make_customer(alfa), "10.00", at="2026-01-05T10:00:00-03:00"))
    bravo = make_partner(name="Bravo Sistemas Integrados Ltda", tier="strategic")
    referral_months(bravo, [8, 9, 7, 8, 6, 6, 5, 4, 5, 3, 2, 2])
    cajuina = make_partner(name="Cajuína Digital")
    scores(cajuina, [5, 5, 4, 4, 4], [4, 4, 4, 4, 3])
    make_partner(name="Delta Tranquila")


@pytest.mark.parametrize(("width", "locale", "heading", "name"), [
    (1280, "pt-BR", "Parceiros em risco", "risks-console"),
    (390, "pt-BR", "Parceiros em risco", "risks-console-phone"),
    (390, "es", "Socios en riesgo", "risks-console-es-phone"),
    (1280, "en", "Partners at risk", "risks-console-en"),
])
def test_staff_read_the_risk_list(browser, live_server, screenshot, width, locale, heading, name):
    build_risks()
    user = user_create(username="an", password=PASSWORD, role="analyst", email="an@example.com", actor=ACTOR)
    key = TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, "an", PASSWORD, totp_key_hex=key)
        page.wait_for_url("**/console/")
        if width >= 1280:  # the sidebar's Program group leads to the list
            page.locator("#sidebar a[href='/console/program/risks/']").click()
            page.wait_for_url("**/console/program/risks/")
            assert page.locator("#sidebar a[aria-current=page]").inner_text() == {
                "pt-BR": "Parceiros em risco", "en": "Risk list"}[locale]
        page.goto("/console/program/risks/?on=2026-06-15")

        assert page.locator("h1").inner_text() == heading
        rows = page.locator("table.risk-table tbody tr")
        assert rows.count() == 3
        assert "Alfa Consultoria" in rows.first.inner_text()  # 20 + 10 + 15 = 45, the highest
        assert rows.first.locator(".risk-score").inner_text() == "45"
        assert rows.first.locator(".risk-reasons li").count() == 3
        assert "Delta" not in page.locator("main").inner_text()
        screenshot(page, name)
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        page.select_option("#id_reason", "falling_referrals")
        page.locator("main form.toolbar button[type=submit]").click()
        page.wait_for_url("**reason=falling_referrals**")
        assert rows.count() == 1 and "Bravo" in rows.first.inner_text()
        rows.first.locator(".risk-reasons a").first.click()
        page.wait_for_url("**/console/partners/*/#customers")
    finally:
        context.close()
