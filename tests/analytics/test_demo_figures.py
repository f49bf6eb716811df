"""The demo program's figures the platform cannot know: every input a KPI needs, for every month of the window,
deterministic from the seed, plausible, recorded through figure_record; and direct customers beside partner ones."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from parceria.analytics.facts import new_customers_by_month, revenue_by_month
from parceria.analytics.inputs import INPUTS
from parceria.analytics.models import ProgramFigure
from parceria.common.models import AuditRecord
from parceria.demo.billing import PLAN_PRICES_BRL, SEAT_SHARE, price_index
from parceria.demo.customers import CHURN_DIRECT
from parceria.demo.figures import PlannedFigure, plan_figures
from parceria.demo.generator import DemoPlan, demo_rng, generate, plan_program
from parceria.demo.timeline import DemoCalendar
from parceria.partners.models import Partner, PartnerStatus

END = date(2026, 3, 1)
SIZES = {"seed": 7, "partners": 12, "customers": 150, "months": 6}
PROGRAM_KEYS = {"direct_cac", "direct_deal_size", "direct_ltv", "direct_retention_12m", "partner_program_cost"}
MONTHLY_PARTNER_KEYS = {"support_tickets", "support_cost", "joint_marketing_activities"}
IMPORTED_ONLY = {"direct_new_customers", "direct_revenue"}  # the demo sends its direct customers' invoices


def _plan() -> DemoPlan:
    calendar = DemoCalendar(END, SIZES["months"])
    return plan_program(seed=SIZES["seed"], partners=SIZES["partners"], customers=SIZES["customers"],
                        calendar=calendar)


def _figures(plan: DemoPlan) -> list[PlannedFigure]:
    return plan_figures(demo_rng(SIZES["seed"], "figures"), plan.calendar, plan.partners, plan.customers)


def _in_program(plan: DemoPlan, index: int, month: int) -> bool:
    spec = plan.partners[index]
    if spec.join_month is None or month < spec.join_month:
        return False
    return not (spec.final_status == PartnerStatus.TERMINATED and month >= (spec.status_change_month or 99))


def test_every_input_a_kpi_needs_is_planned_for_every_month_and_partner_in_the_program():
    plan = _plan()
    figures = _figures(plan)
    assert {f.key for f in figures} == set(INPUTS) - IMPORTED_ONLY
    program = Counter((f.key, f.month) for f in figures if f.partner is None)
    assert program == Counter({(key, m): 1 for key in PROGRAM_KEYS for m in range(6)})
    monthly = {(f.key, f.partner, f.month) for f in figures if f.key in MONTHLY_PARTNER_KEYS}
    expected = {(key, p.index, m) for key in MONTHLY_PARTNER_KEYS for p in plan.partners for m in range(6)
                if _in_program(plan, p.index, m)}
    assert monthly == expected and expected
    # The survey is answered once a quarter, in its last month (December 2025 and March 2026 of this window).
    surveyed = {(f.partner, f.month) for f in figures if f.key == "partner_satisfaction"}
    assert surveyed == {(p.index, m) for p in plan.partners for m in (2, 5) if _in_program(plan, p.index, m)}
    assert not any(f.partner is not None and f.key in PROGRAM_KEYS for f in figures)
    assert all(f.key in {"mdf_spent"} | MONTHLY_PARTNER_KEYS | {"partner_satisfaction"} for f in figures
               if f.partner is not None)
    # MDF goes to preferred and strategic partners only.
    assert {plan.partners[f.partner].tier for f in figures if f.key == "mdf_spent" and f.partner is not None} <= {
        "preferred", "strategic"}


def test_figures_are_deterministic_and_plausible():
    plan = _plan()
    figures = _figures(plan)
    assert figures == _figures(_plan())
    for f in figures:
        definition = INPUTS[f.key]
        assert f.value >= 0 and (f.currency == "BRL") == (definition.unit == "money"), f
        if definition.unit == "money":
            assert f.value == f.value.quantize(Decimal("0.01")), f
        if definition.scale is not None:
            assert definition.scale[0] <= f.value <= definition.scale[1], f
        if definition.unit == "count":
            assert f.value == f.value.to_integral_value(), f
    # The direct-sales figures follow the direct customers the demo bills: the deal size is within 3 % of 12 ×
    # the list price of the plans the month's new direct customers took; retention within 2 % of (1 − hazard)^12.
    for m in range(6):
        new = [PLAN_PRICES_BRL[c.plan] * (1 + SEAT_SHARE * c.seats) for c in plan.customers
               if c.partner is None and c.start_month == m]
        assert new, m
        list_value = 12 * sum(new) / len(new) * price_index(plan.calendar, m)["BRL"]
        deal = next(f.value for f in figures if (f.key, f.month) == ("direct_deal_size", m))
        assert abs(deal / list_value - 1) <= Decimal("0.0301"), (m, deal, list_value)
        retention = next(f.value for f in figures if (f.key, f.month) == ("direct_retention_12m", m))
        assert abs(retention / Decimal(100 * (1 - CHURN_DIRECT) ** 12) - 1) <= Decimal("0.0201")


@pytest.mark.django_db
def test_the_demo_records_its_figures_and_bills_direct_customers_beside_partner_ones():
    summary = generate(**SIZES, end_month=END)
    plan = _plan()
    planned = _figures(plan)
    assert summary.history.program_figures == len(planned) == ProgramFigure.objects.count()
    ids = dict(zip(range(len(plan.partners)), summary.partner_ids, strict=True))
    stored = {(f.key, f.month, f.partner_id): (f.value, f.currency, f.source)
              for f in ProgramFigure.objects.all()}
    assert stored == {(f.key, plan.calendar.first_day(f.month), None if f.partner is None else ids[f.partner]):
                      (f.value, f.currency, "demo") for f in planned}
    assert AuditRecord.objects.filter(action="program_figure.recorded").count() == len(planned)
    assert Partner.objects.filter(application__isnull=True).count() == 12  # and the applicants
    # Both sides of every partner-vs-direct KPI exist: revenue and new customers, direct and through partners.
    first, last = plan.calendar.first_day(0), plan.calendar.first_day(5)
    revenue = revenue_by_month(first, last)
    new = new_customers_by_month(first, last)
    for m in range(6):
        month = plan.calendar.first_day(m)
        assert revenue.month_total(month, channel="direct") > 0 < revenue.month_total(month, channel="partner")
        assert new.get((month, None), 0) > 0 < sum(n for (mm, p), n in new.items() if mm == month and p is not None)
