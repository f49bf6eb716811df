"""Revenue in R$ (built into the monthly roll-up) reads each table once: R$ amounts grouped by month, other
currencies by the day they were paid or refunded, each day at its own rate (rounded half-even to 4 places per partner
and day), refunds the same way."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parceria.analytics.facts import revenue_by_month
from parceria.common.models import FxRate
from tests.factories import ingest, make_customer, make_partner, paid, refunded

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)


def test_foreign_amounts_convert_per_day_and_refunds_the_same_way_in_one_pass_per_table():
    p = make_partner()
    a, b, d = make_customer(p), make_customer(p), make_customer(None)
    FxRate.objects.create(base="USD", quote="BRL", on_date=date(2026, 3, 2), rate=Decimal("5.00005"), source="t")
    FxRate.objects.create(base="USD", quote="BRL", on_date=date(2026, 3, 20), rate=Decimal("5.5"), source="t")
    ingest(paid(a, "10.01", currency="USD", invoice_id="u1", at="2026-03-03T10:00:00-03:00"),
           paid(b, "0.01", currency="USD", invoice_id="u2", at="2026-03-03T23:30:00-03:00"),  # UTC the 4th
           paid(a, "20.00", currency="USD", invoice_id="u3", at="2026-03-21T10:00:00-03:00"),
           paid(d, "40.00", at="2026-03-10T10:00:00-03:00"),
           paid(d, "2.50", invoice_id="d2", at="2026-03-31T22:00:00-03:00"),  # UTC April, local March
           refunded(a, "u3", "4.00", currency="USD", at="2026-03-25T10:00:00-03:00"))

    with CaptureQueriesContext(connection) as queries:
        revenue = revenue_by_month(MARCH, MARCH)

    # The 3rd (local): (10.01 + 0.01) × 5.00005 = 50.100501 → 50.1005; the 21st: 20 × 5.5 = 110; refund 4 × 5.5 = 22.
    assert revenue.values == {(MARCH, p.pk): Decimal("138.1005"), (MARCH, None): Decimal("42.50")}
    assert revenue.unconverted == 0
    sums = [q["sql"] for q in queries.captured_queries if "SUM(" in q["sql"].upper()]
    # The build of the months: one pass over the invoices, the refunds, the first invoices and the ledger.
    assert [("refund" in q, "ledgerline" in q, "EXISTS" in q.upper()) for q in sums] == [
        (False, False, False), (True, False, False), (False, False, True), (False, True, False)]

    with CaptureQueriesContext(connection) as queries:
        assert revenue_by_month(MARCH, MARCH).values == revenue.values
    assert not [q for q in queries.captured_queries if "SUM(" in q["sql"].upper()]  # built: read from the roll-up
