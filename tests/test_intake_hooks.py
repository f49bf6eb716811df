"""The intake tells the apps above customers what it recorded through customers.hooks (no signals): a handler hears
once per batch which referrers' customers paid, inside the batch's transaction."""

from __future__ import annotations

import pytest

from parceria.commissions.models import LedgerLine
from parceria.customers import hooks
from parceria.customers.models import Event, Invoice
from parceria.enablement.services import certifications_issue_after_payment
from tests.factories import ingest, make_customer, make_partner, paid, usage

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard(monkeypatch):
    """Only a recording handler is registered for the test."""
    calls: list[tuple[frozenset[int], str]] = []

    def record(*, partner_ids, actor, now):
        calls.append((frozenset(partner_ids), actor.label))

    monkeypatch.setattr(hooks, "_INVOICES_PAID", [])
    hooks.on_invoices_paid(record)
    hooks.on_invoices_paid(record)  # registering twice changes nothing
    return calls


def test_a_batch_with_paid_invoices_calls_the_handler_once_with_their_referrers(heard):
    ana, beto, idle = make_partner(name="Ana"), make_partner(name="Beto"), make_partner(name="Idle")
    first, second, third = make_customer(ana), make_customer(ana), make_customer(beto)
    make_customer(idle)
    result = ingest(paid(first, "100.00"), paid(second, "200.00"), paid(third, "300.00"))
    assert result.accepted == 3
    assert heard == [(frozenset({ana.pk, beto.pk}), "tests")]


def test_a_batch_without_a_paid_invoice_calls_no_handler(heard):
    customer = make_customer(make_partner())
    assert ingest(usage(customer, "10")).accepted == 1
    assert heard == []


def test_a_handler_that_fails_rolls_the_whole_batch_back(monkeypatch):
    def fail(*, partner_ids, actor, now):
        raise RuntimeError("handler failed")

    monkeypatch.setattr(hooks, "_INVOICES_PAID", [fail])
    customer = make_customer(make_partner(tier="preferred"))
    with pytest.raises(RuntimeError, match="handler failed"):
        ingest(paid(customer, "100.00"))
    assert (Event.objects.count(), Invoice.objects.count(), LedgerLine.objects.count()) == (0, 0, 0)


def test_enablement_listens_for_paid_invoices():
    assert certifications_issue_after_payment in hooks._INVOICES_PAID
