"""The integration partner, a special category outside the ladder (SPEC §2.1): its definition as versioned data and
its validation, each requirement at its boundary, the evidence recorded on the assessment, the note on a share rate
outside the range, and the commission engine's pay left unchanged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command

from parceria.agreements.services import AgreementChanges, agreement_move, agreement_update
from parceria.commissions.models import LedgerLine
from parceria.common.errors import InvalidInput
from parceria.partners.models import Partner, PartnerTerms, TierAssessment, TierDefinition
from parceria.partners.tier_data import INTEGRATION_DEFINITIONS
from parceria.tiers.definitions import tier_definition_create
from parceria.tiers.integration import maintenance_commitment
from tests.agreements.helpers import make_agreement
from tests.factories import ACTOR, at, ingest, make_customer, make_integration_partner, make_partner, paid, usage

pytestmark = pytest.mark.django_db
NOW = at("2026-04-15 10:00")  # last full quarter: 2026-01-01 to 2026-03-31
BENEFITS = INTEGRATION_DEFINITIONS[0]["benefits"]
REQUIREMENTS = INTEGRATION_DEFINITIONS[0]["requirements"]


def integration_agreement(partner: Partner, **data) -> None:
    """A technology-integration agreement from 2025-01-01: 24 months renewing by itself unless told otherwise."""
    make_agreement(partner, "technology_integration", **data)


def customers_using(partner: Partner, count: int, day: str = "2026-02-10T10:00:00-03:00") -> None:
    for _ in range(count):
        assert ingest(usage(make_customer(), "10", partner=partner, at=day)).accepted == 1


def qualifying(rate: str = "0.15", **overrides) -> Partner:
    partner = make_integration_partner(rate, **overrides)
    integration_agreement(partner)
    customers_using(partner, 3)
    return partner


def result_of(partner: Partner) -> dict:
    return TierAssessment.objects.get(partner=partner, assessed_on=NOW.date()).integration


def requirement(partner: Partner, metric: str) -> dict:
    return next(r for r in result_of(partner)["requirements"] if r["metric"] == metric)


# --- The definition -------------------------------------------------------------------------------------------------


def test_the_migration_loads_the_integration_partner_definition():
    row = TierDefinition.objects.get(tier="integration")
    assert (row.version, row.effective_from, row.effective_to) == (1, date(2025, 1, 1), None)
    assert row.requirements == [
        {"metric": "integration_agreement", "op": "true"},
        {"metric": "integration_customers", "op": ">=", "value": "3"},
        {"metric": "maintenance_commitment", "op": "true"},
    ]
    assert row.benefits == {"revenue_share_min": "0.15", "revenue_share_max": "0.25", "joint_go_to_market": True,
                            "directory_placement": True, "maintenance_co_investment": True}


def test_partner_tier_never_accepts_integration():
    from parceria.partners.services import PartnerChanges, partner_update

    partner = make_partner()
    with pytest.raises(InvalidInput):
        partner_update(partner=partner, changes=PartnerChanges(tier="integration"), actor=ACTOR)
    partner.refresh_from_db()
    assert partner.tier is None
    assert not PartnerTerms.objects.filter(tier="integration").exists()


@pytest.mark.parametrize(("benefits", "message"), [
    ({**BENEFITS, "revenue_share_min": "0.30"}, "revenue_share_min (0.30) must not exceed revenue_share_max (0.25)"),
    ({k: v for k, v in BENEFITS.items() if k != "revenue_share_max"},
     "revenue_share_max must be a fraction between 0 and 1 (0.15 is 15 %); got None"),
    ({**BENEFITS, "revenue_share_max": "1.5"},
     "revenue_share_max must be a fraction between 0 and 1 (0.15 is 15 %); got '1.5'"),
    ({**BENEFITS, "commission_rate": "0.20"},
     "unknown benefit 'commission_rate' for the integration partner; its benefits are revenue_share_min, "
     "revenue_share_max, joint_go_to_market, directory_placement, maintenance_co_investment"),
    ({**BENEFITS, "directory_placement": "yes"}, "benefit directory_placement must be true or false"),
])
def test_bad_integration_benefits_are_refused_with_a_clear_message(benefits, message):
    with pytest.raises(InvalidInput) as refused:
        tier_definition_create(tier="integration", effective_from=date(2020, 1, 1), effective_to=date(2021, 1, 1),
                               requirements=REQUIREMENTS, benefits=benefits, actor=ACTOR)
    assert str(refused.value) == message
    assert TierDefinition.objects.filter(tier="integration").count() == 1


def test_requirements_of_the_other_kind_are_refused():
    with pytest.raises(InvalidInput) as refused:
        tier_definition_create(tier="integration", effective_from=date(2020, 1, 1), effective_to=date(2021, 1, 1),
                               requirements=[{"metric": "arr", "op": ">=", "value": "1"}], benefits=BENEFITS,
                               actor=ACTOR)
    assert str(refused.value) == (
        "requirement arr does not apply to the integration partner; they use integration_agreement, "
        "integration_customers, maintenance_commitment")
    with pytest.raises(InvalidInput) as refused:
        tier_definition_create(tier="certified", effective_from=date(2020, 1, 1), effective_to=date(2021, 1, 1),
                               requirements=[{"metric": "integration_agreement", "op": "true"}],
                               benefits={"commission_rate": "0.20"}, actor=ACTOR)
    assert str(refused.value).startswith("requirement integration_agreement does not apply to the tiers of the ladder")
    assert TierDefinition.objects.count() == 4


def test_overlapping_integration_versions_are_refused_and_a_later_one_is_added():
    with pytest.raises(InvalidInput) as refused:
        tier_definition_create(tier="integration", effective_from=date(2026, 7, 1), effective_to=None,
                               requirements=REQUIREMENTS, benefits=BENEFITS, actor=ACTOR)
    assert str(refused.value) == (
        "the integration tier already has version 1 in force from 2025-01-01 (open-ended); versions of a tier must "
        "not overlap")
    assert TierDefinition.objects.filter(tier="integration").count() == 1
    old = tier_definition_create(tier="integration", effective_from=date(2024, 1, 1), effective_to=date(2025, 1, 1),
                                 requirements=REQUIREMENTS, benefits={**BENEFITS, "revenue_share_min": "0.10"},
                                 actor=ACTOR)
    assert (old.version, old.benefits["revenue_share_min"]) == (2, "0.10")


# --- The requirements at their boundaries ---------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "met", "gap"), [(2, False, 1), (3, True, None)])
def test_integration_customers_at_the_boundary(assess, count, met, gap):
    partner = make_integration_partner()
    integration_agreement(partner)
    customers_using(partner, count)
    assess(NOW)
    assert requirement(partner, "integration_customers") == {
        "metric": "integration_customers", "label": "Customers using the integration in the last full quarter",
        "op": ">=", "required": 3, "actual": count, "met": met, "gap": gap}
    assert result_of(partner)["qualified"] is met


def test_integration_customers_are_distinct_and_in_the_last_full_quarter(assess):
    partner = make_integration_partner()
    integration_agreement(partner)
    twice = make_customer()
    ingest(usage(twice, "5", partner=partner, at="2026-01-01T00:30:00-03:00"),
           usage(twice, "5", partner=partner, at="2026-03-31T23:30:00-03:00"))
    customers_using(partner, 1, day="2025-12-31T23:30:00-03:00")  # the quarter before
    customers_using(partner, 1, day="2026-04-01T00:30:00-03:00")  # this quarter
    ingest(usage(make_customer(), "5", at="2026-02-10T10:00:00-03:00"))  # no integration partner
    assess(NOW)
    assert requirement(partner, "integration_customers")["actual"] == 1


@pytest.mark.parametrize(("end_date", "met"), [(date(2027, 4, 15), True), (date(2027, 4, 14), False)])
def test_maintenance_commitment_needs_twelve_more_months(assess, end_date, met):
    partner = make_integration_partner()
    draft = make_agreement(partner, "technology_integration", active=False)
    fixed = agreement_update(agreement=draft, changes=AgreementChanges(end_date=end_date, initial_term_months=None,
                                                       auto_renewal=False, renewal_term_months=None),
                             actor=ACTOR)
    agreement_move(agreement=fixed, status="active", actor=ACTOR)
    customers_using(partner, 3)
    assess(NOW)
    result = result_of(partner)
    assert requirement(partner, "integration_agreement")["met"] is True
    assert requirement(partner, "maintenance_commitment")["met"] is met
    assert result["metrics"]["agreement"] == {"id": partner.agreements.get().pk, "renews": False,
                                              "last_day": end_date.isoformat(), "needed_until": "2027-04-15"}
    assert result["qualified"] is met


def test_an_agreement_that_renews_by_itself_is_a_commitment_and_a_terminated_one_is_not():
    partner = make_integration_partner()
    integration_agreement(partner)
    agreement = partner.agreements.get()
    commitment = maintenance_commitment(agreement, date(2026, 4, 15))
    assert (commitment.renews, commitment.last_day, commitment.met) == (True, date(2027, 1, 1), True)
    agreement.terminated_on = date(2026, 6, 1)
    commitment = maintenance_commitment(agreement, date(2026, 4, 15))
    assert (commitment.renews, commitment.last_day, commitment.met) == (False, date(2026, 5, 31), False)


def test_no_agreement_meets_neither_agreement_requirement(assess):
    partner = make_integration_partner()
    customers_using(partner, 3)
    make_agreement(make_partner(), "technology_integration")  # another partner's
    make_agreement(partner, "technology_integration", active=False)  # a draft
    assess(NOW)
    result = result_of(partner)
    assert [(r["metric"], r["met"]) for r in result["requirements"]] == [
        ("integration_agreement", False), ("integration_customers", True), ("maintenance_commitment", False)]
    assert result["qualified"] is False
    assert result["metrics"]["agreement"] is None


# --- The evidence ---------------------------------------------------------------------------------------------------


def test_the_assessment_records_the_integration_evidence_and_changes_no_tier_or_rate(assess):
    partner = qualifying("0.2000")
    terms = PartnerTerms.objects.filter(partner=partner).count()
    run = assess(NOW)
    partner.refresh_from_db()
    assert (partner.tier, partner.integration_share_rate) == (None, D("0.2000"))
    assert PartnerTerms.objects.filter(partner=partner).count() == terms
    assessment = TierAssessment.objects.get(partner=partner)
    assert (assessment.qualified_tier, assessment.resulting_tier, assessment.change) == (None, None, "")
    assert assessment.integration == {
        "version": 1,
        "qualified": True,
        "requirements": [
            {"metric": "integration_agreement", "label": "Technology integration agreement in force", "op": "true",
             "required": True, "actual": True, "met": True, "gap": None},
            {"metric": "integration_customers", "label": "Customers using the integration in the last full quarter",
             "op": ">=", "required": 3, "actual": 3, "met": True, "gap": None},
            {"metric": "maintenance_commitment",
             "label": "Maintenance commitment (agreement renews or runs 12 more months)", "op": "true",
             "required": True, "actual": True, "met": True, "gap": None},
        ],
        "metrics": {
            "integration_agreement": True, "integration_customers": 3, "maintenance_commitment": True,
            "agreement": {"id": partner.agreements.get().pk, "renews": True, "last_day": "2027-01-01",
                          "needed_until": "2027-04-15"},
            "usage_quarter": ["2026-01-01", "2026-03-31"],
        },
        "share_rate": "0.2000",
        "revenue_share": ["0.15", "0.25"],
        "rate_in_range": True,
        "note": None,
    }
    assert run.summary() == ("1 partners assessed on 2026-04-15: 0 promoted, 0 demoted, 0 below their tier within "
                             "the grace quarter; integration partners: 1 of 1 qualified")


@pytest.mark.parametrize(("rate", "in_range"), [("0.10", False), ("0.1499", False), ("0.15", True),
                                                ("0.25", True)])
def test_a_share_rate_outside_the_range_gets_a_note_and_stays(assess, rate, in_range):
    partner = qualifying(rate)
    assess(NOW)
    result = result_of(partner)
    assert result["rate_in_range"] is in_range
    expected = None if in_range else (
        f"qualifies as integration partner with the integration share rate {D(rate):.4f}, outside the revenue share "
        "range 0.15–0.25 of the definition; the rate is not changed automatically")
    assert result["note"] == expected
    partner.refresh_from_db()
    assert partner.integration_share_rate == D(rate)


def test_a_partner_that_does_not_qualify_gets_no_rate_note(assess):
    partner = make_integration_partner("0.10")
    assess(NOW)
    assert (result_of(partner)["qualified"], result_of(partner)["rate_in_range"], result_of(partner)["note"]) == (
        False, False, None)


def test_a_share_rate_without_the_category_is_assessed_and_other_partners_are_not(assess):
    with_rate = make_partner(integration_share_rate="0.20")
    integration_agreement(with_rate)
    customers_using(with_rate, 3)
    other = make_partner()
    assess(NOW)
    assert result_of(with_rate)["qualified"] is True
    assert result_of(other) is None


def test_the_engine_pays_the_same_usage_share_before_and_after_an_assessment(assess):
    partner = qualifying("0.10")  # outside the range: the note, never a new rate
    referrer = make_partner(tier="certified")

    def usage_share(invoice: str, paid_at: str, period: tuple[str, str]) -> list[tuple[int, D]]:
        customer = make_customer(referrer)
        day = f"{period[0]}T10:00:00-03:00"
        ingest(usage(customer, "30", partner=partner, at=day), usage(customer, "70", at=day))
        assert ingest(paid(customer, "1000.00", invoice_id=invoice, at=paid_at, period=period)).accepted == 1
        lines = LedgerLine.objects.filter(partner=partner, invoice_id=invoice)
        return [(line.partner_id, line.amount) for line in lines]

    before = usage_share("inv_before", "2026-04-10T10:00:00-03:00", ("2026-04-01", "2026-04-30"))
    assess(NOW)
    after = usage_share("inv_after", "2026-04-20T10:00:00-03:00", ("2026-04-01", "2026-04-30"))
    assert before == after == [(partner.pk, D("30.0000"))]
    assert result_of(partner)["qualified"] is True


def test_the_command_reports_the_integration_partners():
    qualifying()
    make_integration_partner()
    out = StringIO()
    call_command("assess_tiers", "--today", "2026-04-15", stdout=out)
    assert out.getvalue().splitlines() == [
        "2 partners assessed on 2026-04-15: 0 promoted, 0 demoted, 0 below their tier within the grace quarter; "
        "integration partners: 1 of 2 qualified"]
