"""A referral-rate override granted by an agreement flows into the next accruals from its effective day,
never into earlier ones, and never changes a posted line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from parceria.agreements.services import rate_override_grant
from parceria.commissions import engine
from parceria.commissions.models import LedgerLine
from parceria.common.errors import InvalidInput
from parceria.partners.models import PartnerTerms
from parceria.partners.services import PartnerChanges, partner_update
from tests.agreements.helpers import make_agreement
from tests.factories import ACTOR, at, ingest, make_customer, make_partner, paid

pytestmark = pytest.mark.django_db


def _referrals(partner):
    return list(LedgerLine.objects.filter(partner=partner, kind="accrual").order_by("id")
                .values_list("base", "rate", "amount", "explanation"))


def test_an_override_applies_from_its_day_and_not_before():
    partner = make_partner(tier="preferred")  # 25 %
    customer = make_customer(partner)
    ingest(paid(customer, "1000.00", invoice_id="inv_before", at="2026-03-31T23:59:59-03:00"))
    before = _referrals(partner)
    agreement = make_agreement(partner, start_date=date(2026, 1, 1))
    rate_override_grant(agreement=agreement, rate="0.27", effective_from="2026-04-01", actor=ACTOR)
    ingest(
        paid(customer, "1000.00", invoice_id="inv_on", at="2026-04-01T00:00:00-03:00"),
        paid(customer, "333.33", invoice_id="inv_late_march", at="2026-03-31T12:00:00-03:00"),  # arrives late
    )
    lines = _referrals(partner)
    assert lines[0] == before[0]  # the posted line never changes
    assert [(line[1], line[2]) for line in lines] == [
        (D("0.2500"), D("250.0000")),
        (D("0.2700"), D("270.0000")),
        (D("0.2500"), D("83.3325")),
    ]
    assert "rate from an agreement override" in lines[1][3]
    assert "tier preferred" in lines[2][3]
    version = PartnerTerms.objects.filter(partner=partner).order_by("id").last()
    assert (version.tier, version.referral_rate_override) == ("preferred", D("0.2700"))


def test_a_later_tier_change_keeps_the_override():
    partner = make_partner(tier="certified")
    agreement = make_agreement(partner, start_date=date(2026, 1, 1))
    rate_override_grant(agreement=agreement, rate="0.27", effective_from="2026-04-01", actor=ACTOR)
    partner_update(partner=partner, changes=PartnerChanges(tier="strategic"), actor=ACTOR)
    latest = PartnerTerms.objects.filter(partner=partner).order_by("id").last()
    assert (latest.tier, latest.referral_rate_override) == ("strategic", D("0.2700"))


def test_the_engine_uses_the_override_of_the_version_in_force():
    plan = engine.Plan(1, "standard", 1, {"preferred": D("0.25")}, D("0.20"), None, None, None)
    info = engine.PartnerInfo(7, "active", "BRL", (
        engine.Terms(None, "preferred", None),
        engine.Terms(at("2026-04-01T00:00:00-03:00"), "preferred", None, D("0.27")),
    ))

    def invoice(paid_at: str) -> engine.PaidInvoice:
        return engine.PaidInvoice("e", "i", 1, D("100.00"), "BRL", at(paid_at), date(2026, 3, 1), date(2026, 3, 31))

    early = engine.referral_accrual(invoice("2026-03-31T23:59:59-03:00"), plan, info, None, {})
    late = engine.referral_accrual(invoice("2026-04-01T00:00:00-03:00"), plan, info, None, {})
    assert early is not None and late is not None
    assert (early.rate, early.amount, late.rate, late.amount) == (D("0.25"), D("25.0000"), D("0.27"), D("27.0000"))


@pytest.mark.parametrize("rate", ["0", "-0.1", "1", "1.5", "abc", "0.12345", "NaN"])
def test_a_bad_rate_is_refused_and_nothing_is_stored(rate):
    partner = make_partner()
    agreement = make_agreement(partner)
    versions = PartnerTerms.objects.count()
    with pytest.raises(InvalidInput):
        rate_override_grant(agreement=agreement, rate=rate, effective_from="2026-04-01", actor=ACTOR)
    assert PartnerTerms.objects.count() == versions
    assert not agreement.terms.exists()


def test_an_override_of_a_draft_or_before_the_latest_terms_version_is_refused():
    partner = make_partner(tier="certified")
    draft = make_agreement(partner, active=False)
    with pytest.raises(InvalidInput, match="active agreement"):
        rate_override_grant(agreement=draft, rate="0.27", effective_from="2026-04-01", actor=ACTOR)
    partner_update(partner=partner, changes=PartnerChanges(tier="preferred"), actor=ACTOR)  # a version from now
    agreement = make_agreement(partner)
    versions = PartnerTerms.objects.count()
    with pytest.raises(InvalidInput, match="must start on or after"):
        rate_override_grant(agreement=agreement, rate="0.27", effective_from="2026-04-01", actor=ACTOR)
    assert PartnerTerms.objects.count() == versions
    assert not agreement.terms.exists()


def test_the_what_if_honours_the_override_from_its_day():
    from parceria.commissions.plans import plan_draft_create
    from parceria.commissions.whatif import plan_what_if

    partner = make_partner(tier="preferred")
    customer = make_customer(partner)
    agreement = make_agreement(partner, start_date=date(2026, 1, 1))
    rate_override_grant(agreement=agreement, rate="0.27", effective_from="2026-04-01", actor=ACTOR)
    ingest(
        paid(customer, "1000.00", invoice_id="mar", at="2026-03-31T12:00:00-03:00"),
        paid(customer, "1000.00", invoice_id="apr", at="2026-04-01T12:00:00-03:00"),
    )
    draft = plan_draft_create(actor=ACTOR, name="Standard", referral_rates={
        "certified": "0.20", "preferred": "0.30", "strategic": "0.30"}, entry_rate="0.20", max_months=None)
    report = plan_what_if(plan=draft, period_from=date(2026, 3, 1), period_to=date(2026, 4, 30))
    (row,) = report.partners
    # March: 25 % → 30 % under the draft; April: the override (27 %) either way
    assert (row.current_accrued, row.what_if_accrued) == (D("520.0000"), D("570.0000"))
