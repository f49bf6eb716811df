"""The ranking of partners for a lead: exact points per reason for a small set of partners, exclusivity first, the
tie break, the weights as settings, and the partners excluded by a conflict (with the reason staff read)."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from stdnum.br import cnpj

from parceria.agreements.services import exclusivity_grant
from parceria.deals.models import Opportunity
from parceria.deals.services import deal_convert, deal_register
from parceria.leads.models import Lead
from parceria.leads.routing import REASONS, _reasons, comparable, rank_partners, region_keys, routing_weights
from parceria.leads.services import lead_offer
from parceria.partners.models import Partner
from tests.agreements.helpers import make_agreement
from tests.factories import ACTOR, make_customer, make_partner
from tests.leads.helpers import LEAD_CNPJ, ROOT, make_lead, other_company

pytestmark = pytest.mark.django_db


def points(candidate) -> dict[str, str]:
    return {r.key: str(r.points) for r in candidate.reasons}


@pytest.fixture
def field():
    """Five active partners and two that are not; B has 3 approved registrations, 1 of them converted; D holds an
    exclusive territory BR-SP."""
    a = make_partner(name="A Strategic Retail SP", tier="strategic", verticals=["retail"], territories=["SP"])
    b = make_partner(name="B Preferred Retail RJ", tier="preferred", verticals=["Retail"], territories=["RJ"])
    for n in range(3):
        registration = deal_register(partner=b, fields=other_company(n), actor=ACTOR)
    deal_convert(registration=registration, actor=ACTOR)
    c = make_partner(name="C Certified Mexico", country="MX", tier="certified", verticals=["healthcare"],
                     territories=["Jalisco"])
    d = make_partner(name="D Exclusive SP", verticals=[], territories=[])
    exclusivity_grant(agreement=make_agreement(d), kind="territory_exclusivity", value="BR-SP", actor=ACTOR)
    e = make_partner(name="E Same as A", tier="strategic", verticals=["retail"], territories=["SP"])
    make_partner(name="Prospect", status="prospect", tier="strategic", verticals=["retail"], territories=["SP"])
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_every_reason_has_its_weight_and_exact_points(field):
    ranking = rank_partners(make_lead())

    by_name = {c.partner.name[0]: c for c in ranking.candidates}
    assert [c.partner.name[0] for c in ranking.candidates] == ["D", "A", "E", "B", "C"]
    assert points(by_name["A"]) == {"exclusivity": "0.00", "vertical": "30.00", "region": "25.00", "tier": "15.00",
                                    "capacity": "15.00", "conversion": "0.00"}
    assert by_name["A"].points == Decimal("85.00")
    # B: Retail matches retail; same country, not its territory (0.5); preferred 2/3; 2 open of 10; 1 of 3 converted
    assert points(by_name["B"]) == {"exclusivity": "0.00", "vertical": "30.00", "region": "12.50", "tier": "10.00",
                                    "capacity": "12.00", "conversion": "5.00"}
    assert (by_name["B"].points, by_name["B"].open_deals) == (Decimal("69.50"), 2)
    assert points(by_name["C"]) == {"exclusivity": "0.00", "vertical": "0.00", "region": "0.00", "tier": "5.00",
                                    "capacity": "15.00", "conversion": "0.00"}
    assert by_name["C"].points == Decimal("20.00")
    # D has fewer points than A and E but holds the exclusive territory: it comes first
    assert points(by_name["D"]) == {"exclusivity": "50.00", "vertical": "0.00", "region": "12.50", "tier": "0.00",
                                    "capacity": "15.00", "conversion": "0.00"}
    assert (by_name["D"].points, by_name["D"].exclusive) == (Decimal("77.50"), True)
    assert [(r.key, r.weight) for r in by_name["D"].reasons] == [
        ("exclusivity", Decimal(50)), ("vertical", Decimal(30)), ("region", Decimal(25)), ("tier", Decimal(15)),
        ("capacity", Decimal(15)), ("conversion", Decimal(15))]
    assert by_name["D"].reasons[0].detail.startswith("Exclusive territory BR-SP (agreement #")
    assert by_name["B"].reasons[5].detail == "1 of 3 approved registrations converted."
    assert ranking.excluded == [] and ranking.blocked == ""


def test_a_tie_goes_to_the_partner_with_the_lower_id(field):
    ranking = rank_partners(make_lead())

    a, e = (next(c for c in ranking.candidates if c.partner.pk == field[k].pk) for k in "ae")
    assert a.points == e.points == Decimal("85.00") and a.open_deals == e.open_deals == 0
    assert ranking.candidates.index(a) < ranking.candidates.index(e)


def test_a_tie_on_points_goes_first_to_the_partner_with_fewer_open_deals(settings):
    settings.PARCERIA = {**settings.PARCERIA, "LEAD_ROUTING_WEIGHTS": {**settings.PARCERIA["LEAD_ROUTING_WEIGHTS"],
                                                                       "capacity": "0"}}
    busy = make_partner(name="Busy", tier="strategic", verticals=["retail"], territories=["SP"])
    deal_register(partner=busy, fields=other_company(1), actor=ACTOR)
    make_partner(name="Free", tier="strategic", verticals=["retail"], territories=["SP"])

    ranking = rank_partners(make_lead())

    assert [(c.partner.name, c.points, c.open_deals) for c in ranking.candidates] == [
        ("Free", Decimal("70.00"), 0), ("Busy", Decimal("70.00"), 1)]


def test_offered_leads_waiting_for_an_answer_count_as_open_deals():
    partner = make_partner(name="Only", tier="strategic", verticals=["retail"], territories=["SP"])
    lead_offer(lead=make_lead(external_id="first", company_name="Outra Empresa", tax_id="",
                              domain="outra.com.br"), partner=partner, actor=ACTOR)

    candidate = rank_partners(make_lead()).candidates[0]

    assert (candidate.open_deals, points(candidate)["capacity"]) == (1, "13.50")
    later = rank_partners(make_lead(), now=timezone.now() + timedelta(hours=73)).candidates[0]
    assert later.open_deals == 0  # the deadline passed: no longer waiting for the partner


def test_the_weights_are_settings_and_a_bad_weight_is_refused(settings):
    settings.PARCERIA = {**settings.PARCERIA, "LEAD_ROUTING_WEIGHTS": {"vertical": "10", "tier": "0"}}
    make_partner(name="A", tier="strategic", verticals=["retail"], territories=["SP"])

    candidate = rank_partners(make_lead()).candidates[0]

    assert routing_weights()["region"] == Decimal(25)  # a weight not given keeps its default
    assert (points(candidate)["vertical"], points(candidate)["tier"], candidate.points) == ("10.00", "0.00",
                                                                                           Decimal("50.00"))
    settings.PARCERIA = {**settings.PARCERIA, "LEAD_ROUTING_WEIGHTS": {"vertical": "-1"}}
    with pytest.raises(ImproperlyConfigured):
        routing_weights()


def test_names_compare_without_accents_case_or_punctuation():
    assert comparable("Food & Beverage") == comparable("food_beverage") == "food_beverage"
    assert comparable("São Paulo") == "sao_paulo"


def test_a_partner_holding_a_registration_of_the_company_excludes_every_partner_with_the_reason():
    holder = make_partner(name="Holder")
    other = make_partner(name="Other")
    branch = ROOT + "0002" + cnpj.calc_check_digits(ROOT + "0002")  # another branch of the lead's company
    held = deal_register(partner=holder, fields=other_company(9, company_name="Bom Preço", tax_id=branch),
                         actor=ACTOR)

    ranking = rank_partners(make_lead())

    assert ranking.candidates == []
    assert [(e.partner.name, e.reason) for e in ranking.excluded] == [
        ("Holder", f"It already holds an active registration of this company (#{held.pk})."),
        ("Other", f"Registered by another partner: Holder (registration #{held.pk}).")]
    assert other.pk in {e.partner.pk for e in ranking.excluded}


def test_an_existing_customer_blocks_the_lead_for_every_partner():
    make_partner(name="A")
    make_customer(name="Mercado Bom Preço", external_id="cus_bp", tax_id=LEAD_CNPJ)

    ranking = rank_partners(make_lead())

    assert ranking.candidates == []
    assert ranking.blocked == "The company is already a customer: Mercado Bom Preço (cus_bp)."
    assert [e.reason for e in ranking.excluded] == [ranking.blocked]


def test_an_open_opportunity_of_the_pipeline_blocks_the_lead():
    make_partner(name="A")
    Opportunity.objects.create(external_id="opp-7", company_name="Bom Preço", normalised_name="bom preco",
                               country="BR", domain="bompreco.com.br")

    ranking = rank_partners(make_lead())

    assert ranking.candidates == []
    assert ranking.blocked == "The company is an open opportunity of the direct sales team: Bom Preço (opp-7)."


def test_an_expired_registration_excludes_no_one():
    holder = make_partner(name="Holder", tier="certified")
    registration = deal_register(partner=holder, fields=other_company(9, domain="bompreco.com.br"), actor=ACTOR)
    type(registration).objects.filter(pk=registration.pk).update(expires_on=timezone.localdate())

    ranking = rank_partners(make_lead())

    assert [c.partner.name for c in ranking.candidates] == ["Holder"] and ranking.excluded == []


@given(
    tier=st.sampled_from(["", "certified", "preferred", "strategic"]),
    country=st.sampled_from(["BR", "MX"]),
    verticals=st.lists(st.sampled_from(["retail", "Retail", "healthcare", "Food & Beverage"]), max_size=3),
    territories=st.lists(st.sampled_from(["SP", "BR-SP", "RJ", "Jalisco"]), max_size=3),
    open_deals=st.integers(min_value=0, max_value=30),
    approved=st.integers(min_value=0, max_value=40),
    converted=st.integers(min_value=0, max_value=40),
    exclusive=st.booleans(),
    weights=st.fixed_dictionaries({key: st.decimals(min_value=0, max_value=1000, places=2) for key in REASONS}),
)
def test_every_reason_earns_its_weight_times_its_fraction_rounded_to_the_cent(
        tier, country, verticals, territories, open_deals, approved, converted, exclusive, weights):
    converted = min(converted, approved)
    lead = Lead(country="BR", region="SP", vertical="food_beverage")
    partner = Partner(country=country, tier=tier or None, verticals=verticals, territories=territories)

    reasons = _reasons(lead, partner, weights, full=10, open_deals=open_deals, approved=approved,
                       converted=converted, exclusivity="Exclusive" if exclusive else "",
                       regions=region_keys(lead), vertical=comparable(lead.vertical))

    assert [r.key for r in reasons] == list(REASONS)
    for reason in reasons:
        assert Decimal(0) <= reason.fraction <= Decimal(1)
        assert reason.weight == weights[reason.key]
        assert reason.points == (reason.weight * reason.fraction).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert Decimal(0) <= reason.points <= reason.weight
    by_key = {r.key: r.fraction for r in reasons}
    assert by_key["vertical"] == (1 if "Food & Beverage" in verticals else 0)
    assert by_key["region"] == (1 if country == "BR" and {"SP", "BR-SP"} & set(territories)
                                else Decimal("0.5") if country == "BR" else 0)
    assert by_key["capacity"] == max(Decimal(0), Decimal(10 - open_deals) / 10)
    assert by_key["exclusivity"] == (1 if exclusive else 0)
