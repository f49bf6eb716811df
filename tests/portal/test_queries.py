"""List pages run a constant number of queries: the same with 3 rows as with 30 (DESIGN rule 10)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parceria.accounts.services import user_create
from parceria.common.months import add_months
from parceria.disputes.services import DisputeClaim, dispute_open
from parceria.payouts.close import period_close
from tests.factories import SP, credit, ingest, make_customer, make_partner, paid
from tests.portal.conftest import ACTOR, PASSWORD, client_for

PAGES = ["/portal/", "/portal/customers/", "/portal/commissions/", "/portal/payouts/", "/portal/disputes/",
         "/portal/users/", "/portal/customers/?sort=-revenue", "/portal/commissions/?kind=accrual&q=inv"]
FIRST = date(2023, 1, 1)


def grow(partner, start: int, stop: int) -> None:
    """Rows start..stop-1 of every list: customers with a paid invoice, disputes, users, and monthly payouts."""
    for n in range(start, stop):
        customer = make_customer(partner, name=f"Customer {n}", external_id=f"cus_q_{n}")
        ingest(paid(customer, "1000.00", invoice_id=f"inv_q_{n}", at="2026-05-05T10:00:00-03:00"))
        dispute_open(partner=partner, subject="missing_attribution",
                     claim=DisputeClaim(customer_external_id=f"missing_{n}", description="where is it?"), actor=ACTOR)
        user_create(username=f"q{n}@example.com", email=f"q{n}@example.com", password=PASSWORD,
                    role="partner_member", partner=partner, actor=ACTOR)
        month = add_months(FIRST, months=n)
        credit(partner, "150.00", at=datetime(month.year, month.month, 10, 12, 0, tzinfo=SP))
        period_close(month=month, actor=ACTOR, now=datetime(2026, 11, 1, 10, 0, tzinfo=SP))


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.django_db
def test_list_pages_run_the_same_number_of_queries_with_3_and_30_rows():
    partner = make_partner(tier="certified")
    admin = user_create(username="qa@example.com", password=PASSWORD, role="partner_admin", partner=partner,
                        actor=ACTOR)
    client = client_for(admin)
    grow(partner, 0, 3)
    few = {url: count_queries(client, url) for url in PAGES}
    grow(partner, 3, 30)
    many = {url: count_queries(client, url) for url in PAGES}
    assert many == few
    assert all(count <= 16 for count in many.values()), many
    # the home: the session, the user with its partner, 12 for the dashboard and 2 for its community block
    assert many["/portal/"] == 16, many
    # the session, the user, the lines, their payouts' facts, the last closed month, the carried reasons, and the
    # count with the sums per currency (one query on the ledger totals)
    assert many["/portal/commissions/"] == 7, many


@pytest.mark.django_db
def test_the_home_and_the_commissions_list_run_as_many_queries_with_1_line_as_with_30(django_assert_num_queries):
    """The dashboard's earnings by status and next payout, and the list's line statuses and filtered totals, read a
    fixed number of queries: one closed month with a failed payout and a paid one, then 1 or 30 lines."""
    from parceria.payouts.models import Payout, PayoutStatus
    from parceria.payouts.services import payout_mark

    partner = make_partner(tier="certified", pix_key_type="email", pix_key="financeiro@example.com")
    user = user_create(username="q1@example.com", password=PASSWORD, role="partner_member", partner=partner,
                       actor=ACTOR)
    client = client_for(user)
    for month, amount in ((date(2026, 1, 1), "300.00"), (date(2026, 2, 1), "400.00")):
        credit(partner, amount, at=datetime(month.year, month.month, 10, 12, 0, tzinfo=SP))
        period_close(month=month, actor=ACTOR, now=datetime(month.year, month.month + 1, 3, 9, 0, tzinfo=SP))
    first, second = Payout.objects.filter(partner=partner).order_by("id")
    payout_mark(payout=first, status=PayoutStatus.PAID, source="bank", actor=ACTOR)
    payout_mark(payout=second, status=PayoutStatus.FAILED, source="bank", actor=ACTOR)
    urls = ["/portal/", "/portal/commissions/", "/portal/commissions/?q=credit", "/portal/commissions/?kind=adjustment"]
    credit(partner, "1.00", at=datetime(2026, 3, 5, 12, 0, tzinfo=SP), note="line 0")
    one = {url: count_queries(client, url) for url in urls}
    for n in range(1, 30):
        credit(partner, "1.00", at=datetime(2026, 3, 5, 12, n, tzinfo=SP), note=f"line {n}")
    for url in urls:
        with django_assert_num_queries(one[url]):
            assert client.get(url).status_code == 200
