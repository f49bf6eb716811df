"""Budgets by tier (data), converted explicitly at the quarter's first day; overrides; the return on a fund."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from parceria.common.audit import Actor
from parceria.common.errors import InvalidInput
from parceria.common.models import AuditRecord, FxRate
from parceria.deals.models import DealRegistration
from parceria.mdf.models import Budget
from parceria.mdf.selectors import funds_roi
from parceria.mdf.services import (
    Upload,
    budget_override,
    budgets_create,
    claim_decide,
    claim_submit,
    parse_quarter,
    request_link_deals,
)
from parceria.partners.models import Partner
from tests.factories import at, ingest, make_customer, make_partner, paid, refunded
from tests.mdf.conftest import pdf_bytes
from tests.mdf.test_flow import STAFF, approved_request, eligible

ACTOR = Actor.system("tests")


@pytest.mark.django_db
def test_budgets_follow_the_tier_data_convert_at_the_quarters_first_day_and_are_created_once():
    preferred, strategic = eligible("preferred"), eligible("strategic", country="MX")
    eligible("certified")  # not mdf_eligible
    FxRate.objects.create(base="BRL", quote="MXN", on_date=date(2025, 12, 31), rate=D("3.4567890123"), source="t")
    FxRate.objects.create(base="BRL", quote="MXN", on_date=date(2026, 1, 2), rate=D("9"), source="later: not used")
    run = budgets_create(quarter=parse_quarter("2026Q1"), actor=ACTOR)
    assert sorted((b.partner_id, b.amount_brl, b.fx_rate, b.amount, b.currency) for b in run.created) == [
        (preferred.pk, D("5000.00"), D("1"), D("5000.00"), "BRL"),
        # 15,000.00 × 3.4567890123 = 51,851.8351845 → rounded down to the centavo
        (strategic.pk, D("15000.00"), D("3.4567890123"), D("51851.83"), "MXN"),
    ]
    again = budgets_create(quarter=date(2026, 2, 15), actor=ACTOR)
    assert (again.created, again.existing, Budget.objects.count()) == ([], 2, 2)


@pytest.mark.django_db
def test_a_partner_without_a_rate_gets_no_budget_and_the_run_says_why():
    eligible("strategic", country="MX")
    run = budgets_create(quarter=date(2026, 1, 1), actor=ACTOR)
    assert (run.created, run.missing_rates) == ([], ["MXN"])
    assert Budget.objects.count() == 0


@pytest.mark.django_db
def test_staff_override_a_budget_with_a_reason_audited():
    eligible("preferred")
    (budget,) = budgets_create(quarter=date(2026, 1, 1), actor=ACTOR).created
    with pytest.raises(InvalidInput, match="Say why the budget changes"):
        budget_override(budget=budget, amount=D("8000.00"), reason=" ", actor=STAFF)
    assert Budget.objects.get().amount == D("5000.00")
    budget_override(budget=budget, amount=D("8000.00"), reason="lançamento regional", actor=STAFF)
    assert Budget.objects.get().amount == D("8000.00")
    record = AuditRecord.objects.get(action="mdf.budget_overridden")
    assert (record.before["amount"], record.after["amount"]) == ("5000.0000", "8000.00")


@pytest.mark.django_db
def test_roi_is_the_linked_customers_net_revenue_in_reais_over_the_reimbursement():
    partner = eligible()
    request = approved_request(partner)
    request = claim_submit(request=request, amount=D("2500.00"), files=[Upload("nf.pdf", pdf_bytes())], actor=ACTOR,
                           today=date(2026, 3, 10), now=at("2026-03-10 10:00"))
    request = claim_decide(request=request, approve=True, actor=STAFF, now=at("2026-03-20 10:00"))
    won = make_customer(partner)
    make_customer(partner)  # converted from no linked deal: not counted
    other = make_customer(make_partner())
    FxRate.objects.create(base="USD", quote="BRL", on_date=date(2026, 3, 30), rate=D("5.0000"), source="t")
    ingest(paid(won, "10000.00", invoice_id="inv_a"), paid(won, "100.00", invoice_id="inv_b", currency="USD"),
           paid(other, "999.00"))
    ingest(refunded(won, "inv_a", "1000.00"))
    deals = [
        DealRegistration.objects.create(
            partner=partner, company_name=name, normalised_name=name, country="BR", contact_name="c",
            contact_email="c@example.com", estimated_value=D("1"), currency="BRL", status="approved",
            expires_on=date(2026, 6, 1), customer=customer,
        ) for name, customer in (("Won", won), ("Open", None))
    ]
    request_link_deals(request=request, deal_ids=[d.pk for d in deals], actor=ACTOR)
    (roi,) = funds_roi([request], today=date(2026, 4, 1))
    # 10,000.00 − 1,000.00 refunded + US$ 100.00 × 5.0000 = R$ 9,500.00; ÷ R$ 2,500.00 = 3.80
    assert (roi.reimbursed, roi.deals, roi.customers, roi.revenue_brl, roi.roi) == (
        D("2500.00"), 2, 1, D("9500.00"), D("3.80"))


@pytest.mark.django_db
def test_a_deal_of_another_partner_is_not_linked():
    partner = eligible()
    request = approved_request(partner)
    stranger = DealRegistration.objects.create(
        partner=make_partner(), company_name="X", normalised_name="x", country="BR", contact_name="c",
        contact_email="c@example.com", estimated_value=D("1"), currency="BRL", status="approved",
        expires_on=date(2026, 6, 1),
    )
    with pytest.raises(InvalidInput):
        request_link_deals(request=request, deal_ids=[stranger.pk], actor=ACTOR)
    assert request.deals.count() == 0
    assert Partner.objects.count() == 2
