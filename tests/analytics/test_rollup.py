"""The monthly roll-up (analytics.rollup): what it stores equals a fresh computation from the invoices, refunds,
customers and ledger, every kind of write after a build reaches the next read, the month in progress is read live,
the command checks and rebuilds it, and the portal's kept scorecards follow the same writes."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parceria.analytics.benchmarks import partner_benchmarks, partner_scorecard
from parceria.analytics.facts import new_customers_by_month, revenue_by_month
from parceria.analytics.inputs import figure_record
from parceria.analytics.models import BenchmarkSnapshot, MonthFact, RollupState
from parceria.analytics.periods import parse_period
from parceria.analytics.rollup import cells, differences, ensure, last_month_over
from parceria.common.audit import Actor
from parceria.common.models import FxRate
from parceria.common.months import month_start
from parceria.customers.services import CustomerChanges, customer_update
from tests.factories import credit, ingest, make_customer, make_partner, paid, refunded

pytestmark = pytest.mark.django_db

ACTOR = Actor(label="tests")
FEB, MARCH, APRIL = date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)
D = Decimal


def _stored(month: date, partner) -> MonthFact:
    return MonthFact.objects.get(month=month, partner=partner)


def test_a_build_stores_every_month_over_and_agrees_with_a_fresh_computation():
    p = make_partner()
    a, b, d = make_customer(p), make_customer(p), make_customer(None)
    ingest(paid(a, "100.00", invoice_id="a1", at="2026-03-05T10:00:00-03:00"),
           paid(a, "100.00", invoice_id="a2", at="2026-04-05T10:00:00-03:00"),
           paid(b, "50.00", at="2026-04-06T10:00:00-03:00"),
           paid(d, "70.00", at="2026-03-07T10:00:00-03:00"),
           refunded(a, "a2", "30.00", at="2026-04-20T10:00:00-03:00"))

    state = ensure()

    assert (state.first_month, state.last_month, state.version) == (MARCH, last_month_over(), 1)
    march, april = _stored(MARCH, p), _stored(APRIL, p)
    assert (march.revenue, march.new_customers, march.paying_customers, march.first_value, march.first_known,
            march.first_paid_on, march.commissions) == (D("100"), 1, 1, D("100"), 1, date(2026, 3, 5), D("20"))
    # 100 + 50 − 30 refunded; b is new; 20 % of 100 and of 50, less 20 % of the refund
    assert (april.revenue, april.new_customers, april.paying_customers, april.commissions) == (
        D("120"), 1, 2, D("24"))
    assert (_stored(MARCH, None).revenue, _stored(MARCH, None).new_customers) == (D("70"), 1)
    assert differences() == []


def test_a_late_first_invoice_builds_again_from_its_month():
    p = make_partner()
    a = make_customer(p)
    ingest(paid(a, "100.00", at="2026-04-05T10:00:00-03:00"))
    version = ensure().version
    assert _stored(APRIL, p).new_customers == 1

    ingest(paid(a, "40.00", at="2026-03-05T10:00:00-03:00"))  # its real first invoice arrives late

    assert revenue_by_month(MARCH, APRIL).values == {(MARCH, p.pk): D("40"), (APRIL, p.pk): D("100")}
    assert new_customers_by_month(MARCH, APRIL) == {(MARCH, p.pk): 1}  # no longer new in April
    state = RollupState.objects.get()
    assert (state.first_month, state.version) == (MARCH, version + 1)
    assert differences() == []


def test_nothing_new_builds_nothing():
    p = make_partner()
    ingest(paid(make_customer(p), "10.00", at="2026-03-05T10:00:00-03:00"))
    version = ensure().version
    revenue_by_month(MARCH, MARCH)
    new_customers_by_month(MARCH, MARCH)
    assert RollupState.objects.get().version == version


def test_a_customer_attributed_to_another_partner_takes_its_months_along():
    p, q = make_partner(), make_partner()
    c = make_customer(p)
    ingest(paid(c, "100.00", at="2026-03-05T10:00:00-03:00"))
    assert revenue_by_month(MARCH, MARCH).values == {(MARCH, p.pk): D("100")}

    customer_update(customer=c, changes=CustomerChanges(partner_id=q.pk), actor=ACTOR)

    assert revenue_by_month(MARCH, MARCH).values == {(MARCH, q.pk): D("100")}
    assert differences() == []


def test_a_late_fx_rate_reaches_the_reads():
    direct = make_customer(None)
    ingest(paid(direct, "10.00", currency="USD", at="2026-03-05T10:00:00-03:00"))
    revenue = revenue_by_month(MARCH, MARCH)
    assert (revenue.values, revenue.unconverted) == ({}, 1)  # no USD rate yet

    FxRate.objects.create(base="USD", quote="BRL", on_date=date(2026, 3, 2), rate=D("5.25"), source="t")

    revenue = revenue_by_month(MARCH, MARCH)
    assert (revenue.values, revenue.unconverted) == ({(MARCH, None): D("52.5000")}, 0)
    assert differences() == []


def test_an_adjustment_of_a_past_month_reaches_the_reads():
    p = make_partner()
    ingest(paid(make_customer(p), "100.00", at="2026-03-05T10:00:00-03:00"))
    assert cells(MARCH, MARCH)[(MARCH, p.pk)].commissions == D("20.0000")

    credit(p, "-10.00", at="2026-03-25T10:00:00-03:00")

    assert cells(MARCH, MARCH)[(MARCH, p.pk)].commissions == D("10.0000")
    assert differences() == []


def test_a_churn_of_a_past_month_reaches_the_reads():
    p = make_partner()
    c = make_customer(p)
    ingest(paid(c, "10.00", at="2026-03-05T10:00:00-03:00"))
    assert cells(MARCH, MARCH)[(MARCH, p.pk)].churned == 0
    ingest({"id": "churn-late", "type": "customer.churned", "occurred_at": "2026-03-20T10:00:00-03:00",
            "customer": c.external_id})
    assert cells(MARCH, MARCH)[(MARCH, p.pk)].churned == 1


def test_the_month_in_progress_is_read_live_and_never_stored():
    p = make_partner()
    ingest(paid(make_customer(p), "10.00", at="2026-03-05T10:00:00-03:00"))
    moment = timezone.localtime() - timedelta(seconds=1)
    ingest(paid(make_customer(p), "7.00", at=moment.isoformat()))
    this = month_start(moment.date())

    assert revenue_by_month(this, this).values == {(this, p.pk): D("7")}
    assert not MonthFact.objects.filter(month=this).exists()
    assert RollupState.objects.get().last_month < this


def test_retained_counts_the_customers_new_a_year_before_that_paid_in_the_month():
    p = make_partner()
    kept, lost, older = make_customer(p), make_customer(p), make_customer(p)
    ingest(paid(kept, "10.00", at="2025-03-05T10:00:00-03:00"), paid(kept, "10.00", at="2026-03-05T10:00:00-03:00"),
           paid(lost, "10.00", at="2025-03-06T10:00:00-03:00"),
           paid(older, "10.00", at="2025-02-05T10:00:00-03:00"), paid(older, "10.00", at="2026-03-06T10:00:00-03:00"))
    march = cells(MARCH, MARCH)[(MARCH, p.pk)]
    assert (march.retained_12m, march.paying_customers, march.new_customers) == (1, 2, 0)
    assert cells(date(2025, 3, 1), date(2025, 3, 1))[(date(2025, 3, 1), p.pk)].new_customers == 2


def test_the_command_checks_and_rebuilds_the_roll_up(capsys):
    p = make_partner()
    ingest(paid(make_customer(p), "10.00", at="2026-03-05T10:00:00-03:00"))
    call_command("analytics_rollup", "--check")
    assert "agrees with the invoices" in capsys.readouterr().out

    MonthFact.objects.filter(month=MARCH, partner=p).update(revenue=D("1"))  # damaged by hand
    with pytest.raises(CommandError, match="1 month"):
        call_command("analytics_rollup", "--check")
    assert "revenue stored 1" in capsys.readouterr().out

    call_command("analytics_rollup", "--rebuild")
    call_command("analytics_rollup", "--check")
    assert _stored(MARCH, p).revenue == D("10")

    MonthFact.objects.filter(month=MARCH, partner=p).update(revenue=D("2"))
    call_command("analytics_rollup", "--check", "--repair")
    assert "Built again from 2026-03" in capsys.readouterr().out
    assert _stored(MARCH, p).revenue == D("10") and differences() == []


_ids = itertools.count()
MONTHS = [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 4), st.integers(1, 9999)), min_size=1,
                      max_size=6),
       late=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 4), st.integers(1, 9999)), max_size=4))
def test_any_writes_in_any_order_leave_the_roll_up_equal_to_a_fresh_computation(first, late):
    partners = [make_partner(), make_partner(), None]
    customers = [make_customer(p) for p in partners]

    def events(rows):
        return [paid(customers[c], f"{cents / 100:.2f}", invoice_id=f"h{next(_ids)}",
                     at=f"{MONTHS[m]:%Y-%m}-{1 + cents % 27:02d}T10:00:00-03:00") for c, m, cents in rows]

    ingest(*events(first))
    ensure()
    if late:
        ingest(*events(late))
    assert differences() == []


# --- the portal's kept scorecards -----------------------------------------------------------------------------


def _pay(partner, amount: str) -> None:
    ingest(paid(make_customer(partner), amount, at="2026-03-10T10:00:00-03:00"))


def test_a_scorecard_of_a_month_over_is_kept_for_its_peer_group_and_then_read_in_one_row(
        django_assert_max_num_queries):
    p, q, other = make_partner(tier="certified"), make_partner(tier="certified"), make_partner(tier="preferred")
    _pay(p, "100.00"), _pay(q, "300.00"), _pay(other, "50.00")
    march = parse_period("2026-03")

    first = partner_scorecard(p, march)

    kept = set(BenchmarkSnapshot.objects.filter(period="2026-03").values_list("partner_id", flat=True))
    assert kept == {p.pk, q.pk}  # the peer group, not the other tier
    with django_assert_max_num_queries(7):  # the roll-up's look (state and four newest rows) and the kept row
        again = partner_scorecard(q, march)
    fresh = {s.partner_id: s for s in partner_benchmarks(march)}
    assert (first, again) == (fresh[p.pk], fresh[q.pk])
    assert (again.value("revenue"), again.metrics["revenue"].percentile) == (D("300.00"), D("75.0"))


def test_a_kept_scorecard_gives_way_to_a_late_invoice_and_to_an_imported_figure():
    p, q = make_partner(tier="certified"), make_partner(tier="certified")
    _pay(p, "100.00"), _pay(q, "300.00")
    march = parse_period("2026-03")
    assert partner_scorecard(p, march).value("revenue") == D("100.00")

    ingest(paid(make_customer(p), "500.00", at="2026-03-20T10:00:00-03:00"))
    assert partner_scorecard(p, march).value("revenue") == D("600.00")

    figure_record(key="partner_satisfaction", month=MARCH, value=D("4"), partner=p, actor=ACTOR)
    assert partner_scorecard(p, march).value("nps") == D("4.00")


def test_the_period_in_progress_is_never_kept():
    p = make_partner(tier="certified")
    moment = timezone.localtime() - timedelta(seconds=1)
    ingest(paid(make_customer(p), "7.00", at=moment.isoformat()))
    this = parse_period(f"{moment:%Y-%m}")
    assert partner_scorecard(p, this).value("revenue") == D("7.00")
    assert not BenchmarkSnapshot.objects.exists()
