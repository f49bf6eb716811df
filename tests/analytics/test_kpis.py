"""The KPI registry (analytics.kpis): each KPI on a small hand-made data set, the value worked out here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from parceria.agreements.models import Agreement
from parceria.analytics.kpis import KPIS, load_facts, target_met
from parceria.analytics.models import ProgramFigure
from parceria.analytics.periods import parse_period
from parceria.analytics.rollup import cells
from parceria.common.models import FxRate
from tests.factories import credit, ingest, make_customer, make_partner, paid, refunded

pytestmark = pytest.mark.django_db

MARCH, APRIL, MAY = date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)


def reading(key: str, period: str):
    p = parse_period(period)
    facts = load_facts(p.first_month, p.last_month)
    return KPIS[key].compute(facts, p)


def figure(key: str, month: date, value: str, *, partner=None, currency: str = "") -> None:
    ProgramFigure.objects.create(key=key, month=month, value=Decimal(value), partner=partner, currency=currency)


def agreement(partner, signed: date, *, terminated: date | None = None) -> Agreement:
    return Agreement.objects.create(partner=partner, type="channel_partner", status="terminated" if terminated
                                    else "active", start_date=signed, signed_on=signed, terminated_on=terminated)


def test_the_registry_holds_every_kpi_of_the_spec_with_its_seed_target():
    assert list(KPIS) == ["new_customer_share", "ltv_vs_direct", "retention_12m", "cac_vs_direct", "partner_arr",
                          "deal_size_ratio", "revenue_growth", "commission_share", "active_partners", "partner_nps",
                          "partner_retention", "joint_marketing", "concentration", "channel_conflict",
                          "time_to_value", "sales_cycle", "lead_conversion"]
    assert (KPIS["new_customer_share"].target, KPIS["new_customer_share"].direction) == (Decimal(40), ">=")
    assert (KPIS["cac_vs_direct"].target, KPIS["cac_vs_direct"].direction) == (Decimal(-50), "<=")
    assert (KPIS["commission_share"].target, KPIS["commission_share"].direction) == (Decimal(15), "<")
    assert (KPIS["partner_nps"].target, KPIS["partner_nps"].direction) == (Decimal("4.2"), ">")
    assert KPIS["partner_arr"].target == Decimal(2_000_000)
    assert all(str(k.definition) and str(k.label) for k in KPIS.values())
    assert target_met(Decimal("15.00"), Decimal(15), "<") is False
    assert target_met(Decimal("14.99"), Decimal(15), "<") is True
    assert target_met(None, Decimal(15), "<") is None


def test_share_of_new_customers_counts_month_ends_in_local_time_and_takes_the_imported_direct_count():
    p = make_partner()
    a, d1, d2 = make_customer(p), make_customer(None), make_customer(None)
    ingest(paid(a, "10.00", at="2026-03-31T23:30:00-03:00"),  # 02:30 UTC on 1 April: a March customer
           paid(d1, "10.00", at="2026-03-10T10:00:00-03:00"),
           paid(d2, "10.00", at="2026-04-01T00:30:00-03:00"))  # an April customer

    assert reading("new_customer_share", "2026-03").value == Decimal("50.00")  # 1 partner of 2
    assert reading("new_customer_share", "2026-04").value == Decimal("0.00")  # 0 of 1 direct
    figure("direct_new_customers", APRIL, "3")
    assert reading("new_customer_share", "2026-Q2").value == Decimal("0.00")
    empty = reading("new_customer_share", "2026-06")
    assert empty.value is None and empty.missing == ("direct_new_customers",)


def test_commissions_convert_from_the_partners_currency_to_brl_at_the_days_rate():
    us = make_partner(country="US")  # paid in USD
    c = make_customer(us)
    FxRate.objects.create(base="USD", quote="BRL", on_date=date(2026, 3, 1), rate=Decimal("5.0000"), source="t")
    ingest(paid(c, "100.00", currency="USD", at="2026-03-05T10:00:00-03:00"))  # accrues 20 % = USD 20.00

    assert cells(MARCH, MARCH)[(MARCH, us.pk)].commissions == Decimal("100.0000")  # USD 20 × 5
    r = reading("commission_share", "2026-03")
    assert r.value == Decimal("20.00")  # R$ 100 ÷ R$ 500


def test_commission_share_with_a_refund_and_an_adjustment():
    p = make_partner()
    c = make_customer(p)
    ingest(paid(c, "1000.00", invoice_id="inv-a", at="2026-03-05T10:00:00-03:00"),  # accrual R$ 200
           refunded(c, "inv-a", "250.00", at="2026-03-20T10:00:00-03:00"))  # clawback R$ 50, revenue 750
    credit(p, "-10.00", at="2026-03-25T10:00:00-03:00")  # an adjustment against the partner

    # commissions 200 − 50 − 10 = 140 of a net revenue of 750 → 18.666… → 18.67 %
    assert reading("commission_share", "2026-03").value == Decimal("18.67")
    assert reading("commission_share", "2026-04").missing == ()
    assert reading("commission_share", "2026-04").value is None


def test_cac_needs_the_program_cost_and_the_direct_cac():
    p = make_partner()
    a, b = make_customer(p), make_customer(p)
    ingest(paid(a, "100.00", at="2026-03-05T10:00:00-03:00"), paid(b, "50.00", at="2026-03-06T10:00:00-03:00"))
    first = reading("cac_vs_direct", "2026-03")
    assert first.value is None and first.missing == ("partner_program_cost", "direct_cac")

    figure("partner_program_cost", MARCH, "970.00", currency="BRL")
    figure("direct_cac", MARCH, "1000.00", currency="BRL")
    # partner CAC = (commissions 20 + 10 + cost 970) ÷ 2 = 500; 500 ÷ 1000 − 1 = −50 %
    r = reading("cac_vs_direct", "2026-03")
    assert (r.value, r.comparison) == (Decimal("-50.00"), Decimal("1000.00"))
    assert KPIS["cac_vs_direct"].met(r.value) is True


def test_arr_growth_and_concentration():
    p, q = make_partner(), make_partner()
    a, b = make_customer(p), make_customer(q)
    ingest(paid(a, "100.00", at="2026-03-05T10:00:00-03:00"), paid(a, "100.00", at="2026-04-05T10:00:00-03:00"),
           paid(b, "50.00", at="2026-04-06T10:00:00-03:00"))

    assert reading("partner_arr", "2026-04").value == Decimal("1800.00")  # 12 × 150
    assert reading("partner_arr", "2026-Q2").value == Decimal("0")  # June: nothing paid
    assert reading("revenue_growth", "2026-04").value == Decimal("50.00")  # 150 ÷ 100 − 1
    assert reading("revenue_growth", "2026-03").value is None  # nothing in February
    assert reading("concentration", "2026-04").value == Decimal("66.67")  # 100 of 150
    assert reading("concentration", "2026-Q1").value == Decimal("100.00")


def test_active_partners_per_month_and_the_fewest_months_of_a_quarter():
    partners = [make_partner() for _ in range(3)]
    events = [paid(make_customer(p), "1.00", at="2026-04-10T10:00:00-03:00") for p in partners]
    events.append(paid(make_customer(partners[0]), "1.00", at="2026-05-10T10:00:00-03:00"))
    events.append(paid(make_customer(None), "1.00", at="2026-05-10T10:00:00-03:00"))  # direct: no partner
    ingest(*events)

    assert reading("active_partners", "2026-04").value == Decimal(3)
    assert reading("active_partners", "2026-05").value == Decimal(1)
    assert reading("active_partners", "2026-Q2").value == Decimal(0)  # June had none


def test_partner_nps_takes_each_partners_latest_answer():
    p, q = make_partner(), make_partner()
    assert reading("partner_nps", "2026-Q1").missing == ("partner_satisfaction",)
    figure("partner_satisfaction", date(2026, 1, 1), "3.0", partner=p)
    figure("partner_satisfaction", date(2026, 3, 1), "5.0", partner=p)
    figure("partner_satisfaction", date(2026, 2, 1), "4.0", partner=q)
    assert reading("partner_nps", "2026-Q1").value == Decimal("4.50")  # (5 + 4) ÷ 2
    assert KPIS["partner_nps"].met(Decimal("4.50")) is True


def test_twelve_month_retention_of_a_cohort_and_the_direct_figure_beside_it():
    p = make_partner()
    kept, lost, late = make_customer(p), make_customer(p), make_customer(p)
    d = make_customer(None)
    ingest(paid(kept, "1.00", at="2025-03-10T10:00:00-03:00"), paid(lost, "1.00", at="2025-03-31T23:00:00-03:00"),
           paid(late, "1.00", at="2025-04-01T01:00:00-03:00"),  # April's cohort, not March's
           paid(d, "1.00", at="2025-03-02T10:00:00-03:00"), paid(d, "1.00", at="2026-03-02T10:00:00-03:00"),
           paid(kept, "1.00", at="2026-03-31T22:00:00-03:00"), paid(late, "1.00", at="2026-03-15T10:00:00-03:00"))

    r = reading("retention_12m", "2026-03")
    assert (r.value, r.comparison) == (Decimal("50.00"), Decimal("100.00"))  # 1 of 2; direct 1 of 1
    figure("direct_retention_12m", MARCH, "85")
    assert reading("retention_12m", "2026-03").comparison == Decimal("85.00")
    assert reading("retention_12m", "2026-05").value is None


def test_partner_retention_and_joint_marketing_use_agreements_in_force():
    p, q, r, s = (make_partner() for _ in range(4))
    figure("joint_marketing_activities", date(2024, 3, 1), "4", partner=p)
    nobody = reading("joint_marketing", "2024-03")  # no agreement in force: no one to divide by
    assert (nobody.value, nobody.missing) == (None, ()) and str(nobody.note)
    for partner in (p, q, r, s):
        agreement(partner, date(2025, 1, 15))
    Agreement.objects.filter(partner=s).update(status="terminated", terminated_on=date(2026, 2, 1))
    agreement(make_partner(), date(2026, 1, 10))  # joined later: not in the base

    assert reading("partner_retention", "2026-03").value == Decimal("75.00")  # 3 of 4 still in force
    assert reading("joint_marketing", "2026-Q1").missing == ("joint_marketing_activities",)
    figure("joint_marketing_activities", MARCH, "4", partner=p)
    figure("joint_marketing_activities", APRIL, "2", partner=q)
    # Q1: 4 activities ÷ 4 partners in force on 31 March (p, q, r and the late one) = 1.00 per quarter
    assert reading("joint_marketing", "2026-Q1").value == Decimal("1.00")
    # April alone: 2 × 3 ÷ 4 = 1.50 (scaled to a quarter)
    assert reading("joint_marketing", "2026-04").value == Decimal("1.50")


def test_time_to_value_is_the_median_from_signature_to_first_customer():
    partners = [make_partner() for _ in range(3)]
    for partner, signed in zip(partners, (date(2026, 1, 1), date(2026, 2, 1), date(2025, 12, 1)), strict=True):
        agreement(partner, signed)
    ingest(paid(make_customer(partners[0]), "1.00", at="2026-03-02T10:00:00-03:00"),  # 60 days
           paid(make_customer(partners[1]), "1.00", at="2026-03-03T10:00:00-03:00"),  # 30 days
           paid(make_customer(partners[2]), "1.00", at="2026-03-31T23:00:00-03:00"),  # 120 days
           paid(make_customer(partners[2]), "1.00", at="2026-04-30T23:00:00-03:00"))  # not its first

    assert reading("time_to_value", "2026-03").value == Decimal("60.00")
    assert reading("time_to_value", "2026-04").value is None


def test_deal_size_ratio_uses_first_invoices_in_brl():
    us, br = make_partner(country="US"), make_partner()
    FxRate.objects.create(base="USD", quote="BRL", on_date=date(2026, 3, 1), rate=Decimal("5.0000"), source="t")
    ingest(paid(make_customer(us), "100.00", currency="USD", at="2026-03-05T10:00:00-03:00"),  # R$ 500
           paid(make_customer(br), "300.00", at="2026-03-06T10:00:00-03:00"))
    assert reading("deal_size_ratio", "2026-03").missing == ("direct_deal_size",)
    figure("direct_deal_size", MARCH, "1600.00", currency="BRL")
    # 12 × (500 + 300) ÷ 2 = 4800; ÷ 1600 = 3.00
    assert reading("deal_size_ratio", "2026-03").value == Decimal("3.00")


def test_ltv_without_churn_is_no_data_and_with_churn_against_the_direct_ltv():
    p = make_partner()
    a, b = make_customer(p), make_customer(p)
    ingest(paid(a, "100.00", at="2026-02-05T10:00:00-03:00"), paid(a, "100.00", at="2026-03-05T10:00:00-03:00"),
           paid(b, "100.00", at="2026-03-06T10:00:00-03:00"))
    assert reading("ltv_vs_direct", "2026-03").value is None
    ingest({"id": "churn-b", "type": "customer.churned", "occurred_at": "2026-03-20T10:00:00-03:00",
            "customer": b.external_id})
    figure("direct_ltv", MARCH, "250.00", currency="BRL")
    # 3 customer-months, R$ 300: 100 a month × lifetime 3 ÷ 1 churned = 300; 300 ÷ 250 − 1 = +20 %
    assert reading("ltv_vs_direct", "2026-03").value == Decimal("20.00")


def test_deal_kpis_come_from_the_channel_conflict_report_and_say_no_data_without_deals():
    for key in ("channel_conflict", "sales_cycle", "lead_conversion"):
        r = reading(key, "2026-03")
        assert r.value is None and r.missing == () and str(r.note)


def test_the_docs_state_every_kpis_definition_from_the_registry():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "analytics.md").read_text()
    section = docs.split("## The scorecard", 1)[1]
    for kpi in KPIS.values():
        assert f"| `{kpi.key}` | {kpi.label} |" in section
        assert f"| {kpi.definition} |" in section
