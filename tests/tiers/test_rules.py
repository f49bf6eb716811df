"""Tier rules at their boundaries, the demotion grace arithmetic, and tier definitions as versioned data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from parceria.common.errors import InvalidInput
from parceria.partners.models import TierDefinition
from parceria.partners.tier_data import TIER_DEFINITIONS
from parceria.tiers.calendar import demotion_due, last_full_quarter
from parceria.tiers.definitions import definitions_in_force, tier_definition_create
from parceria.tiers.rules import Metrics, decide, evaluate
from tests.factories import ACTOR

ON = date(2026, 4, 15)


def certified(**overrides) -> Metrics:
    data = {"training_complete": True, "successful_implementations": 1, "referrals_last_quarter": 5}
    data.update(overrides)
    return Metrics(**data)


def preferred(**overrides) -> Metrics:
    data = {"arr": D("50000.00"), "csat": D("4.01"), "advanced_certification": True}
    data.update(overrides)
    return certified(**data)


def strategic(**overrides) -> Metrics:
    data = {"arr": D("200000.00"), "csat": D("4.51"), "joint_business_plan": True}
    data.update(overrides)
    return preferred(**data)


def tier_of(metrics: Metrics) -> str | None:
    return evaluate(definitions_in_force(ON), metrics)[0]


def requirement(metrics: Metrics, tier: str, metric: str) -> dict:
    _, tiers = evaluate(definitions_in_force(ON), metrics)
    row = next(t for t in tiers if t["tier"] == tier)
    return next(r for r in row["requirements"] if r["metric"] == metric)


pytestmark = pytest.mark.django_db


def test_the_migration_loads_the_tier_table():
    rows = {d.tier: d for d in TierDefinition.objects.all()}
    assert set(rows) == {"certified", "preferred", "strategic", "integration"}
    assert [rows[t].benefits["commission_rate"] for t in ("certified", "preferred", "strategic")] == [
        "0.20", "0.25", "0.30"]
    assert rows["strategic"].benefits["exclusive_territory"] is True
    assert rows["certified"].benefits["success_manager"] is False
    assert len(TIER_DEFINITIONS) == 3


@pytest.mark.parametrize(("arr", "tier"), [("49999.99", "certified"), ("50000.00", "preferred")])
def test_arr_boundary_for_preferred(arr, tier):
    metrics = preferred(arr=D(arr))
    assert tier_of(metrics) == tier
    check = requirement(metrics, "preferred", "arr")
    assert (check["actual"], check["required"], check["met"]) == (arr, "50000.00", tier == "preferred")
    if tier == "certified":
        assert check["gap"] == "0.01"


@pytest.mark.parametrize(("csat", "tier"), [("4.00", "certified"), ("4.01", "preferred")])
def test_csat_boundary_for_preferred_is_strictly_greater(csat, tier):
    assert tier_of(preferred(csat=D(csat))) == tier


@pytest.mark.parametrize(("csat", "tier"), [("4.50", "preferred"), ("4.51", "strategic")])
def test_csat_boundary_for_strategic(csat, tier):
    assert tier_of(strategic(csat=D(csat))) == tier


@pytest.mark.parametrize(("arr", "tier"), [("199999.99", "preferred"), ("200000.00", "strategic")])
def test_arr_boundary_for_strategic(arr, tier):
    assert tier_of(strategic(arr=D(arr))) == tier


@pytest.mark.parametrize(("count", "tier"), [(4, None), (5, "certified")])
def test_referrals_boundary_for_certified(count, tier):
    metrics = certified(referrals_last_quarter=count)
    assert tier_of(metrics) == tier
    check = requirement(metrics, "certified", "referrals_last_quarter")
    assert (check["actual"], check["required"], check["met"]) == (count, 5, tier is not None)
    if tier is None:
        assert check["gap"] == 1


def test_each_certified_requirement_is_needed():
    assert tier_of(certified(training_complete=False)) is None
    assert tier_of(certified(successful_implementations=0)) is None
    assert tier_of(certified()) == "certified"


def test_tiers_are_cumulative_and_missing_csat_is_not_met():
    assert tier_of(preferred(training_complete=False)) is None  # preferred numbers without being certified
    assert tier_of(strategic(advanced_certification=False)) == "certified"
    assert tier_of(preferred(csat=None)) == "certified"
    assert requirement(preferred(csat=None), "preferred", "csat")["met"] is False
    assert tier_of(strategic(joint_business_plan=False)) == "preferred"


def test_last_full_quarter():
    assert last_full_quarter(date(2026, 4, 15)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert last_full_quarter(date(2026, 1, 1)) == (date(2025, 10, 1), date(2025, 12, 31))
    assert last_full_quarter(date(2026, 12, 31)) == (date(2026, 7, 1), date(2026, 9, 30))


@pytest.mark.parametrize(("below_since", "due"), [
    (date(2026, 3, 15), date(2026, 7, 1)),  # the rest of Q1 does not count; Q2 must pass whole
    (date(2026, 4, 1), date(2026, 7, 1)),  # from a quarter's first day, that quarter counts
    (date(2026, 11, 20), date(2027, 4, 1)),
])
def test_demotion_is_due_after_a_whole_calendar_quarter(below_since, due):
    assert demotion_due(below_since) == due


def test_decide_promotes_at_once_and_demotes_only_after_the_grace():
    assert decide(None, "certified", None, ON).change == "promoted"
    assert decide("certified", "strategic", None, ON).resulting == "strategic"
    grace = decide("preferred", "certified", None, date(2026, 3, 15))
    assert (grace.resulting, grace.below_since, grace.change, grace.demotion_due) == (
        "preferred", date(2026, 3, 15), "", date(2026, 7, 1))
    assert decide("preferred", "certified", date(2026, 3, 15), date(2026, 6, 30)).resulting == "preferred"
    late = decide("preferred", None, date(2026, 3, 15), date(2026, 7, 1))
    assert (late.resulting, late.change, late.below_since) == (None, "demoted", None)
    back = decide("preferred", "preferred", date(2026, 3, 15), date(2026, 6, 30))
    assert (back.resulting, back.below_since, back.change) == ("preferred", None, "")


def test_overlapping_versions_of_a_tier_are_refused():
    before = TierDefinition.objects.count()
    with pytest.raises(InvalidInput) as refused:
        tier_definition_create(tier="certified", effective_from=date(2026, 7, 1), effective_to=None,
                               requirements=TIER_DEFINITIONS[0]["requirements"], benefits={}, actor=ACTOR)
    assert "certified tier already has version 1" in str(refused.value)
    assert refused.value.code == "overlapping_tier_version"
    assert TierDefinition.objects.count() == before


def test_a_version_that_does_not_overlap_is_added_and_used_on_its_dates():
    old = tier_definition_create(
        tier="certified", effective_from=date(2024, 1, 1), effective_to=date(2025, 1, 1),
        requirements=[{"metric": "referrals_last_quarter", "op": ">=", "value": 2}],
        benefits={"commission_rate": "0.18"}, actor=ACTOR)
    assert old.version == 2
    assert definitions_in_force(date(2024, 12, 31))["certified"].version == 2
    assert definitions_in_force(date(2025, 1, 1))["certified"].version == 1
    with pytest.raises(InvalidInput):  # touches [2024-06-01, 2024-07-01) inside version 2
        tier_definition_create(tier="certified", effective_from=date(2024, 6, 1), effective_to=date(2024, 7, 1),
                               requirements=[{"metric": "training_complete", "op": "true"}], benefits={}, actor=ACTOR)


@pytest.mark.parametrize("requirements", [[], [{"metric": "nope", "op": ">="}], [{"metric": "arr", "op": "true"}],
                                          [{"metric": "arr", "op": ">=", "value": "x"}]])
def test_bad_requirements_are_refused(requirements):
    with pytest.raises(InvalidInput):
        tier_definition_create(tier="preferred", effective_from=date(2020, 1, 1), effective_to=date(2021, 1, 1),
                               requirements=requirements, benefits={}, actor=ACTOR)
