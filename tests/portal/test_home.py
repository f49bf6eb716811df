"""The partner home says in plain words why the next close would pay nothing, judged by the close's own rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parceria.accounts.services import user_create
from parceria.partners.payout_details import partner_payout_details_change
from parceria.portal.selectors import dashboard
from tests.factories import D, credit, make_partner
from tests.portal.conftest import ACTOR, PASSWORD, client_for

pytestmark = pytest.mark.django_db


def next_payout_of(partner):
    (figures,) = dashboard(partner).figures
    return figures.next_payout


def page(partner) -> str:
    user = user_create(username=f"u{partner.pk}@example.com", password=PASSWORD, role="partner_member",
                       partner=partner, actor=ACTOR)
    html = client_for(user).get("/portal/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    return html[html.index('id="next-payout"'):html.index('id="tier"')]


def test_nothing_accrued():
    partner = make_partner()
    found = next_payout_of(partner)
    assert (found.reason, found.amount, found.pays) == ("nothing", D("0"), False)
    assert "Nothing to pay yet: commissions appear here" in page(partner)


def test_below_the_minimum_says_how_much_is_missing():
    partner = make_partner()
    credit(partner, "60.00", at=timezone.now() - timedelta(minutes=1))
    found = next_payout_of(partner)
    assert (found.reason, found.amount, found.minimum, found.shortfall) == (
        "below_minimum", D("60.00"), D("100.0000"), D("40.0000"))
    assert "Below the minimum payout of R$ 100.00: it carries to the next close. R$ 40.00 more" in page(partner)


def test_clawbacks_above_the_earnings():
    partner = make_partner()
    credit(partner, "-25.50", at=timezone.now() - timedelta(minutes=1))
    assert next_payout_of(partner).reason == "negative"
    assert "Clawbacks exceed your earnings (-R$ 25.50)" in page(partner)


def test_a_partner_that_is_not_active():
    partner = make_partner(status="suspended")
    credit(partner, "500.00", at=timezone.now() - timedelta(minutes=1))
    assert next_payout_of(partner).reason == "held"
    assert "No payouts while your partner account is suspended." in page(partner)


def test_payout_details_changed_hold_the_close_that_is_due_and_the_next_one_pays():
    from parceria.common.months import add_months, month_start
    from parceria.payouts.close import carry_reason, payee_of

    partner = make_partner()
    last = add_months(month_start(timezone.localdate()), months=-1)
    credit(partner, "500.00", at=timezone.make_aware(timezone.datetime(last.year, last.month, 10, 12, 0)))
    partner_payout_details_change(partner=partner, key_type="email", key="novo@example.com", actor=ACTOR)
    partner.refresh_from_db()
    # The close of last month, run now, would carry it (the close's own rule) ...
    assert carry_reason(payee_of(partner), "BRL", D("500"), {"BRL": D("100")}, timezone.now()) == "details_changed"
    # ... so the next payout is this month's close, after the 48-hour hold, and the page says until when.
    found = next_payout_of(partner)
    assert (found.pays, found.close_month, found.amount) == (True, month_start(timezone.localdate()), D("500.00"))
    assert found.held_until is not None and found.pix_key == "••••••••••••.com"
    assert "Your payout details changed: payouts are held until" in page(partner)


def test_a_balance_that_reaches_the_minimum_is_paid_to_the_masked_key_with_an_estimate_of_the_tax():
    partner = make_partner(pix_key_type="email", pix_key="financeiro@alfa.com.br")
    credit(partner, "2000.00", at=timezone.now() - timedelta(minutes=1))
    found = next_payout_of(partner)
    assert (found.pays, found.amount, found.withheld, found.net) == (True, D("2000.00"), D("30.00"), D("1970.00"))
    html = page(partner)
    assert "R$ 1,970.00" in html and "Estimate: R$ 2,000.00 less R$ 30.00 of taxes withheld." in html
    assert "••••••••••••••••••m.br" in html and "financeiro@alfa.com.br" not in html


def test_the_close_that_is_due_is_last_months_however_far_behind_the_closes_are():
    from datetime import date

    from parceria.portal.selectors import next_close_month

    december = date(2026, 12, 1)
    assert next_close_month(None, december) == date(2026, 11, 1)
    assert next_close_month(date(2026, 8, 1), december) == date(2026, 11, 1)
    assert next_close_month(date(2026, 11, 1), december) == december
