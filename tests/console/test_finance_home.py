"""The console's overview for finance: what is owed per currency (never added across currencies), this month's
accruals and clawbacks, the next close due, batches by stage and the 12-month chart, each figure exact to the cent
and linked to the list behind it, in a constant number of queries."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parceria.commissions.engine import Posting
from parceria.commissions.ledger import ledger_post
from parceria.common.months import add_months, month_start
from parceria.console.selectors import finance_overview
from parceria.payouts.close import close_due
from tests.console.conftest import close_march
from tests.factories import credit, make_partner

D = Decimal


def post(partner, kind: str, amount: str, *, at: datetime | None = None) -> None:
    """An accrual or clawback line of `amount` (signed) in the partner's currency, dated now by default."""
    when = at or timezone.now() - timedelta(minutes=5)
    posting = Posting(partner.pk, kind, "referral", D(amount), partner.currency, None, None, f"test {kind}",
                      f"test-{kind}:{partner.pk}:{amount}:{when.isoformat()}")
    ledger_post([(posting, {"occurred_at": when})], created_by="tests")


@pytest.fixture
def world(db):
    """March closed: two BRL payouts (1,000.00 and 250.12, a 0.0034 remainder) and one USD payout (40.50), all
    pending and late; then this month an accrual of 120.5060 and a clawback of 20.2575 BRL, an accrual of 7.1234
    USD, and a partner whose balance is −30.00 BRL."""
    aurora = make_partner(name="Aurora", pix_key_type="email", pix_key="fin@aurora.com.br")
    boreal = make_partner(name="Boreal", tax_regime="pj_simples")
    yankee = make_partner(name="Yankee Partners", country="US")
    negative = make_partner(name="Negativa")
    credit(aurora, "1000.00")
    credit(boreal, "250.1234")
    credit(yankee, "40.50")
    batch = close_march()
    post(aurora, "accrual", "120.5060")
    post(aurora, "clawback", "-20.2575")
    post(yankee, "accrual", "7.1234")
    credit(negative, "-30.00", at=timezone.now() - timedelta(minutes=5))
    return {"batch": batch, "aurora": aurora, "yankee": yankee, "negative": negative}


def test_the_figures_per_currency_to_the_cent(world):
    overview = finance_overview()
    brl, usd = overview.liabilities
    assert (brl.currency, brl.balances, brl.balances_partners) == ("BRL", D("100.2519"), 2)  # 100.2485 + 0.0034
    assert (brl.pending, brl.pending_payouts, brl.late, brl.late_payouts) == (D("1250.12"), 2, D("1250.12"), 2)
    assert (brl.owed, brl.negative, brl.negative_partners) == (D("1350.3719"), D("-30.0000"), 1)
    assert (usd.currency, usd.balances, usd.pending, usd.owed) == ("USD", D("7.1234"), D("40.50"), D("47.6234"))
    month = month_start(timezone.localdate())
    assert overview.month == month
    (brl_month, usd_month) = overview.this_month
    assert (brl_month.currency, brl_month.accrued, brl_month.accruals) == ("BRL", D("120.5060"), 1)
    assert (brl_month.clawed_back, brl_month.clawbacks) == (D("20.2575"), 1)
    assert (usd_month.currency, usd_month.accrued, usd_month.clawed_back) == ("USD", D("7.1234"), D("0.0000"))
    assert overview.batch_stages == {"awaiting_approval": 1, "approved": 0, "sent": 0, "settled": 0}
    assert overview.close.month == date(2026, 4, 1) and overview.close.ready
    assert (overview.close.closable_from, overview.close.payouts_due) == (date(2026, 5, 1), date(2026, 5, 30))
    labels = [f"{add_months(month, months=-i):%Y-%m}" for i in range(11, -1, -1)]
    assert overview.chart["labels"] == labels
    assert overview.chart["series"] == [
        {"currency": "BRL", "accrued": ["0.0000"] * 11 + ["120.5060"], "clawed_back": ["0.0000"] * 11 + ["-20.2575"]},
        {"currency": "USD", "accrued": ["0.0000"] * 11 + ["7.1234"], "clawed_back": ["0.0000"] * 12},
    ]


def test_the_page_shows_each_figure_and_links_it_to_its_list(world, finance):
    html = finance.get("/console/").content.decode()
    month = f"{timezone.localdate():%Y-%m}"
    owed = html.split('id="owed"')[1].split('id="this-month"')[0]
    assert '<div class="value">R$ 1,350.37</div>' in owed and '<div class="value">US$ 47.62</div>' in owed
    assert ('<a href="/console/balances/?currency=BRL">R$ 100.25 in balances of 2 partners</a>' in owed)
    assert ('<a href="/console/payouts/?status=pending&amp;currency=BRL">R$ 1,250.12 in 2 payouts awaiting the bank'
            '</a>') in owed
    assert ('<a href="/console/payouts/?late=on&amp;currency=BRL">R$ 1,250.12 late: 2 payouts past their due date'
            '</a>') in owed
    assert ('<a href="/console/balances/?currency=BRL&amp;sign=negative">1 partner owes back -R$ 30.00 (not netted)'
            '</a>') in owed
    assert '<a href="/console/payouts/?status=pending&amp;currency=USD">US$ 40.50 in 1 payout awaiting the bank</a>' \
        in owed
    this_month = html.split('id="this-month"')[1].split('id="next-close"')[0]
    assert (f'<a href="/console/ledger/?kind=accrual&amp;currency=BRL&amp;month={month}">R$ 120.51</a>'
            in this_month)
    assert (f'<a href="/console/ledger/?kind=clawback&amp;currency=BRL&amp;month={month}">R$ 20.26 clawed back in 1 '
            'line</a>') in this_month
    assert f'?kind=accrual&amp;currency=USD&amp;month={month}">US$ 7.12</a>' in this_month
    close = html.split('id="next-close"')[1].split('id="batches"')[0]
    assert '<a href="/console/close/2026-04/">April 2026</a>' in close
    assert f"{close_due().waiting} ended months are not closed" in close
    assert '<a href="/console/close/?stage=awaiting_approval"><span class="count">1</span> awaiting approval</a>' \
        in html
    chart = json.loads(html.split('<script id="finance-data" type="application/json">')[1].split("</script>")[0])
    assert chart["series"][0]["accrued"][-1] == "120.5060"

    # the lists behind the figures show the same amounts
    balances = finance.get("/console/balances/", {"currency": "BRL"}).content.decode()
    assert "R$ 100.25</strong> (2 partners)" in balances and "Aurora" in balances and "Negativa" not in balances
    negative = finance.get("/console/balances/", {"currency": "BRL", "sign": "negative"}).content.decode()
    assert "-R$ 30.00</strong> (1 partner)" in negative and "Negativa" in negative
    ledger = finance.get("/console/ledger/", {"kind": "accrual", "currency": "BRL", "month": month}).content.decode()
    assert "Total of the lines shown: <strong>R$ 120.51</strong>" in ledger
    payouts = finance.get("/console/payouts/", {"status": "pending", "currency": "BRL"}).content.decode()
    assert payouts.count("<tr><td>") == 2 and "US$" not in payouts.split("<tbody>")[1]
    stage = finance.get("/console/close/", {"stage": "awaiting_approval"}).content.decode()
    assert "March 2026" in stage
    assert "March 2026" not in finance.get("/console/close/", {"stage": "settled"}).content.decode()


def add_program(count: int) -> None:
    for n in range(count):
        partner = make_partner(name=f"Programa {n}", country="US" if n % 3 == 0 else "BR")
        credit(partner, "150.00", at="2026-02-10T12:00:00-03:00")
        post(partner, "accrual", "10.0000")
        post(partner, "clawback", "-1.0000")
        post(partner, "accrual", "3.0000", at=datetime(2026, 1, 5, 12, tzinfo=timezone.get_current_timezone()))


def test_the_overview_makes_a_constant_number_of_queries(db, finance, django_assert_num_queries):
    add_program(3)
    close_march()
    with CaptureQueriesContext(connection) as small:
        assert finance.get("/console/").status_code == 200
    add_program(30)
    assert finance_overview().liabilities[0].balances_partners == 33 - 11
    with django_assert_num_queries(len(small.captured_queries)):
        assert finance.get("/console/").status_code == 200
    assert len(small.captured_queries) == 23
