"""The channel-conflict report in a real browser: staff pick a month range, see the period's figures, the monthly
conflict rate drawn against the 5 % target and the tables per month and per partner, nothing wider than the screen.
Screenshots at 1280 and 390 px (var/screenshots/conflicts-*.png), in pt-BR, es and en."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import user_create
from parceria.deals.models import DealStatus
from tests.browser.conftest import sign_in
from tests.deals.test_reporting import reg
from tests.factories import ACTOR, make_partner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"


def build_months() -> None:
    """Six months of registrations of three partners: conflicts at 0 %, 5 % and above."""
    alfa, bravo = make_partner(name="Alfa Consultoria"), make_partner(name="Bravo Sistemas Integrados Ltda")
    cajuina = make_partner(name="Cajuína Digital")
    plan = {"2026-01": (20, 0), "2026-02": (40, 2), "2026-03": (25, 3), "2026-04": (30, 1), "2026-05": (0, 0),
            "2026-06": (18, 2)}
    for month, (count, conflicts) in plan.items():
        for n in range(count):
            partner = (alfa, bravo, cajuina)[n % 3]
            other = bravo if partner is alfa else alfa
            day = f"{month}-{n % 27 + 1:02d} 10:00"
            if n < conflicts:
                reg(partner, day, status=DealStatus.REJECTED, conflict={"kind": "registration", "partner_id": other.pk})
            elif n % 4 == 0:
                reg(partner, day, decided_after=timedelta(hours=3 + n % 20))
            elif n % 5 == 0:
                reg(partner, day, status=DealStatus.CONVERTED, converted_after=timedelta(days=20 + n))
            else:
                reg(partner, day)


@pytest.mark.parametrize(("width", "locale", "heading", "name"), [
    (1280, "pt-BR", "Conflitos de canal", "conflicts-console"),
    (390, "pt-BR", "Conflitos de canal", "conflicts-console-phone"),
    (390, "es", "Conflictos de canal", "conflicts-console-es-phone"),
    (1280, "en", "Channel conflicts", "conflicts-console-en"),
])
def test_staff_read_the_channel_conflict_report(browser, live_server, screenshot, width, locale, heading, name):
    build_months()
    user = user_create(username="an", password=PASSWORD, role="analyst", email="an@example.com", actor=ACTOR)
    key = TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, "an", PASSWORD, totp_key_hex=key)
        page.wait_for_url("**/console/")
        page.goto("/console/deal-registrations/conflicts/")
        page.fill("#id_from_month", "2026-01")
        page.fill("#id_to_month", "2026-06")
        page.locator("main form.toolbar button[type=submit]").click()
        page.wait_for_url("**/conflicts/?from_month=2026-01&to_month=2026-06")
        page.wait_for_function("() => document.getElementById('conflict-chart')?.getAttribute('width')")

        assert page.locator("h1").inner_text() == heading
        rows = page.locator("table.conflict-table").first.locator("tbody tr")
        assert rows.count() == 6
        assert page.locator("table.conflict-table").nth(1).locator("tbody tr").count() == 3
        assert page.locator("table.conflict-table tbody tr.bad").count() >= 2  # 5 % and above are marked
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, name)
    finally:
        context.close()
