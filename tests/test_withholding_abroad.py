"""Withholding on payouts to partners outside Brazil, per payee country, with the law beside each expected value.

IRRF on remuneration for services (commissions of intermediation) paid to residents abroad, code 0473: 25 % of the
gross (Lei 9.779/1999 art. 7) where no convention applies: the default rule, country "*", for the United States and
every country without rules of its own, and Colombia while its 2022 convention has no effect; nothing for companies
resident in Mexico, Argentina and Chile, whose business profits the conventions leave to their own country (art. 7,
art. VII for Argentina). The tax is computed in the payout's currency and rounded half-even to its minor unit; the
payee bears it (no gross-up). The figures are the shipped data's (payouts/data/withholding.json); every rate and its
[verify] notes are in each rule's legal_basis.
"""

from __future__ import annotations

import importlib
import json
import re
from datetime import date, datetime
from decimal import Decimal as D
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps

from parceria.common.audit import Actor
from parceria.payouts.admin import WithholdingRuleForm
from parceria.payouts.close import period_close
from parceria.payouts.models import Payout, WithholdingRule
from parceria.payouts.selectors import estimated_withheld
from parceria.payouts.withholding import ANY_COUNTRY, rules_in_force
from tests.factories import SP, credit, make_partner
from tests.test_international_payouts import import_march_rates

ACTOR = Actor.system("tests")
MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)
CLOSE_MARCH, CLOSE_APRIL = datetime(2026, 4, 6, 10, tzinfo=SP), datetime(2026, 5, 5, 10, tzinfo=SP)
DATA = Path(__file__).resolve().parent.parent / "src" / "parceria" / "payouts" / "data" / "withholding.json"
SHIPPED = json.loads(DATA.read_text(encoding="utf-8"))["rules"]
NATURE = "remuneração por serviços / comissões de intermediação"


@pytest.fixture
def rates(db):
    import_march_rates()  # the minimum payout for ARS is set in USD and needs a USD→ARS rate


def payout_of(partner, batch_period: date = MARCH) -> Payout:
    return Payout.objects.prefetch_related("withholdings").get(partner=partner, batch__period=batch_period)


def taxes(payout: Payout) -> list[tuple[str, D]]:
    return [(t.code, t.amount) for t in payout.withholdings.all()]


# The close, country by country ------------------------------------------------------------------------------------

# country, balance credited, withheld under 0473 (None: nothing), net, and why
ABROAD = [
    ("MX", "1000.00", None, "1000.00"),  # MXN: Brazil-Mexico convention art. 7, business profits taxed in Mexico only
    ("AR", "250000.00", None, "250000.00"),  # ARS (above the USD 20 minimum at 1,444.40): convention art. VII
    ("CL", "450001", None, "450001"),  # CLP, no minor unit: Brazil-Chile convention art. 7
    ("CO", "900001.01", "225000.25", "675000.76"),  # COP: no convention in force; 25 % × 900,001.01 = 225,000.2525
    ("US", "1000.02", "250.00", "750.02"),  # USD: no treaty, the "*" rule; 25 % × 1,000.02 = 250.005 → half-even 250.00
]


@pytest.mark.parametrize(("country", "balance", "withheld", "net"), ABROAD)
def test_each_payee_country_is_withheld_at_its_rate_to_the_minor_unit(rates, country, balance, withheld, net):
    partner = make_partner(country=country)
    credit(partner, balance)
    period_close(month=MARCH, actor=ACTOR, now=CLOSE_MARCH)
    payout = payout_of(partner)
    assert (payout.gross, payout.net, payout.payment_date) == (D(balance), D(net), date(2026, 4, 6))
    assert taxes(payout) == ([("0473", D(withheld))] if withheld else [])


def test_one_close_pays_every_country_and_records_which_rule_taxed_each(rates):
    partners = {country: make_partner(country=country) for country, *_ in ABROAD}
    for country, balance, *_ in ABROAD:
        credit(partners[country], balance)
    period_close(month=MARCH, actor=ACTOR, now=CLOSE_MARCH)
    nets = {c: (payout_of(p).currency, payout_of(p).net) for c, p in partners.items()}
    assert nets == {"MX": ("MXN", D("1000.00")), "AR": ("ARS", D("250000.00")), "CL": ("CLP", D("450001")),
                    "CO": ("COP", D("675000.76")), "US": ("USD", D("750.02"))}
    us = payout_of(partners["US"]).withholdings.get()
    co = payout_of(partners["CO"]).withholdings.get()
    assert (us.rule.country, us.rule.tax_regime, us.base) == (ANY_COUNTRY, "foreign", D("1000.02"))
    assert co.rule.country == "CO"
    assert us.explanation == (
        "IRRF on commissions paid abroad: countries without rules of their own (default): "
        "25.00% × 1000.02 USD = 250.00 USD")


def test_the_estimate_for_a_partner_abroad_uses_the_default_rule_too(db):
    us, mx = make_partner(country="US"), make_partner(country="MX")
    on = date(2026, 4, 6)
    assert estimated_withheld(us, D("1000.02"), "USD", on=on) == D("250.00")
    assert estimated_withheld(mx, D("1000.00"), "MXN", on=on) == D("0")


# Versions by payment date -----------------------------------------------------------------------------------------

def test_a_new_version_applies_to_payouts_paid_from_its_date(rates):
    """Colombia's convention taking effect (a hypothetical 1 May 2026): the version in force is ended, a rate-0
    version added; March's close (paid 6 April) still withholds 25 %, April's (paid 5 May) nothing."""
    partner = make_partner(country="CO")
    credit(partner, "900001.01", at="2026-03-15T12:00:00-03:00")
    credit(partner, "800000.00", at="2026-04-15T12:00:00-03:00")
    current = WithholdingRule.objects.get(country="CO", code="0473", effective_to__isnull=True)
    new = WithholdingRuleForm(data={
        "code": "0473", "name": "IRRF on commissions paid to Colombia: none (convention, art. 7)", "country": "CO",
        "tax_regime": "foreign", "kind": "flat", "params": json.dumps({"rate": "0", "nature": NATURE}),
        "effective_from": "2026-05-01", "effective_to": "", "minimum_to_withhold": "0",
        "legal_basis": "Convention Brazil-Colombia art. 7 [verify]"})
    assert not new.is_valid() and "overlaps the version from 2018-11-23" in str(new.errors["effective_from"])
    current.effective_to = date(2026, 5, 1)
    current.save()
    new = WithholdingRuleForm(data=new.data)
    assert new.is_valid(), new.errors
    new.save()

    period_close(month=MARCH, actor=ACTOR, now=CLOSE_MARCH)
    period_close(month=APRIL, actor=ACTOR, now=CLOSE_APRIL)
    march, april = payout_of(partner, MARCH), payout_of(partner, APRIL)
    assert (taxes(march), march.net) == ([("0473", D("225000.25"))], D("675000.76"))
    assert (taxes(april), april.net, april.payment_date) == ([], D("800000.00"), date(2026, 5, 5))


# Which rows apply ------------------------------------------------------------------------------------------------

def row(pk: int, country: str, rate: str, start: str, end: str | None = None, code: str = "0473"):
    return SimpleNamespace(pk=pk, code=code, name=f"{country} {rate}", country=country, tax_regime="foreign",
                           kind="flat", params={"rate": rate}, minimum_to_withhold=D(0),
                           effective_from=date.fromisoformat(start),
                           effective_to=date.fromisoformat(end) if end else None)


def rates_for(rows, country: str, on: str) -> list[tuple[str, str]]:
    found = rules_in_force(rows, country=country, tax_regime="foreign", on=date.fromisoformat(on))
    return [(r.code, r.params["rate"]) for r in found]


def test_the_default_applies_only_to_countries_without_a_version_of_their_own_in_force():
    rows = [
        row(1, "*", "0.25", "2018-11-23"),
        row(2, "*", "0.01", "2018-11-23", code="9999"),  # a second default code
        row(3, "MX", "0", "2007-01-01"),
        row(4, "CO", "0.25", "2018-11-23", "2026-05-01"),  # ended, no successor yet
        row(5, "BR", "0.015", "2018-11-23"),
    ]
    assert rates_for(rows, "US", "2026-04-06") == [("0473", "0.25"), ("9999", "0.01")]
    # A country's own versions replace the default as a whole: Mexico gets neither default code.
    assert rates_for(rows, "MX", "2026-04-06") == [("0473", "0")]
    # Colombia's own version applies while in force; once it ends with no successor its payees get the default.
    assert rates_for(rows, "CO", "2026-04-30") == [("0473", "0.25")]
    assert rates_for(rows, "CO", "2026-05-01") == [("0473", "0.25"), ("9999", "0.01")]
    # Other regimes never see a foreign default, nor the default a Brazilian rule.
    assert rules_in_force(rows, country="BR", tax_regime="pj", on=date(2026, 4, 6)) == []
    assert rates_for(rows, "*", "2026-04-06") == [("0473", "0.25"), ("9999", "0.01")]


def test_a_tax_haven_listed_on_its_own_keeps_its_rate_when_the_default_is_lowered():
    """Lei 9.779/1999 art. 8: 25 % for any income of a payee in a jurisdiction of IN RFB 1.037/2010's lists. If the
    default were lowered (the exporters' agents' zero rate, say), the havens are rows of their own."""
    rows = [row(1, "*", "0.25", "2018-11-23", "2026-07-01"), row(2, "*", "0", "2026-07-01"),
            row(3, "KY", "0.25", "2026-07-01")]
    assert rates_for(rows, "KY", "2026-06-30") == [("0473", "0.25")]  # the default, while it is 25 %
    assert rates_for(rows, "KY", "2026-07-01") == [("0473", "0.25")]
    assert rates_for(rows, "US", "2026-07-01") == [("0473", "0")]


@pytest.mark.django_db
@pytest.mark.parametrize(("country", "valid"), [("*", True), ("KY", True), ("ky", False), ("K1", False),
                                                ("**", False)])
def test_the_admin_takes_a_country_code_or_the_default(country, valid):
    form = WithholdingRuleForm(data={
        "code": "9999", "name": "test", "country": country, "tax_regime": "foreign", "kind": "flat",
        "params": '{"rate": "0.25"}', "effective_from": "2026-07-01", "effective_to": "", "minimum_to_withhold": "0",
        "legal_basis": "Lei 9.779/1999 art. 8 [verify]"})
    assert form.is_valid() is valid, form.errors
    if not valid:
        assert "country code" in str(form.errors["country"])


# The shipped data ------------------------------------------------------------------------------------------------

CITED_ARTICLE = re.compile(r"\barts?\. [0-9IVXL]+")


@pytest.mark.parametrize("rule", SHIPPED, ids=lambda r: f"{r['country']}-{r['tax_regime']}-{r['code']}-"
                                                          f"{r['effective_from']}")
def test_every_shipped_rule_cites_an_article_or_says_what_to_verify(rule):
    assert "[verify]" in rule["legal_basis"] or CITED_ARTICLE.search(rule["legal_basis"])


def test_the_rules_abroad_are_flat_rates_on_the_gross_for_the_nature_they_assume():
    abroad = {r["country"]: r for r in SHIPPED if r["tax_regime"] == "foreign"}
    assert {c: (r["code"], r["kind"], r["params"]["rate"], r["minimum_to_withhold"], r["effective_to"])
            for c, r in abroad.items()} == {
        "*": ("0473", "flat", "0.25", "0", None), "MX": ("0473", "flat", "0", "0", None),
        "AR": ("0473", "flat", "0", "0", None), "CL": ("0473", "flat", "0", "0", None),
        "CO": ("0473", "flat", "0.25", "0", None)}
    for rule in abroad.values():
        assert rule["params"]["nature"] == NATURE
        assert "[verify]" in rule["legal_basis"] and CITED_ARTICLE.search(rule["legal_basis"])
        assert NATURE in rule["legal_basis"]


@pytest.mark.django_db
def test_the_migration_loads_the_rules_abroad_once_and_keeps_staff_changes():
    load = importlib.import_module("parceria.payouts.migrations.0011_withholding_abroad").load
    abroad = WithholdingRule.objects.filter(tax_regime="foreign")
    assert sorted(abroad.values_list("country", "effective_from")) == [
        ("*", date(2018, 11, 23)), ("AR", date(2019, 1, 1)), ("CL", date(2004, 1, 1)), ("CO", date(2018, 11, 23)),
        ("MX", date(2007, 1, 1))]
    WithholdingRule.objects.filter(country="MX").update(params={"rate": "0.10", "nature": NATURE})
    WithholdingRule.objects.filter(country="CO").update(legal_basis="edited")
    WithholdingRule.objects.filter(country="CL").delete()
    load(apps, None)
    load(apps, None)
    assert abroad.count() == 5
    assert WithholdingRule.objects.get(country="MX").params["rate"] == "0.10"  # staff's change kept
    assert WithholdingRule.objects.get(country="CO").legal_basis.startswith("No convention with Colombia")
    assert WithholdingRule.objects.get(country="CL").params == {"rate": "0", "nature": NATURE}
