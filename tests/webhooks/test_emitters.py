"""The services that change what partners hear about write their webhook event in the same transaction: a payout
marked paid or failed, a batch approved, a dispute opened, a deal decided, an agreement's renewal coming up (once)."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from parceria.agreements.selectors import agreement_dates
from parceria.common.audit import Actor
from parceria.deals.services import DealFields, deal_decide, deal_register
from parceria.disputes.services import DisputeClaim, dispute_open
from parceria.payouts.services import batch_approve, payout_mark
from parceria.webhooks.models import OutboxEvent
from tests.agreements.helpers import make_agreement
from tests.factories import make_partner, make_payout

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("tests")


def _events(type: str) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(type=type).order_by("id"))


def test_a_payout_approved_then_paid_writes_payout_approved_and_payout_paid_with_its_amounts():
    partner = make_partner()
    payout = make_payout(partner, date(2026, 3, 1), "1520.00", payment_date=date(2026, 4, 5),
                         withheld={"IRRF": "22.80"})
    batch_approve(batch=payout.batch, actor=Actor(label="fin-1"))
    [approved] = _events("payout.approved")
    assert approved.partner_id == partner.pk
    assert approved.payload["data"] == {"payout_id": payout.pk, "batch_id": payout.batch_id, "currency": "BRL",
                                        "gross": "1520.0000", "net": "1497.2000", "due_date": "2026-04-30",
                                        "payment_date": "2026-04-05"}
    payout_mark(payout=payout, status="paid", source="api", reference="E123", actor=ACTOR)
    payout_mark(payout=payout, status="paid", source="api", reference="E123", actor=ACTOR)  # the same mark: no-op
    [paid] = _events("payout.paid")
    assert paid.payload["data"]["reference"] == "E123" and paid.payload["data"]["net"] == "1497.2000"
    assert not _events("payout.failed")


def test_a_dispute_opened_writes_dispute_updated_for_its_partner():
    partner = make_partner()
    dispute = dispute_open(partner=partner, subject="missing_attribution", actor=ACTOR,
                           claim=DisputeClaim(customer_name="Loja X", description="Loja X veio por nós"))
    [event] = _events("dispute.updated")
    assert (event.partner_id, event.payload["data"]["dispute_id"], event.payload["data"]["status"]) == (
        partner.pk, dispute.pk, "open")


def test_a_deal_decided_at_registration_or_by_staff_writes_deal_decided():
    partner = make_partner()
    registration = deal_register(partner=partner, actor=ACTOR, fields=DealFields(
        company_name="Loja X", country="BR", domain="lojax.com.br", contact_name="Ana",
        contact_email="ana@lojax.com.br", estimated_value="100", currency="BRL"))
    assert registration.status == "approved"  # no conflict: approved at once
    [event] = _events("deal.decided")
    assert (event.payload["data"]["registration_id"], event.payload["data"]["status"]) == (registration.pk,
                                                                                         "approved")
    registration.status = "in_review"
    registration.save(update_fields=["status"])
    deal_decide(registration=registration, approve=False, reason="Já é cliente direto", actor=ACTOR)
    assert [(e.payload["data"]["status"], e.payload["data"]["reason"]) for e in _events("deal.decided")] == [
        ("approved", "Registered: the company is yours until the registration expires."),
        ("rejected", "Já é cliente direto")]


def test_agreements_expire_writes_agreement_renewal_due_once_per_renewal_date():
    partner = make_partner()
    today = timezone.localdate()
    start = today + timedelta(days=10) - timedelta(days=730)  # the first 24-month term ends in about 10 days
    agreement = make_agreement(partner, start_date=start, initial_term_months=24, auto_renewal=True,
                               renewal_term_months=12)
    renewal = agreement_dates(agreement, today).renewal
    assert renewal is not None and today < renewal <= today + timedelta(days=30)
    for _run in range(2):
        call_command("agreements_expire", stdout=StringIO())
    [event] = _events("agreement.renewal_due")
    assert (event.partner_id, event.payload["data"]["agreement_id"], event.payload["data"]["renewal_date"]) == (
        partner.pk, agreement.pk, renewal.isoformat())


def test_every_audited_webhook_action_has_its_label_in_each_language():
    import re
    from pathlib import Path

    from django.utils import translation

    from parceria.common.audit import ACTION_LABELS, action_label

    source = "".join(p.read_text() for p in Path(__file__).resolve().parents[2].joinpath(
        "src", "parceria", "webhooks").rglob("*.py"))
    actions = set(re.findall(r'"(webhook_(?:endpoint|delivery)\.[a-z_]+)"', source))
    assert actions and actions <= set(ACTION_LABELS)
    with translation.override("pt-br"):
        assert action_label("webhook_endpoint.created") == "Endpoint de webhook cadastrado"
    with translation.override("es"):
        assert action_label("webhook_delivery.resent") == "Entrega de webhook enviada de nuevo"
