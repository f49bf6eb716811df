"""A partner's scorecard reads only its peers' figures, and agrees with the program's benchmarks."""

from __future__ import annotations

import pytest

from parceria.analytics.benchmarks import partner_benchmarks, partner_scorecard
from parceria.analytics.facts import new_customers_by_month, revenue_by_month
from parceria.analytics.periods import parse_period
from tests.factories import ingest, make_customer, make_partner, paid

pytestmark = pytest.mark.django_db


def test_the_scorecard_of_one_partner_equals_its_line_of_the_benchmarks():
    a = make_partner(name="A", tier="preferred")
    b = make_partner(name="B", tier="preferred")
    other = make_partner(name="C", tier="strategic")
    for partner, amounts in ((a, ["100.00", "50.00"]), (b, ["70.00"]), (other, ["999.00"])):
        for amount in amounts:
            ingest(paid(make_customer(partner), amount, at="2026-03-10T10:00:00-03:00"))
    period = parse_period("2026-03")

    every = {s.partner_id: s for s in partner_benchmarks(period)}
    for partner in (a, b, other):
        own = partner_scorecard(partner, period)
        assert own.metrics == every[partner.pk].metrics and own.peers == every[partner.pk].peers
    assert partner_scorecard(a, period).metrics["revenue"].percentile == every[a.pk].metrics["revenue"].percentile


def test_the_facts_of_some_partners_are_those_partners_lines():
    a, b = make_partner(), make_partner()
    ingest(paid(make_customer(a), "10.00", at="2026-03-10T10:00:00-03:00"),
           paid(make_customer(b), "20.00", at="2026-03-10T10:00:00-03:00"),
           paid(make_customer(None), "40.00", at="2026-03-10T10:00:00-03:00"))
    march = parse_period("2026-03").first_month

    every = revenue_by_month(march, march).values
    assert revenue_by_month(march, march, partners=[a.pk]).values == {(march, a.pk): every[(march, a.pk)]}
    assert new_customers_by_month(march, march, partners=[b.pk]) == {(march, b.pk): 1}
