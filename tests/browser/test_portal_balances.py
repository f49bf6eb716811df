"""The dashboard of a partner paid in two currencies, in a real browser at desktop and phone widths: one figure per
currency, never their sum, and last month's two payouts shown as pending (net amount and date) while the bank has
not paid them. Screenshots: var/screenshots/portal-dashboard-currencies{,-phone}.png."""

from __future__ import annotations

from datetime import datetime, timedelta

import orjson
import pytest
from django.utils import timezone

from parceria.accounts.services import user_create
from parceria.common.months import add_months, month_start
from parceria.payouts.close import payout_due_date, period_close
from tests.browser.conftest import sign_in
from tests.factories import ingest, make_two_currency_partner, paid
from tests.portal.conftest import ACTOR, PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def member(transactional_db):
    """Last month: 1,000.0000 BRL, then 50.0000 USD after the switch to USD; that month is closed (two pending
    payouts). This month: 10.0000 USD (25 % of an invoice of 40.00 USD)."""
    last = add_months(month_start(timezone.localdate()), months=-1)
    first = timezone.make_aware(datetime(last.year, last.month, 1))
    partner, customer = make_two_currency_partner(brl_at=(first + timedelta(days=9)).isoformat(),
                                                  usd_at=(first + timedelta(days=19)).isoformat(),
                                                  name="Duas Moedas Consultoria")
    period_close(month=last, actor=ACTOR, now=timezone.now())
    assert ingest(paid(customer, "40.00", currency="USD", at=(timezone.now() - timedelta(minutes=5)).isoformat()))
    user = user_create(username="duas@example.com", email="duas@example.com", password=PASSWORD,
                       role="partner_member", partner=partner, actor=ACTOR)
    return user, last


@pytest.mark.parametrize(("width", "name"), [(1280, "portal-dashboard-currencies"),
                                             (390, "portal-dashboard-currencies-phone")])
def test_the_dashboard_shows_each_currency_and_each_pending_payout(browser, live_server, screenshot, member, width,
                                                                   name):
    user, last = member
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale="pt-BR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, user.username, PASSWORD)
        page.wait_for_url("**/portal/")
        page.wait_for_function("document.getElementById('earnings-chart').width > 0")
        screenshot(page, name)

        def values(card: str) -> list[str]:
            return page.locator(f"#{card} .value").all_inner_texts()

        assert values("earned-this-month") == ["US$ 10,00", "R$ 0,00"]
        assert values("available-balance") == ["US$ 10,00", "R$ 0,00"]
        assert values("next-payout") == ["US$ 50,00", "R$ 1.000,00"]
        due = payout_due_date(last).strftime("%d/%m/%Y")
        pending = page.locator("#next-payout .pending-payout").all_inner_texts()
        assert len(pending) == 2
        assert all(text.endswith(f": pagamento pendente, líquido dos impostos retidos, a ser feito até {due}.")
                   for text in pending)
        assert "Fica para o próximo mês" not in page.content() and "1.050" not in page.content()
        chart = orjson.loads(page.locator("#earnings-data").inner_text())
        assert [(s["currency"], s["values"][-2:]) for s in chart["series"]] == [
            ("USD", ["50.0000", "10.0000"]), ("BRL", ["1000.0000", "0.0000"])]
        page.locator(".chart-table summary").click()
        table = page.locator(".chart-table table")
        assert table.locator("thead th").all_inner_texts() == ["Mês", "USD", "BRL"]
        assert table.locator("tbody tr").last.locator("td").all_inner_texts()[1:] == ["US$ 10,00", "R$ 0,00"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing wider than the screen
        screenshot(page, f"{name}-table")
    finally:
        context.close()
