"""Brazilian withholding on payouts, figure by figure, with the law beside each expected value.

The rules are the shipped data (payouts/data/withholding.json), read here without the database so the
table tests the data itself; the close tests read the same rules from the database.

IRRF PF (code 0588): the monthly table applies to the sum of the month's payments by one payer to one
beneficiary, each payment withholding the difference (Lei 7.713/88 art. 7 §1); the base is the gross
less the INSS withheld in the month (Lei 9.250/95 art. 4 IV) or the simplified discount of R$ 607.20
when that is larger (Lei 9.250/95 art. 4 §2); from 2026 the tax is reduced (Lei 15.270/2025) on the
month's taxable income; a month's tax of R$ 10.00 or less is not withheld (Lei 9.430/96 art. 67).
INSS (code inss): 11 % of the month's gross up to the ceiling, R$ 8,475.55 in 2026 and R$ 8,157.41 in
2025 (Lei 8.212/91 arts. 21 and 30 §4; Lei 10.666/2003 art. 4); the company adds its own 20 %
(inss_cpp, Lei 8.212/91 art. 22 III), a cost that is not withheld.
IRRF PJ (code 8045): 1.5 % of each payment (RIR/2018 art. 718), not withheld when the tax on that
payment, rounded half-even to the cent, is R$ 10.00 or less (Lei 9.430/96 art. 67).
"""

from __future__ import annotations

import csv
import importlib
import io
import json
from datetime import date, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.apps import apps
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from parceria.commissions.models import LedgerLine
from parceria.common.audit import Actor
from parceria.payouts.close import close_preview, period_close
from parceria.payouts.close_summary import plan_as_dict
from parceria.payouts.models import Payout, PayoutEmployerContribution, PayoutStatus, WithholdingRule
from parceria.payouts.services import payout_mark
from parceria.payouts.withholding import (
    NOTHING_EARLIER,
    EarlierInMonth,
    Rule,
    compute_withholdings,
    employer_contributions,
)
from tests.factories import SP, credit, make_partner

ACTOR = Actor.system("tests")
DATA = Path(__file__).resolve().parent.parent / "src" / "parceria" / "payouts" / "data" / "withholding.json"
SHIPPED = json.loads(DATA.read_text(encoding="utf-8"))["rules"]
IN_2025, IN_2026 = date(2025, 6, 10), date(2026, 4, 2)


def shipped(regime: str, on: date, codes: tuple[str, ...] | None = None) -> list[Rule]:
    """The shipped rule versions of a regime in force on `on` (optionally only some codes)."""
    rules = []
    for n, r in enumerate(SHIPPED):
        start, end = date.fromisoformat(r["effective_from"]), r["effective_to"]
        in_force = start <= on and (end is None or on < date.fromisoformat(end))
        if r["tax_regime"] == regime and in_force and (codes is None or r["code"] in codes):
            rules.append(Rule(n, r["code"], r["name"], r["kind"], r["params"], D(r["minimum_to_withhold"])))
    return sorted(rules, key=lambda r: r.code)


def taxes(rules: list[Rule], gross: str, earlier: EarlierInMonth = NOTHING_EARLIER) -> dict[str, D]:
    return {line.code: line.amount for line in compute_withholdings(rules, D(gross), "BRL", earlier)}


# IRRF PF and INSS, one payment in the month ------------------------------------------------------------

PF_2026 = [
    # gross, {code: amount}: the law and the arithmetic
    ("5000.00", {"inss": "550.00"}),
    # INSS 11 % × 5,000.00 = 550.00; simplified 607.20 > 550.00: base 4,392.80 → 22.5 % − 675.49 = 312.89,
    # reduced by up to 312.89 to zero for income ≤ 5,000.00 (Lei 15.270/2025)
    ("5000.01", {"inss": "550.00"}),
    # base 4,392.81 → 312.89225; reduction 978.62 − 0.133145 × 5,000.01 = 312.89367 ≥ the tax → 0.00
    # (without the simplified discount the tax was 153.38)
    ("5520.00", {"0588": "198.63", "inss": "607.20"}),
    # INSS 607.20 = the simplified discount; base 4,912.80 → 27.5 % − 908.73 = 442.29;
    # reduction 978.62 − 0.133145 × 5,520.00 = 243.6596 → 198.6304 → 198.63
    ("6000.00", {"0588": "380.02", "inss": "660.00"}),
    # INSS 660.00 > 607.20, so the legal deduction (art. 4 IV): base 5,340.00 → 559.77 − 179.75 = 380.02
    ("7000.00", {"0588": "757.92", "inss": "770.00"}),
    # base 6,230.00 → 804.52 − (978.62 − 932.015 = 46.605) = 757.915 → 757.92 (half-even)
    ("7350.00", {"0588": "890.18", "inss": "808.50"}),
    # last income with a reduction: base 6,541.50 → 890.1825 − 0.00425 = 890.17825 → 890.18
    ("7350.01", {"0588": "890.19", "inss": "808.50"}),
    # no reduction above 7,350.00: INSS 808.5011 → 808.50; base 6,541.51 → 890.18525 → 890.19
    ("8475.55", {"0588": "1165.66", "inss": "932.31"}),
    # at the INSS ceiling: 11 % × 8,475.55 = 932.3105 → 932.31; base 7,543.24 → 2,074.391 − 908.73 = 1,165.661
    ("9000.00", {"0588": "1309.88", "inss": "932.31"}),
    # above the ceiling INSS stays 932.31; base 8,067.69 → 2,218.61475 − 908.73 = 1,309.88475 → 1,309.88
    ("20000.00", {"0588": "4334.88", "inss": "932.31"}),
    # base 19,067.69 → 5,243.61475 − 908.73 = 4,334.88475 → 4,334.88
]


@pytest.mark.parametrize(("gross", "expected"), PF_2026)
def test_pf_2026_irrf_and_inss_on_one_payment(gross, expected):
    assert taxes(shipped("pf", IN_2026), gross) == {code: D(amount) for code, amount in expected.items()}


@pytest.mark.parametrize(("gross", "irrf"), [
    ("5000.00", None),  # 5,000.00 − 607.20 = 4,392.80 → 312.89, reduced to zero (Lei 15.270/2025)
    ("5000.01", None),  # was 153.38 without the simplified discount (Lei 9.250/95 art. 4 §2)
    ("6000.00", "394.54"),  # base 5,392.80 → 574.29 − 179.75 = 394.54 (the reference's worked figure)
    ("7350.00", "945.54"),  # base 6,742.80 → 945.54 − 0.00425 = 945.53575 → 945.54
    ("8000.00", "1124.29"),  # base 7,392.80 → 2,033.02 − 908.73
    ("20000.00", "4424.29"),  # base 19,392.80 → 5,333.02 − 908.73
])
def test_pf_2026_irrf_alone_uses_the_simplified_discount(gross, irrf):
    """With no INSS withheld (the rule ended for a payee who contributes elsewhere) the simplified discount
    of 607.20 is the deduction."""
    assert taxes(shipped("pf", IN_2026, ("0588",)), gross) == ({"0588": D(irrf)} if irrf else {})


@pytest.mark.parametrize(("gross", "expected"), [
    ("3036.00", {}),  # 3,036.00 − 607.20 = 2,428.80: the top of the zero bracket, exempt
    ("3100.00", {}),  # base 2,492.80 → 7.5 % − 182.16 = 4.80 ≤ R$ 10.00: not withheld (Lei 9.430/96 art. 67)
    ("3200.00", {"0588": "12.30"}),  # base 2,592.80 → 194.46 − 182.16 = 12.30 > R$ 10.00
    ("5000.01", {"0588": "312.89"}),  # no reduction before 2026: base 4,392.81 → 312.89225
])
def test_pf_2025_irrf_alone(gross, expected):
    assert taxes(shipped("pf", IN_2025, ("0588",)), gross) == {code: D(a) for code, a in expected.items()}


def test_pf_2025_inss_ceiling():
    # 2025 ceiling 8,157.41: 11 % = 897.3151 → 897.32; base 9,000.00 − 897.32 = 8,102.68 → 2,228.237 − 908.73
    assert taxes(shipped("pf", IN_2025), "9000.00") == {"0588": D("1319.51"), "inss": D("897.32")}


# Two payments in one month --------------------------------------------------------------------------------

def test_a_second_payment_in_the_month_withholds_the_tax_on_the_total_less_what_was_withheld():
    rules = shipped("pf", IN_2026)
    first = compute_withholdings(rules, D("4000.00"), "BRL")
    # INSS 440.00; IRRF: base 4,000.00 − 607.20 = 3,392.80 → 114.76, reduced to zero (income ≤ 5,000.00)
    assert {t.code: t.amount for t in first} == {"inss": D("440.00")}
    earlier = NOTHING_EARLIER.plus(D("4000.00"), first)
    second = taxes(rules, "4000.00", earlier)
    # the month: 8,000.00; INSS 880.00 − 440.00; IRRF base 8,000.00 − 880.00 = 7,120.00 → 1,958.00 − 908.73
    # = 1,049.27 (no reduction above 7,350.00) − 0.00 withheld before (Lei 7.713/88 art. 7 §1)
    assert second == {"0588": D("1049.27"), "inss": D("440.00")}
    assert taxes(rules, "8000.00") == {"0588": D("1049.27"), "inss": D("880.00")}  # the same as one payment


def test_inss_ceiling_applies_to_the_month():
    rules = shipped("pf", IN_2026, ("inss",))
    assert taxes(rules, "5000.00") == {"inss": D("550.00")}  # below the ceiling: 11 %
    assert taxes(rules, "8475.55") == {"inss": D("932.31")}  # at the ceiling
    assert taxes(rules, "8475.56") == {"inss": D("932.31")}  # above it: the ceiling's 11 %
    earlier = NOTHING_EARLIER.plus(D("5000.00"), compute_withholdings(rules, D("5000.00"), "BRL"))
    assert taxes(rules, "5000.00", earlier) == {"inss": D("382.31")}  # 932.31 − 550.00: the ceiling is monthly
    full = NOTHING_EARLIER.plus(D("9000.00"), compute_withholdings(rules, D("9000.00"), "BRL"))
    assert taxes(rules, "1000.00", full) == {}  # the month already reached the ceiling


def test_a_month_tax_of_ten_reais_or_less_is_withheld_in_full_by_the_payment_that_passes_it():
    rules = shipped("pf", IN_2025, ("0588",))
    first = compute_withholdings(rules, D("3100.00"), "BRL")
    assert first == []  # 4.80 ≤ R$ 10.00 (Lei 9.430/96 art. 67)
    # month 3,200.00: 12.30 > R$ 10.00, withheld in full by the second payment
    assert taxes(rules, "100.00", NOTHING_EARLIER.plus(D("3100.00"), first)) == {"0588": D("12.30")}


def test_a_payout_never_withholds_more_than_its_gross():
    rules = shipped("pf", IN_2025, ("0588",))
    assert compute_withholdings(rules, D("3166.00"), "BRL") == []  # base 2,558.80 → 9.75 ≤ R$ 10.00
    earlier = NOTHING_EARLIER.plus(D("3166.00"), [])
    lines = compute_withholdings(rules, D("5.00"), "BRL", earlier)
    # the month's tax on 3,171.00: base 2,563.80 → 10.125 → 10.12 > 10.00; the payout has only 5.00
    assert [(t.code, t.amount) for t in lines] == [("0588", D("5.00"))]
    assert "limited to what is left of the payout" in lines[0].explanation


def test_a_month_whose_tax_fell_withholds_nothing_rather_than_refunding():
    rules = shipped("pf", IN_2026, ("0588",))
    earlier = EarlierInMonth(D("1000.00"), {"0588": D("500.00")})
    assert taxes(rules, "1000.00", earlier) == {}


# PJ: the R$ 10.00 minimum and its rounding ------------------------------------------------------------

@pytest.mark.parametrize(("gross", "irrf"), [
    ("666.66", None),  # 1.5 % = 9.9999 → 10.00 ≤ R$ 10.00: not withheld
    ("667.00", None),  # 10.005 → 10.00 (half-even; half-up would give 10.01) ≤ R$ 10.00: not withheld
    ("667.01", "10.01"),  # 10.00515 → 10.01 > R$ 10.00: withheld
    ("667.34", "10.01"),  # 10.0101 → 10.01: withheld
    ("1000.00", "15.00"),
])
def test_pj_ten_reais_minimum_compares_the_tax_rounded_to_the_cent(gross, irrf):
    assert taxes(shipped("pj", IN_2026), gross) == ({"8045": D(irrf)} if irrf else {})


def test_pj_payments_stand_alone_in_the_month():
    """Each payment to a company is its own taxable event (SC SRRF 38/2013): a second 600.00 in the month
    (9.00 each) is not withheld either, and nothing is carried."""
    rules = shipped("pj", IN_2026)
    earlier = NOTHING_EARLIER.plus(D("600.00"), [])
    assert taxes(rules, "600.00", earlier) == {}


# The property: any split of a month's gross withholds the tax on the total ------------------------------

amounts = st.decimals(min_value=D("0.01"), max_value=D("15000.00"), places=2)
RULE_SETS = {
    "pf 2026": shipped("pf", IN_2026),
    "pf 2025": shipped("pf", IN_2025),
    "pf 2026 IRRF alone": shipped("pf", IN_2026, ("0588",)),
}


@settings(max_examples=300, deadline=None)
@given(split=st.lists(amounts, min_size=1, max_size=5), rules=st.sampled_from(sorted(RULE_SETS)))
def test_any_split_of_a_months_gross_withholds_the_tax_on_the_total(split, rules):
    chosen = RULE_SETS[rules]
    earlier = NOTHING_EARLIER
    nets = []
    for gross in split:
        lines = compute_withholdings(chosen, gross, "BRL", earlier)
        contributions = employer_contributions(chosen, gross, "BRL", earlier)
        nets.append(gross - sum((t.amount for t in lines), D(0)))
        earlier = earlier.plus(gross, lines, contributions)
    assume(all(net > 0 for net in nets))  # a payout that could not bear its share leaves it to the next one
    total = sum(split, D(0))
    assert dict(earlier.withheld) == taxes(chosen, str(total))
    assert dict(earlier.contributed) == {c.code: c.amount for c in employer_contributions(chosen, total, "BRL")}


# Through the close: the month's earlier payouts come from the database --------------------------------

def close(month: date, on: datetime):
    return period_close(month=month, actor=ACTOR, now=on)


@pytest.mark.django_db
def test_two_closes_paid_the_same_day_are_taxed_on_their_total():
    partner = make_partner(tax_regime="pf")
    credit(partner, "4000.00", at="2026-02-15T12:00:00-03:00")
    first = close(date(2026, 2, 1), datetime(2026, 4, 2, 9, 0, tzinfo=SP)).payouts[0]
    credit(partner, "4000.00", at="2026-03-15T12:00:00-03:00")
    second = close(date(2026, 3, 1), datetime(2026, 4, 2, 10, 0, tzinfo=SP)).payouts[0]
    assert [(t.code, t.amount) for t in first.withholdings] == [("inss", D("440.00"))]
    # the month of 2 April: 8,000.00 → IRRF 1,049.27 and INSS 880.00, less the first payout's 0.00 and 440.00
    assert [(t.code, t.amount) for t in second.withholdings] == [("0588", D("1049.27")), ("inss", D("440.00"))]
    assert second.net == D("2510.73")
    stored = Payout.objects.get(batch__period=date(2026, 3, 1))
    assert (stored.payment_date, stored.net) == (date(2026, 4, 2), D("2510.73"))
    assert sorted(stored.withholdings.values_list("code", "amount")) == [("0588", D("1049.27")), ("inss", D("440.00"))]


@pytest.mark.django_db
def test_payouts_of_different_months_are_taxed_apart():
    partner = make_partner(tax_regime="pf")
    credit(partner, "4000.00", at="2026-02-15T12:00:00-03:00")
    close(date(2026, 2, 1), datetime(2026, 3, 31, 23, 0, tzinfo=SP))  # paid in March
    credit(partner, "4000.00", at="2026-03-15T12:00:00-03:00")
    (second,) = close(date(2026, 3, 1), datetime(2026, 4, 1, 9, 0, tzinfo=SP)).payouts  # paid in April
    assert [(t.code, t.amount) for t in second.withholdings] == [("inss", D("440.00"))]


@pytest.mark.django_db
def test_a_failed_payout_of_the_month_is_not_summed():
    partner = make_partner(tax_regime="pf")
    credit(partner, "6000.00", at="2026-02-15T12:00:00-03:00")
    close(date(2026, 2, 1), datetime(2026, 4, 2, 9, 0, tzinfo=SP))
    failed = Payout.objects.get(partner=partner)
    payout_mark(payout=failed, status=PayoutStatus.FAILED, source="tests", actor=ACTOR,
                now=datetime(2026, 4, 3, 9, 0, tzinfo=SP))
    credit(partner, "4000.00", at="2026-03-15T12:00:00-03:00")
    (second,) = close(date(2026, 3, 1), datetime(2026, 4, 4, 9, 0, tzinfo=SP)).payouts
    # 4,000.00 alone: the failed 6,000.00 was never paid (its gross went back on the balance, in April)
    assert [(t.code, t.amount) for t in second.withholdings] == [("inss", D("440.00"))]
    assert LedgerLine.objects.filter(partner=partner, kind="payout_reversal", period=date(2026, 4, 1)).count() == 1


@pytest.mark.django_db
def test_the_preview_sums_the_months_earlier_payouts_too():
    partner = make_partner(tax_regime="pf")
    credit(partner, "4000.00", at="2026-02-15T12:00:00-03:00")
    close(date(2026, 2, 1), datetime(2026, 4, 2, 9, 0, tzinfo=SP))
    credit(partner, "5000.00", at="2026-03-15T12:00:00-03:00")
    (payout,) = close_preview(month=date(2026, 3, 1), today=date(2026, 4, 2)).payouts
    # month 9,000.00: INSS 932.31 − 440.00; IRRF 1,309.88 (as one payment of 9,000.00) − 0.00
    assert {t.code: t.amount for t in payout.withholdings} == {"0588": D("1309.88"), "inss": D("492.31")}


@pytest.mark.django_db
def test_the_close_summary_reports_taxes_by_code_and_the_company_contribution():
    pf, pj = make_partner(tax_regime="pf"), make_partner(tax_regime="pj")
    credit(pf, "6000.00", at="2026-03-15T12:00:00-03:00")
    credit(pj, "1000.00", at="2026-03-15T12:00:00-03:00")
    plan = close(date(2026, 3, 1), datetime(2026, 4, 2, 9, 0, tzinfo=SP))
    answer = plan_as_dict(plan)
    # the company's 20 % on the individual's 6,000.00 (Lei 8.212/91 art. 22 III): a cost, not withheld
    assert answer["totals"] == [{
        "currency": "BRL", "payouts": 2, "gross": "7000.0000",
        "withheld": [{"code": "0588", "amount": "380.0200"}, {"code": "8045", "amount": "15.0000"},
                     {"code": "inss", "amount": "660.0000"}],
        "net": "5944.9800",  # 4,959.98 + 985.00
        "employer_contributions": [{"code": "inss_cpp", "amount": "1200.0000"}],
    }]
    assert answer["payment_date"] == "2026-04-02"
    pf_payout = Payout.objects.get(partner=pf)
    assert pf_payout.net == D("4959.98")  # 6,000.00 − 380.02 − 660.00: the contribution is not taken from it
    assert list(PayoutEmployerContribution.objects.values_list("payout_id", "code", "amount")) == [
        (pf_payout.pk, "inss_cpp", D("1200.00"))]
    again = plan_as_dict(close(date(2026, 3, 1), datetime(2026, 4, 3, 9, 0, tzinfo=SP)))  # the stored close
    assert again["totals"] == answer["totals"] and again["payment_date"] == "2026-04-02"


# Where the figures are shown -----------------------------------------------------------------------------

@pytest.fixture
def pf_payout(db):
    partner = make_partner(tax_regime="pf", legal_name="Maria Pessoa")
    credit(partner, "6000.00", at="2026-03-15T12:00:00-03:00")
    close(date(2026, 3, 1), datetime(2026, 4, 2, 9, 0, tzinfo=SP))
    return Payout.objects.get(partner=partner)


def test_the_api_lists_inss_with_the_payout(pf_payout, api_client_for):
    api = api_client_for("finance")
    (item,) = api.get("/payouts", partner_id=pf_payout.partner_id).json()["items"]
    assert item["withholdings"] == [{"code": "0588", "amount": "380.0200"}, {"code": "inss", "amount": "660.0000"}]
    assert item["net"] == "4959.9800"
    preview = api.get("/periods/2026-03/close-preview").json()
    assert preview["totals"][0]["employer_contributions"] == [{"code": "inss_cpp", "amount": "1200.0000"}]


def test_the_console_shows_inss_and_the_company_contribution(pf_payout, finance):
    html = finance.get(f"/console/batches/{pf_payout.batch_id}/").content.decode()
    assert "inss: R$ 660.00" in html and "0588: R$ 380.02" in html
    assert "company contributions, a cost not withheld" in html and "inss_cpp: R$ 1,200.00" in html


def test_the_console_preview_shows_the_company_contribution(finance):
    partner = make_partner(tax_regime="pf")
    credit(partner, "6000.00", at="2026-03-15T12:00:00-03:00")
    html = finance.get("/console/close/2026-03/").content.decode()
    assert "inss: R$ 660.00" in html and "inss_cpp: R$ 1,200.00" in html and "R$ 4,959.98" in html


def test_the_portal_payout_page_shows_inss(pf_payout):
    from parceria.accounts.services import user_create
    from tests.portal.conftest import PASSWORD, client_for

    user = user_create(username="maria@example.com", email="maria@example.com", password=PASSWORD,
                       role="partner_admin", partner=pf_payout.partner, actor=ACTOR)
    html = client_for(user).get("/portal/payouts/").content.decode()
    assert "(code inss)" in html and "R$ 660.00" in html


def test_the_statement_csv_shows_inss(pf_payout):
    from parceria.payouts.statements import statement_csv, statement_for

    text = statement_csv(statement_for(partner=pf_payout.partner, month=date(2026, 3, 1)))
    rows = [row for row in csv.reader(io.StringIO(text)) if row[1].startswith("payout_")]
    n = pf_payout.pk
    assert rows == [
        ["2026-04-02", "payout_withholding", "0588", "", "", "", "", "5340.0000", "380.0200", "BRL",
         f"Payout #{n}: IRRF monthly progressive table, individuals (PF), with the 2026 reduction"],
        ["2026-04-02", "payout_withholding", "inss", "", "", "", "", "6000.0000", "660.0000", "BRL",
         f"Payout #{n}: INSS withheld from individuals (contribuinte individual), 11% up to the ceiling"],
        ["2026-04-02", "payout_net", "", "", "", "", "", "", "4959.9800", "BRL",
         f"Payout #{n}: gross 6000.0000 less the taxes withheld, sent to the payee"],
    ]


def test_the_statement_pdf_shows_inss(pf_payout):
    from parceria.payouts.statements import statement_for, statement_pdf
    from tests.test_statements import _pdf_text

    text = _pdf_text(statement_pdf(statement_for(partner=pf_payout.partner, month=date(2026, 3, 1))))
    assert "inss" in text and "R$ 660,00" in text and "R$ 380,02" in text


# Installed data --------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_database_holds_the_shipped_rules():
    rows = WithholdingRule.objects.order_by("tax_regime", "code", "effective_from")
    assert [(r.tax_regime, r.code, r.kind, str(r.effective_from), r.minimum_to_withhold) for r in rows] == [
        ("foreign", "0473", "flat", "2004-01-01", D("0")),  # CL (tests/test_withholding_abroad.py)
        ("foreign", "0473", "flat", "2007-01-01", D("0")),  # MX
        ("foreign", "0473", "flat", "2018-11-23", D("0")),  # * and CO
        ("foreign", "0473", "flat", "2018-11-23", D("0")),
        ("foreign", "0473", "flat", "2019-01-01", D("0")),  # AR
        ("pf", "0588", "progressive", "2025-05-01", D("10.00")),
        ("pf", "0588", "progressive", "2026-01-01", D("10.00")),
        ("pf", "inss", "capped", "2025-01-01", D("0")),
        ("pf", "inss", "capped", "2026-01-01", D("0")),
        ("pj", "8045", "flat", "2018-11-23", D("10.00")),
    ]


@pytest.mark.django_db
def test_the_migration_updates_unchanged_shipped_versions_and_keeps_staff_changes():
    sync = importlib.import_module("parceria.payouts.migrations.0006_withholding_monthly_rules_and_inss").sync
    pj = WithholdingRule.objects.get(code="8045")
    WithholdingRule.objects.filter(pk=pj.pk).update(params={"rate": "0.015", "minimum_tax": "10.00"},
                                                    minimum_to_withhold=0)
    pf = WithholdingRule.objects.get(code="0588", effective_from=date(2026, 1, 1))
    first = importlib.import_module("parceria.payouts.migrations.0006_withholding_monthly_rules_and_inss")
    WithholdingRule.objects.filter(pk=pf.pk).update(params=first.FIRST_SHIPPED[("BR", "pf", "0588", "2026-01-01")])
    staff = WithholdingRule.objects.get(code="0588", effective_from=date(2025, 5, 1))
    WithholdingRule.objects.filter(pk=staff.pk).update(params={"brackets": [{"up_to": None, "rate": "0.1",
                                                                             "deduction": "0"}]})
    WithholdingRule.objects.filter(code="inss", effective_from=date(2026, 1, 1)).delete()
    sync(apps, None)
    pj.refresh_from_db()
    pf.refresh_from_db()
    staff.refresh_from_db()
    assert (pj.params, pj.minimum_to_withhold) == ({"rate": "0.015"}, D("10.00"))
    assert pf.params["deductions"] == {"simplified": "607.20", "withheld": ["inss"]}
    assert staff.params == {"brackets": [{"up_to": None, "rate": "0.1", "deduction": "0"}]}
    assert WithholdingRule.objects.get(code="inss", effective_from=date(2026, 1, 1)).params["ceiling"] == "8475.55"


@pytest.mark.django_db
def test_the_close_command_prints_taxes_by_code_and_the_company_contribution():
    from django.core.management import call_command

    partner = make_partner(tax_regime="pf")
    credit(partner, "6000.00", at="2026-03-15T12:00:00-03:00")
    out = io.StringIO()
    call_command("close", "2026-03", "--preview", stdout=out)
    assert ("BRL: would pay 1 partners, gross 6000.00, withheld 0588 380.02, inss 660.00, net 4959.98; "
            "company contributions (not withheld) inss_cpp 1200.00") in out.getvalue()
