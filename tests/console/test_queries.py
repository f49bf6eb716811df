"""Every console list page makes the same number of queries with 3 rows as with 30 (DESIGN rule 10)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parceria.common.audit import Actor
from parceria.customers.models import EventBatch, EventSource
from parceria.disputes.adjustments import adjustment_request
from parceria.disputes.services import DisputeClaim, dispute_open
from parceria.payouts.close import period_close
from parceria.payouts.models import PayoutBatch
from tests.factories import ACTOR, SP, credit, make_customer, make_partner


def add_rows(count: int, at: str) -> list:
    partners = []
    for n in range(count):
        partner = make_partner(name=f"Busca {n}")
        make_customer(partner, name=f"Busca cliente {n}")
        credit(partner, "200.00", at=at)
        dispute_open(partner=partner, subject="missing_attribution", actor=ACTOR,
                     claim=DisputeClaim(customer_name=f"Loja {n}", description="veio por nós"))
        adjustment_request(partner=partner, amount="5000.00", reason="bônus", actor=Actor(label="other"))
        EventBatch.objects.create(source=EventSource.API, submitted_by="tests", received=2, accepted=1, duplicates=0,
                                  rejected=[{"index": 1, "id": f"e{n}", "error": "unknown customer"}])
        partners.append(partner)
    return partners


def pages(batch: PayoutBatch, partner_id: int) -> list[str]:
    return ["/console/", "/console/partners/", "/console/partners/?status=active&sort=-name", "/console/payouts/",
            "/console/payouts/?late=on", "/console/disputes/", "/console/disputes/?status=all",
            "/console/adjustments/", "/console/intake/", "/console/search/?q=Busca", "/console/close/",
            "/console/close/?stage=awaiting_approval", "/console/ledger/",
            "/console/ledger/?kind=adjustment&currency=BRL", "/console/balances/",
            "/console/balances/?sign=all&currency=BRL",
            f"/console/batches/{batch.pk}/", f"/console/partners/{partner_id}/"]


def count_queries(client, urls: list[str]) -> list[tuple[str, int]]:
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        counts.append((url.split("/")[2] or "home", len(ctx.captured_queries)))
    return counts


@pytest.mark.django_db
def test_list_pages_make_a_constant_number_of_queries(finance):
    first = add_rows(3, "2026-02-10T12:00:00-03:00")
    february = period_close(month=date(2026, 2, 1), actor=ACTOR, now=datetime(2026, 3, 5, tzinfo=SP))
    small = count_queries(finance, pages(PayoutBatch.objects.get(pk=february.batch_id), first[0].pk))
    more = first + add_rows(27, "2026-03-10T12:00:00-03:00")
    for partner in first:
        credit(partner, "300.00", at="2026-03-11T12:00:00-03:00")
    march = period_close(month=date(2026, 3, 1), actor=ACTOR, now=datetime(2026, 4, 5, tzinfo=SP))
    assert PayoutBatch.objects.get(pk=march.batch_id).payouts.count() == 30
    large = count_queries(finance, pages(PayoutBatch.objects.get(pk=march.batch_id), more[0].pk))
    assert small == large
