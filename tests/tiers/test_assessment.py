"""The assessment on real data: metrics and evidence, promotion, the demotion grace with the commission engine,
idempotent re-runs, a fixed number of queries, and `parceria assess-tiers`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parceria.commissions.models import LedgerLine
from parceria.partners.models import Partner, PartnerTerms, TierAssessment
from tests.agreements.helpers import make_agreement
from tests.factories import at, ingest, make_customer, make_integration_partner, make_partner, paid, usage
from tests.tiers.conftest import (
    approve_plan,
    certify_advanced,
    csat,
    make_certified,
    monthly,
    referrals,
)

pytestmark = pytest.mark.django_db
NOW = at("2026-04-15 10:00")


def evidence(run, partner) -> dict:
    return next(o for o in run.outcomes if o.partner_id == partner.pk).evidence


def check(ev: dict, tier: str, metric: str) -> dict:
    row = next(t for t in ev["tiers"] if t["tier"] == tier)
    return next(r for r in row["requirements"] if r["metric"] == metric)


@pytest.mark.parametrize(("amounts", "arr", "met"), [
    (["4000.00", "166.6658"], "49999.99", False),  # 12 × 4166.6658 = 49,999.9896 → R$ 49,999.99
    (["4000.00", "166.6667"], "50000.00", True),  # 12 × 4166.6667 = 50,000.0004 → R$ 50,000.00
])
def test_arr_is_twelve_times_the_current_monthly_revenue_at_the_boundary(assess, amounts, arr, met):
    partner = make_partner()
    for amount in amounts:
        monthly(make_customer(partner), amount)
    run = assess(NOW)
    ev = evidence(run, partner)
    assert ev["metrics"]["arr"] == arr
    assert check(ev, "preferred", "arr")["met"] is met


def test_arr_counts_only_active_customers_latest_current_brl_invoice(assess):
    partner = make_partner()
    a, b, churned, stale = (make_customer(partner) for _ in range(4))
    monthly(a, "1000.00", paid_at="2026-03-02T10:00:00-03:00", period=("2026-03-01", "2026-03-31"))
    monthly(a, "1200.00")  # April: the latest, replaces March
    monthly(b, "500.00", paid_at="2026-03-02T10:00:00-03:00", period=("2026-03-01", "2026-03-31"))  # still current
    monthly(b, "999.00", paid_at="2026-04-20T10:00:00-03:00", period=("2026-05-01", "2026-05-31"))  # after NOW
    monthly(stale, "700.00", paid_at="2026-02-02T10:00:00-03:00", period=("2026-02-01", "2026-02-28"))
    monthly(churned, "300.00")
    ingest({"id": "evt_churn_tiers", "type": "customer.churned", "occurred_at": "2026-04-10T10:00:00-03:00",
            "customer": churned.external_id})
    run = assess(NOW)
    assert evidence(run, partner)["metrics"]["mrr"] == "1700.0000"
    assert evidence(run, partner)["metrics"]["arr"] == "20400.00"


def test_csat_is_the_mean_of_each_customers_latest_score(assess):
    partner = make_partner()
    first, second, third, fourth = (make_customer(partner) for _ in range(4))
    csat(first, 1, "2026-01-05T10:00:00-03:00")
    csat(first, 4)  # the latest replaces the 1
    for customer in (second, third, fourth):
        csat(customer, 4)
    ev = evidence(assess(NOW), partner)
    assert ev["metrics"]["csat"] == "4.00"
    assert check(ev, "preferred", "csat")["met"] is False
    csat(fourth, 5, "2026-04-10T10:00:00-03:00")
    ev = evidence(assess(at("2026-04-16 10:00")), partner)
    assert ev["metrics"]["csat"] == "4.25"
    assert check(ev, "preferred", "csat")["met"] is True


@pytest.mark.parametrize(("count", "met"), [(4, False), (5, True)])
def test_referrals_are_the_customers_attributed_in_the_last_full_quarter(assess, count, met):
    partner = make_partner()
    referrals(partner, count, "2026-01-01T00:00:00-03:00")  # first moment of Q1: counted
    referrals(partner, 1, "2025-12-31T23:59:59-03:00")  # Q4 2025
    referrals(partner, 1, "2026-04-01T00:00:00-03:00")  # Q2, the current quarter
    ev = evidence(assess(NOW), partner)
    assert ev["metrics"]["referrals_last_quarter"] == count
    assert ev["metrics"]["referral_quarter"] == ["2026-01-01", "2026-03-31"]
    assert check(ev, "certified", "referrals_last_quarter")["met"] is met


def test_promotion_takes_effect_at_the_assessment_through_a_new_terms_version(assess):
    partner = make_partner()
    make_certified(partner)
    run = assess(NOW)
    assert [(o.partner_id, o.change, o.resulting_tier) for o in run.changes] == [(partner.pk, "promoted", "certified")]
    partner.refresh_from_db()
    assert partner.tier == "certified"
    terms = PartnerTerms.objects.filter(partner=partner).order_by("id").last()
    assert (terms.tier, terms.effective_from) == ("certified", NOW)
    record = TierAssessment.objects.get(partner=partner)
    assert (record.previous_tier, record.qualified_tier, record.resulting_tier, record.change) == (
        None, "certified", "certified", "promoted")
    assert all(t["met"] for t in record.evidence["tiers"][:1])


def test_promotion_to_preferred_and_strategic_with_every_requirement(assess):
    partner = make_partner()
    make_certified(partner)
    certify_advanced(partner, at("2026-03-01 10:00"))
    payer = make_customer(partner)
    monthly(payer, "20000.00")
    csat(payer, 5)
    assert assess(NOW).changes[0].resulting_tier == "preferred"  # ARR 241,200.00 but no joint business plan
    approve_plan(partner)
    run = assess(at("2026-04-16 10:00"))
    assert [(o.previous_tier, o.resulting_tier) for o in run.changes] == [("preferred", "strategic")]


def test_demotion_waits_a_full_quarter_and_never_changes_posted_lines(assess):
    partner = make_partner(tier="strategic")
    customer = make_customer(partner, attributed_at="2025-12-01T10:00:00-03:00")
    ingest(paid(customer, "1000.00", invoice_id="inv_before", at="2026-03-10T10:00:00-03:00"))
    before = LedgerLine.objects.get(partner=partner, invoice_id="inv_before")
    assert (before.rate, before.amount) == (D("0.30"), D("300.00"))

    first = assess(at("2026-03-15 10:00"))  # below the strategic requirements from today
    assert first.changes == []
    assert (first.outcomes[0].below_since.isoformat(), first.outcomes[0].demotion_due.isoformat()) == (
        "2026-03-15", "2026-07-01")
    for day in ("2026-04-01 10:00", "2026-06-30 10:00"):  # Q2 has not passed whole yet: no demotion
        run = assess(at(day))
        assert run.changes == [] and run.outcomes[0].resulting_tier == "strategic"
        assert TierAssessment.objects.get(partner=partner, assessed_on=at(day).date()).below_since.isoformat() == (
            "2026-03-15")
    partner.refresh_from_db()
    assert partner.tier == "strategic"

    demotion = at("2026-07-01 10:00")
    run = assess(demotion)
    assert [(o.previous_tier, o.resulting_tier, o.change) for o in run.changes] == [("strategic", None, "demoted")]
    partner.refresh_from_db()
    assert partner.tier is None
    terms = PartnerTerms.objects.filter(partner=partner).order_by("id").last()
    assert (terms.tier, terms.effective_from) == (None, demotion)

    ingest(paid(customer, "1000.00", invoice_id="inv_after", at="2026-07-05T10:00:00-03:00",
                period=("2026-07-01", "2026-07-31")))
    after = LedgerLine.objects.get(partner=partner, invoice_id="inv_after")
    assert (after.rate, after.amount) == (D("0.20"), D("200.00"))  # entry rate from the demotion on
    before.refresh_from_db()
    assert (before.rate, before.amount) == (D("0.30"), D("300.00"))  # posted before: unchanged


def test_meeting_the_requirements_again_resets_the_grace(assess):
    partner = make_partner(tier="certified")
    assess(at("2026-03-15 10:00"))  # below since 2026-03-15
    make_certified(partner)  # referrals in Q1 count from Q2 on
    back = assess(at("2026-04-15 10:00"))
    assert back.outcomes[0].below_since is None
    late = assess(at("2026-07-02 10:00"))  # Q1 referrals no longer count: below again from today
    assert late.changes == []
    assert late.outcomes[0].below_since.isoformat() == "2026-07-02"


def test_a_rerun_on_the_same_day_changes_nothing(assess):
    partner = make_partner()
    make_certified(partner)
    assess(NOW)
    terms, records = PartnerTerms.objects.count(), TierAssessment.objects.count()
    again = assess(at("2026-04-15 18:00"))
    assert again.changes == []
    assert (PartnerTerms.objects.count(), TierAssessment.objects.count()) == (terms, records)
    record = TierAssessment.objects.get(partner=partner)
    assert (record.change, record.resulting_tier) == ("promoted", "certified")  # the day's change is kept


def test_dry_run_writes_nothing(assess):
    partner = make_partner()
    make_certified(partner)
    run = assess(NOW, dry_run=True)
    assert run.changes[0].resulting_tier == "certified"
    partner.refresh_from_db()
    assert partner.tier is None
    assert not TierAssessment.objects.exists()


def _build(n: int) -> None:
    """n partners with figures, and n integration partners with an agreement and usage through them."""
    for _ in range(n):
        partner = make_partner()
        for customer in referrals(partner, 2):
            monthly(customer, "100.00")
            csat(customer, 4)
        integrator = make_integration_partner("0.15")
        make_agreement(integrator, "technology_integration")
        assert ingest(usage(make_customer(), "10", partner=integrator, at="2026-02-10T10:00:00-03:00")).accepted == 1


def test_the_assessment_runs_a_fixed_number_of_queries(assess, django_assert_max_num_queries):
    _build(2)
    with CaptureQueriesContext(connection) as few:
        assess(NOW)
    _build(6)
    with CaptureQueriesContext(connection) as many:
        assess(at("2026-04-16 10:00"))
    assert Partner.objects.count() == 16
    assert TierAssessment.objects.filter(assessed_on=date(2026, 4, 16)).exclude(integration=None).count() == 8
    assert len(many) == len(few)
    with django_assert_max_num_queries(18):  # 16 for the ladder, 2 for the integration partners
        assess(at("2026-04-17 10:00"))


def test_the_command_prints_changes_and_a_summary_and_is_idempotent(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: at("2026-04-15 10:00"))
    promoted = make_partner(name="Alfa Consultoria")
    make_certified(promoted)
    make_partner(name="Beta")
    out = StringIO()
    call_command("assess_tiers", "--dry-run", stdout=out)
    assert "Alfa Consultoria" in out.getvalue() and out.getvalue().startswith("Alfa")
    assert "dry run: 2 partners assessed on 2026-04-15: 1 promoted, 0 demoted" in out.getvalue()
    assert not TierAssessment.objects.exists()

    out = StringIO()
    call_command("assess_tiers", "--today", "2026-04-15", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines == [f"Alfa Consultoria (#{promoted.pk}): promoted no tier → certified",
                     "2 partners assessed on 2026-04-15: 1 promoted, 0 demoted, 0 below their tier within the grace "
                     "quarter"]
    out = StringIO()
    call_command("assess_tiers", stdout=out)
    assert out.getvalue().splitlines() == [
        "2 partners assessed on 2026-04-15: 0 promoted, 0 demoted, 0 below their tier within the grace quarter"]
    assert TierAssessment.objects.count() == 2


def test_the_command_refuses_a_bad_date():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("assess_tiers", "--today", "15/04/2026")
