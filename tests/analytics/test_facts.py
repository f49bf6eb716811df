"""The monthly facts (analytics.facts): revenue net of refunds in R$, ARR, new customers by first paid invoice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from parceria.analytics.facts import arr_by_month, months, new_customers_by_month, revenue_by_month
from parceria.common.models import FxRate
from tests.factories import ingest, make_customer, make_partner, paid, refunded

pytestmark = pytest.mark.django_db

MARCH, APRIL, MAY = date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)


def test_months_lists_first_days_inclusive():
    assert months(date(2025, 11, 15), date(2026, 2, 3)) == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1),
                                                            date(2026, 2, 1)]


def test_revenue_is_net_of_refunds_per_partner_and_direct_in_brl():
    p = make_partner()
    a, b, d = make_customer(p), make_customer(p), make_customer(None)
    FxRate.objects.create(base="USD", quote="BRL", on_date=date(2026, 3, 30), rate=Decimal("5.1234"), source="t")
    ingest(paid(a, "100.00", invoice_id="i1", at="2026-03-05T10:00:00-03:00"),
           paid(b, "10.00", currency="USD", at="2026-03-31T20:00:00-03:00"),  # local March, UTC April
           paid(d, "40.00", at="2026-03-10T10:00:00-03:00"),
           paid(a, "100.00", invoice_id="i2", at="2026-04-05T10:00:00-03:00"),
           refunded(a, "i1", "30.00", at="2026-04-02T10:00:00-03:00"))

    revenue = revenue_by_month(MARCH, MAY)

    assert revenue.values[(MARCH, p.pk)] == Decimal("151.2340")  # 100 + 10 × 5.1234
    assert revenue.values[(MARCH, None)] == Decimal("40.00")
    assert revenue.values[(APRIL, p.pk)] == Decimal("70.00")  # 100 paid − 30 refunded in April
    assert revenue.month_total(MARCH) == Decimal("151.2340")
    assert revenue.month_total(MARCH, channel="direct") == Decimal("40.00")
    assert revenue.month_total(MARCH, channel="all") == Decimal("191.2340")
    assert revenue.partner_totals(MARCH, APRIL) == {p.pk: Decimal("221.2340")}
    assert revenue.unconverted == 0
    assert arr_by_month(MARCH, MARCH).values[(MARCH, p.pk)] == Decimal("1814.81")  # 151.234 × 12, to the cent


def test_an_amount_without_a_rate_is_left_out_and_counted():
    direct = make_customer(None)  # nothing accrues on a direct customer, so the intake takes it without a rate
    result = ingest(paid(direct, "10.00", currency="USD", at="2026-03-05T10:00:00-03:00"))
    assert result.accepted == 1

    revenue = revenue_by_month(MARCH, MARCH)

    assert revenue.values == {} and revenue.unconverted == 1


def test_a_new_customer_counts_in_the_month_of_its_first_paid_invoice():
    p = make_partner()
    a, b, d = make_customer(p), make_customer(p), make_customer(None)
    make_customer(p)  # never paid: not a customer of any month
    ingest(paid(a, "1.00", at="2026-03-31T23:30:00-03:00"), paid(a, "1.00", at="2026-04-30T10:00:00-03:00"),
           paid(b, "1.00", at="2026-04-01T00:30:00-03:00"), paid(d, "1.00", at="2026-04-15T10:00:00-03:00"))

    assert new_customers_by_month(MARCH, MAY) == {(MARCH, p.pk): 1, (APRIL, p.pk): 1, (APRIL, None): 1}
    assert new_customers_by_month(APRIL, APRIL) == {(APRIL, p.pk): 1, (APRIL, None): 1}
