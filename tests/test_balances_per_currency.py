"""One balance per currency everywhere (commissions/selectors.py owns "the balance"): a partner that earned
1,000.0000 BRL, had its payout currency changed to USD and earned 50.0000 USD has two balances, 1000.0000 BRL and
50.0000 USD, in the balance API, the portal dashboard (figures and chart), the console and the statement —
never one of 1050 in either currency."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from parceria.accounts.services import user_create
from parceria.commissions.engine import Posting
from parceria.commissions.ledger import ledger_post
from parceria.commissions.selectors import balances, partner_balance, partner_balances
from parceria.common.months import add_months, month_start
from parceria.payouts.statements import statement_for
from parceria.portal.selectors import dashboard
from tests.conftest import ApiClient
from tests.factories import ACTOR, PASSWORD, at, make_key, make_partner, make_two_currency_partner
from tests.portal.conftest import client_for


def last_month() -> tuple[datetime, str, str]:
    """The first day of last month, and two moments in it (the lines of the partner)."""
    first = add_months(month_start(timezone.localdate()), months=-1)
    at = timezone.make_aware(datetime(first.year, first.month, 1))
    return at, at.replace(day=10, hour=12).isoformat(), at.replace(day=20, hour=12).isoformat()


@pytest.fixture
def partner(db):
    _first, brl_at, usd_at = last_month()
    partner, _customer = make_two_currency_partner(brl_at=brl_at, usd_at=usd_at)
    return partner


def test_the_selector_keeps_each_currency_apart(partner):
    assert partner.currency == "USD"
    assert [(b.currency, b.balance, b.accrued) for b in partner_balances(partner)] == [
        ("USD", D("50.0000"), D("50.0000")), ("BRL", D("1000.0000"), D("1000.0000"))]
    assert partner_balance(partner).balance == D("50.0000")  # the payout currency's, not 1050
    assert partner_balance(partner, "BRL").balance == D("1000.0000")
    assert partner_balance(partner, "MXN").balance == D("0.0000")
    assert {key: b.balance for key, b in balances(partner=partner).items()} == {
        (partner.pk, "BRL"): D("1000.0000"), (partner.pk, "USD"): D("50.0000")}


def test_the_balance_api_answers_one_entry_per_currency(partner):
    answer = ApiClient(make_key("partner", partner)).get(f"/partners/{partner.pk}/balance")
    assert answer.status_code == 200
    assert answer.json() == {"partner_id": partner.pk, "payout_currency": "USD", "balances": [
        {"currency": "USD", "balance": "50.0000", "accrued": "50.0000", "clawed_back": "0.0000",
         "adjusted": "0.0000", "paid_out": "0.0000"},
        {"currency": "BRL", "balance": "1000.0000", "accrued": "1000.0000", "clawed_back": "0.0000",
         "adjusted": "0.0000", "paid_out": "0.0000"}]}


def test_a_partner_without_lines_gets_its_payout_currency_at_zero(db):
    partner = make_partner()
    answer = ApiClient(make_key("analytics")).get(f"/partners/{partner.pk}/balance").json()
    assert answer["balances"] == [{"currency": "BRL", "balance": "0.0000", "accrued": "0.0000",
                                   "clawed_back": "0.0000", "adjusted": "0.0000", "paid_out": "0.0000"}]


def values(html: str, element_id: str) -> list[str]:
    card = html[html.index(f'id="{element_id}"'):]
    card = card[:card.index('<div class="card')]
    return re.findall(r'class="value">([^<]*)<', card)


def test_the_portal_dashboard_shows_each_currency_and_a_chart_series_per_currency(partner):
    board = dashboard(partner)
    assert [(f.currency, f.balance, f.earned_this_month) for f in board.figures] == [
        ("USD", D("50.0000"), D("0.0000")), ("BRL", D("1000.0000"), D("0.0000"))]
    assert [(f.currency, f.next_payout.amount, f.next_payout.pays) for f in board.figures] == [
        ("USD", D("50.00"), True), ("BRL", D("1000.00"), True)]
    assert [(s["currency"], s["values"][-2:]) for s in board.chart["series"]] == [
        ("USD", ["50.0000", "0.0000"]), ("BRL", ["1000.0000", "0.0000"])]
    user = user_create(username="two@example.com", email="two@example.com", password=PASSWORD,
                       role="partner_admin", partner=partner, actor=ACTOR)
    html = client_for(user).get("/portal/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert values(html, "available-balance") == ["US$ 50.00", "R$ 1,000.00"]
    assert values(html, "earned-this-month") == ["US$ 0.00", "R$ 0.00"]
    assert values(html, "next-payout") == ["US$ 50.00", "R$ 1,000.00"]
    assert "1,050" not in html
    table = html[html.index('class="chart-table"'):html.index("</table>")]
    assert re.findall(r'<th scope="col"[^>]*>([^<]*)<', table) == ["Month", "USD", "BRL"]
    assert "amounts in different currencies are never added together" in html


def test_the_console_partner_page_shows_each_balance_in_its_currency(partner, analyst):
    html = analyst.get(f"/console/partners/{partner.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    section = html[html.index('id="balance"'):html.index('id="customers"')]
    assert re.findall(r'class="value">([^<]*)<', section) == ["US$ 50.00", "R$ 1,000.00"]  # two decimals on cards
    assert "1,050" not in html


def test_the_statement_totals_each_currency(partner):
    first, _brl_at, _usd_at = last_month()
    totals = statement_for(partner=partner, month=first.date()).totals
    assert [(t.currency, t.opening, t.accrued, t.closing) for t in totals] == [
        ("USD", D("0.0000"), D("50.0000"), D("50.0000")), ("BRL", D("0.0000"), D("1000.0000"), D("1000.0000"))]


def test_after_the_close_the_dashboard_shows_a_pending_payout_per_currency(partner):
    from parceria.payouts.close import payout_due_date, period_close
    from parceria.payouts.models import Payout

    first, _brl_at, _usd_at = last_month()
    plan = period_close(month=first.date(), actor=ACTOR, now=timezone.now())
    assert [(p.currency, p.gross, p.net) for p in plan.payouts] == [
        ("BRL", D("1000.00"), D("1000.00")), ("USD", D("50.00"), D("50.00"))]
    ids = dict(Payout.objects.filter(partner=partner).values_list("currency", "id"))
    assert len(set(ids.values())) == 2
    due = payout_due_date(first.date())
    board = dashboard(partner)
    assert [(f.currency, f.balance, [(p.id, p.net, p.due_date) for p in f.pending]) for f in board.figures] == [
        ("USD", D("0.0000"), [(ids["USD"], D("50.0000"), due)]),
        ("BRL", D("0.0000"), [(ids["BRL"], D("1000.0000"), due)])]
    user = user_create(username="two@example.com", email="two@example.com", password=PASSWORD,
                       role="partner_admin", partner=partner, actor=ACTOR)
    html = client_for(user).get("/portal/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert values(html, "next-payout") == ["US$ 50.00", "R$ 1,000.00"]
    assert html.count("close: payout pending, net of taxes withheld") == 2 and "Carried over" not in html
    answer = ApiClient(make_key("partner", partner)).get(f"/partners/{partner.pk}/balance").json()
    assert [(b["currency"], b["balance"], b["paid_out"]) for b in answer["balances"]] == [
        ("USD", "0.0000", "50.0000"), ("BRL", "0.0000", "1000.0000")]


def test_the_close_api_answers_a_payout_and_a_carried_remainder_per_currency(db):
    """Through the API: 1,000.0050 BRL and 50.0000 USD are paid as 1,000.00 BRL and 50.00 USD, and the 0.0050 BRL
    under one cent is carried in BRL."""
    partner, _customer = make_two_currency_partner()
    posting = Posting(partner.pk, "adjustment", "manual", D("0.0050"), "BRL", None, None, "rounding", "test:rounding")
    ledger_post([(posting, {"occurred_at": at("2026-03-25T12:00:00-03:00")})], created_by="tests")
    answer = ApiClient(make_key("finance")).post("/periods/2026-03/close")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert [(p["partner_id"], p["currency"], p["gross"], p["net"]) for p in body["payouts"]] == [
        (partner.pk, "BRL", "1000.0000", "1000.0000"), (partner.pk, "USD", "50.0000", "50.0000")]
    assert body["carried"] == [{"partner_id": partner.pk, "currency": "BRL", "balance": "0.0050",
                                "reason": "remainder"}]
    assert [(b.currency, b.balance) for b in partner_balances(partner)] == [("USD", D("0")), ("BRL", D("0.0050"))]
