"""The program scorecard, the phase tracker and the figures page in a real browser: staff pick a period, see each
KPI with its traffic light and sparkline and what to import where data is missing, nothing wider than the screen.
Screenshots at 1280 and 390 px (var/screenshots/program-*.png), in pt-BR, es and en."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from parceria.agreements.models import Agreement
from parceria.analytics.models import ProgramFigure
from tests.browser.conftest import staff_page
from tests.factories import ingest, make_customer, make_partner, paid

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def build_program() -> None:
    """Six partners signed in January 2026 bringing customers from January to June, some direct customers, and a
    few imported figures."""
    partners = [make_partner(name=name) for name in ("Alfa Consultoria", "Bravo Sistemas Integrados Ltda",
                                                     "Cajuína Digital", "Delta ERP", "Eco Contábil", "Fênix TI")]
    for partner in partners:
        Agreement.objects.create(partner=partner, type="channel_partner", status="active",
                                 start_date=date(2026, 1, 10), signed_on=date(2026, 1, 10))
    events = []
    for month in range(1, 7):
        for n, partner in enumerate(partners[: month]):
            customer = make_customer(partner)
            for later in range(month, 7):
                events.append(paid(customer, f"{900 + 150 * n}.00", at=f"2026-{later:02d}-{5 + n:02d}T10:00:00-03:00"))
        events.append(paid(make_customer(None), "700.00", at=f"2026-{month:02d}-20T10:00:00-03:00"))
    ingest(*events)
    for month in range(1, 7):
        ProgramFigure.objects.create(key="partner_program_cost", month=date(2026, month, 1), value=Decimal("15000"),
                                     currency="BRL")
        ProgramFigure.objects.create(key="direct_cac", month=date(2026, month, 1), value=Decimal("6000"),
                                     currency="BRL")
    for partner, score in zip(partners, ("4.5", "4.0", "5.0", "3.5", "4.5", "4.0"), strict=True):
        ProgramFigure.objects.create(key="partner_satisfaction", month=date(2026, 6, 1), value=Decimal(score),
                                     partner=partner)




@pytest.mark.parametrize(("width", "locale", "heading", "name"), [
    (1280, "pt-BR", "Painel do programa", "program-scorecard"),
    (390, "pt-BR", "Painel do programa", "program-scorecard-phone"),
    (390, "es", "Cuadro de mando del programa", "program-scorecard-es-phone"),
    (1280, "en", "Program scorecard", "program-scorecard-en"),
])
def test_staff_read_the_program_scorecard(browser, live_server, screenshot, settings, width, locale, heading, name):
    settings.PARCERIA = {**settings.PARCERIA, "PROGRAM_START": "2026-01"}
    build_program()
    context, page = staff_page(browser, live_server, width, locale, username="an", role="admin")
    try:
        page.goto("/console/program/")
        page.select_option("#period", "2026-06")
        page.locator("main form.toolbar button[type=submit]").click()
        page.wait_for_url("**/program/?period=2026-06")

        assert page.locator("h1").inner_text() == heading
        assert page.locator("table.scorecard-table tbody tr").count() == 17
        assert page.locator("#kpi-partner_arr .light.bad").count() == 1
        assert page.locator("#kpi-active_partners svg polyline").count() == 1
        assert page.locator("#kpi-joint_marketing a[href*='key=joint_marketing_activities']").count() == 1
        screenshot(page, name)
        assert page.evaluate("document.querySelector('table.scorecard-table').scrollWidth") <= page.evaluate(
            "document.querySelector('table.scorecard-table').parentElement.clientWidth")  # nothing clipped
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        page.goto("/console/program/phases/")
        assert page.locator("section.phase").count() == 3
        screenshot(page, name.replace("scorecard", "phases"))
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        page.goto("/console/program/figures/?key=partner_satisfaction")
        assert page.locator("main table").first.locator("tbody tr").count() == 6
        screenshot(page, name.replace("scorecard", "figures"))
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
