"""Outbound webhooks: the outbox in the change's transaction, signed deliveries to a real receiver on 127.0.0.1,
retries, 410, the last retry, timeouts, tenant isolation and the URL rules."""

from __future__ import annotations

import shutil
import socket
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import stripe
from django.core import mail
from django.db import transaction
from django.utils import timezone

from parceria.accounts.services import user_create
from parceria.commissions.models import LedgerKind, LedgerLine
from parceria.common.audit import Actor
from parceria.common.errors import InvalidInput
from parceria.common.models import AuditRecord
from parceria.webhooks import secrets
from parceria.webhooks.delivery import RETRY_SECONDS, deliver_due
from parceria.webhooks.models import Attempt, Delivery, DeliveryState, Endpoint, OutboxEvent
from parceria.webhooks.outbox import OutsideTransaction, emit
from parceria.webhooks.services import delivery_resend, endpoint_create, endpoint_ping, endpoint_set_enabled
from parceria.webhooks.urlrules import check_url
from tests.factories import ingest, make_customer, make_partner, paid, refunded
from tests.webhooks.receiver import receiver

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("tests")


@pytest.fixture
def loopback(settings):
    settings.PARCERIA = {**settings.PARCERIA, "WEBHOOKS_ALLOW_LOOPBACK": True, "WEBHOOKS_TIMEOUT": 2}


@pytest.fixture
def production(settings):
    settings.PARCERIA = {**settings.PARCERIA, "WEBHOOKS_ALLOW_LOOPBACK": False}


def _endpoint(url: str, partner=None, types=("payout.paid", "deal.decided")) -> tuple[Endpoint, str]:
    return endpoint_create(partner=partner, url=url, event_types=types, actor=ACTOR)


def _emit(partner, type="payout.paid", data=None) -> OutboxEvent:
    with transaction.atomic():
        event = emit(type, partner=partner, data=data or {"payout_id": 7, "gross": Decimal("1234.5600")})
    assert event is not None
    return event


def _later(seconds: float):
    return timezone.now() + timedelta(seconds=seconds)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_emit_outside_a_transaction_is_refused_and_writes_nothing():
    with pytest.raises(OutsideTransaction):
        emit("payout.paid", partner=None, data={})
    assert not OutboxEvent.objects.exists()


def test_a_rolled_back_change_leaves_no_event_and_no_delivery(loopback):
    partner = make_partner()
    _endpoint("http://127.0.0.1:9/hooks", partner)
    with pytest.raises(RuntimeError), transaction.atomic():
        emit("payout.paid", partner=partner, data={"payout_id": 1})
        raise RuntimeError("the change fails after its event")
    assert not OutboxEvent.objects.exists()
    assert not Delivery.objects.exists()


def test_a_delivery_is_signed_with_the_stripe_scheme_and_verifies_with_the_official_package(loopback):
    partner = make_partner()
    with receiver() as hook:
        _endpoint_row, secret = _endpoint(hook.url, partner)
        hook.secret = secret
        event = _emit(partner)
        assert deliver_due() == 1
    assert hook.bad_signatures == 0
    assert hook.event_ids == [str(event.event_id)]
    got = hook.received[0]
    assert got["body"] == {"id": str(event.event_id), "type": "payout.paid", "version": 1,
                           "created": event.payload["created"], "partner": {"id": partner.pk, "name": partner.name},
                           "data": {"payout_id": 7, "gross": "1234.5600"}}
    assert got["headers"]["User-Agent"].startswith("Parceria-Webhooks/")
    body = secrets.canonical_body(event.payload)
    header = secrets.sign(secret, body)
    stripe.WebhookSignature.verify_header(body.decode(), header, secret, tolerance=300)  # raises if not valid
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(body.decode(), header, "whsec_other", tolerance=300)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 1)
    attempt = Attempt.objects.get()
    assert (attempt.status, attempt.response, attempt.error) == (200, "answered 200", "")


def test_500_is_retried_after_5_seconds_then_200_delivers_then_410_disables_the_endpoint(loopback):
    partner = make_partner()
    with receiver(statuses=[500, 200, 410]) as hook:
        endpoint, hook.secret = _endpoint(hook.url, partner)
        first = _emit(partner)
        started = timezone.now()
        assert deliver_due() == 1
        delivery = Delivery.objects.get(event=first)
        assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 1)
        wait = (delivery.next_attempt_at - started).total_seconds()
        assert RETRY_SECONDS[0] - 1 < wait < RETRY_SECONDS[0] + 1
        assert deliver_due() == 0  # not due yet
        assert deliver_due(now=_later(6)) == 1
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 2)
        second = _emit(partner)
        assert deliver_due() == 1
        third = _emit(partner)  # written while the endpoint is still enabled, parked at delivery
        endpoint.refresh_from_db()
        assert not endpoint.enabled and "410" in endpoint.disabled_reason
        assert deliver_due() == 0
    assert hook.event_ids == [str(first.event_id), str(first.event_id), str(second.event_id)]
    assert [a.status for a in Attempt.objects.order_by("id")] == [500, 200, 410]
    assert Delivery.objects.get(event=second).state == DeliveryState.CANCELLED
    assert Delivery.objects.filter(event=third, endpoint=endpoint).count() == 0  # a disabled endpoint gets none
    assert hook.bad_signatures == 0


def test_after_the_last_retry_the_delivery_fails_the_endpoint_is_flagged_its_owner_mailed_and_the_event_kept(
        loopback, django_capture_on_commit_callbacks):
    partner = make_partner()
    user_create(username="ana@parceira", password=None, role="partner_admin", email="ana@example.com",
                partner=partner, actor=ACTOR)
    with receiver(statuses=[500] * 12) as hook:
        endpoint, hook.secret = _endpoint(hook.url, partner)
        event = _emit(partner)
        now = timezone.now()
        for n in range(len(RETRY_SECONDS) + 1):
            with django_capture_on_commit_callbacks(execute=n == len(RETRY_SECONDS)):
                assert deliver_due(now=now) == 1, n
            delivery = Delivery.objects.get()
            now = (delivery.next_attempt_at or now) + timedelta(seconds=1)
    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, 12)
    assert endpoint.enabled and endpoint.failing_since is not None
    assert OutboxEvent.objects.filter(pk=event.pk).exists()
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]
    assert endpoint.url in mail.outbox[0].body
    with receiver() as hook:  # the owner fixes the receiver and sends it again
        Endpoint.objects.filter(pk=endpoint.pk).update(url=hook.url)
        hook.secret = secrets.unseal(endpoint.secret_sealed)
        delivery_resend(delivery=delivery, actor=ACTOR)
        assert deliver_due() == 1
    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert (delivery.state, delivery.attempts, endpoint.failing_since) == (DeliveryState.DELIVERED, 13, None)
    assert AuditRecord.objects.filter(action="webhook_delivery.resent").count() == 1


def test_a_receiver_that_hangs_times_out_and_is_retried(settings):
    settings.PARCERIA = {**settings.PARCERIA, "WEBHOOKS_ALLOW_LOOPBACK": True, "WEBHOOKS_TIMEOUT": 0.3}
    partner = make_partner()
    with receiver(hold_first=True) as hook:
        _endpoint(hook.url, partner)
        _emit(partner)
        assert deliver_due() == 1
    attempt = Attempt.objects.get()
    assert attempt.status is None and attempt.error == "timed out after 0.3 s"
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 1)


def test_a_partner_endpoint_receives_only_its_own_partners_events_and_a_staff_endpoint_every_partners(loopback):
    ana, bia = make_partner(), make_partner()
    with receiver() as ana_hook, receiver() as bia_hook, receiver() as staff_hook:
        _e, ana_hook.secret = _endpoint(ana_hook.url, ana)
        _e, bia_hook.secret = _endpoint(bia_hook.url, bia)
        _e, staff_hook.secret = _endpoint(staff_hook.url, None)
        for_ana, for_bia = _emit(ana), _emit(bia)
        assert deliver_due() == 4
    assert ana_hook.event_ids == [str(for_ana.event_id)]
    assert bia_hook.event_ids == [str(for_bia.event_id)]
    assert sorted(staff_hook.event_ids) == sorted([str(for_ana.event_id), str(for_bia.event_id)])


def test_an_endpoint_receives_only_the_types_it_asked_for_and_a_ping_on_demand(loopback):
    partner = make_partner()
    with receiver() as hook:
        endpoint, hook.secret = _endpoint(hook.url, partner, types=["deal.decided"])
        _emit(partner, "payout.paid")
        assert not Delivery.objects.exists()
        endpoint_ping(endpoint=endpoint, actor=ACTOR)
        assert deliver_due() == 1
    assert [r["body"]["type"] for r in hook.received] == ["ping"]
    assert AuditRecord.objects.filter(action="webhook_endpoint.pinged", object_id=str(endpoint.pk)).count() == 1


def test_an_intake_request_emits_one_commission_accrued_event_per_partner_with_its_lines(loopback):
    ana, bia = make_partner(), make_partner()
    ana_customer, bia_customer = make_customer(ana), make_customer(bia)
    ingest(paid(ana_customer, "1000.00"), paid(ana_customer, "250.10"), paid(bia_customer, "99.99"))
    events = {e.partner_id: e for e in OutboxEvent.objects.filter(type="commission.accrued")}
    assert sorted(events) == sorted([ana.pk, bia.pk])
    for partner in (ana, bia):
        lines = LedgerLine.objects.filter(partner=partner, kind=LedgerKind.ACCRUAL).order_by("id")
        data = events[partner.pk].payload["data"]
        assert [line["amount"] for line in data["lines"]] == [str(line.amount) for line in lines]
        assert data["totals"] == {"BRL": str(sum(line.amount for line in lines))}
    assert len(events[ana.pk].payload["data"]["lines"]) == 2


def test_the_secret_is_stored_sealed_and_opens_only_with_its_key(loopback, settings):
    endpoint, secret = _endpoint("http://127.0.0.1:9/hooks", None)
    assert secret.startswith("whsec_") and secret not in endpoint.secret_sealed
    assert secrets.unseal(endpoint.secret_sealed) == secret and endpoint.secret_hint == secret[-4:]
    _emit(None)
    settings.SECRET_KEY = "another-key"
    with pytest.raises(ValueError):
        secrets.unseal(endpoint.secret_sealed)
    assert deliver_due() == 1  # the delivery records why it cannot be signed instead of stopping the worker
    attempt = Attempt.objects.get()
    assert attempt.status is None and "SECRET_KEY changed" in attempt.error
    assert Delivery.objects.get().state == DeliveryState.PENDING


def test_disabling_parks_deliveries_and_enabling_makes_them_due_again(loopback):
    partner = make_partner()
    with receiver() as hook:
        endpoint, hook.secret = _endpoint(hook.url, partner)
        _emit(partner)
        endpoint_set_enabled(endpoint=endpoint, enabled=False, actor=ACTOR, reason="maintenance")
        assert deliver_due() == 1
        assert hook.received == [] and Delivery.objects.get().next_attempt_at is None
        endpoint_set_enabled(endpoint=endpoint, enabled=True, actor=ACTOR)
        assert deliver_due() == 1
    assert len(hook.received) == 1 and Delivery.objects.get().state == DeliveryState.DELIVERED


# --- URL rules -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "why"), [
    ("http://93.184.216.34/hooks", "Only https://"),
    ("https://127.0.0.1/hooks", "private, loopback"),
    ("http://127.0.0.1:8000/hooks", "Only https://"),
    ("https://10.1.2.3/hooks", "private, loopback"),
    ("https://192.168.0.10/hooks", "private, loopback"),
    ("https://169.254.169.254/latest/meta-data", "private, loopback"),
    ("https://[::1]/hooks", "private, loopback"),
    ("https://[fe80::1]/hooks", "private, loopback"),
    ("https://[::ffff:10.0.0.1]/hooks", "private, loopback"),
    ("https://0.0.0.0/hooks", "private, loopback"),
    ("https://240.0.0.1/hooks", "private, loopback"),
    ("https://localhost/hooks", "private, loopback"),
    ("ftp://example.com/hooks", "full https://"),
    ("https://user:pw@93.184.216.34/", "user name or password"),
])
def test_production_refuses_plain_http_and_private_loopback_link_local_and_reserved_addresses(production, url, why):
    with pytest.raises(InvalidInput) as refused:
        endpoint_create(partner=None, url=url, event_types=["payout.paid"], actor=ACTOR)
    assert why in refused.value.message
    assert not Endpoint.objects.exists()


def test_production_accepts_an_https_address_that_resolves_to_public_addresses(production):
    assert check_url("https://93.184.216.34/hooks") == ["93.184.216.34"]


def test_a_name_that_resolves_to_a_private_address_at_delivery_is_refused_there_dns_rebinding(production, monkeypatch):
    answers = {"hooks.example.com": "93.184.216.34"}
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    _endpoint("https://hooks.example.com/in", None)
    _emit(None)
    answers["hooks.example.com"] = "10.0.0.5"  # the name now points inside
    assert deliver_due() == 1
    attempt = Attempt.objects.get()
    assert attempt.status is None and attempt.error.startswith("refused: ") and "private" in attempt.error
    assert Delivery.objects.get().state == DeliveryState.PENDING


def test_an_unknown_event_type_or_no_type_is_refused(loopback):
    for types in ([], ["payout.exploded"], ["ping"]):
        with pytest.raises(InvalidInput):
            endpoint_create(partner=None, url="http://127.0.0.1:9/", event_types=types, actor=ACTOR)
    assert not Endpoint.objects.exists()


def test_a_refund_in_an_intake_request_emits_one_commission_clawed_back_event_with_its_negative_lines(loopback):
    partner = make_partner()
    customer = make_customer(partner)
    ingest(paid(customer, "1000.00", invoice_id="inv_claw"))
    ingest(refunded(customer, "inv_claw", "400.00"))
    event = OutboxEvent.objects.get(type="commission.clawed_back")
    lines = LedgerLine.objects.filter(partner=partner, kind=LedgerKind.CLAWBACK)
    assert event.partner_id == partner.pk
    assert [line["amount"] for line in event.payload["data"]["lines"]] == [str(line.amount) for line in lines]
    assert all(Decimal(line["amount"]) < 0 for line in event.payload["data"]["lines"])


def _doc_block(language: str) -> str:
    text = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text()
    return text.split(f"```{language}\n", 1)[1].split("```", 1)[0]


def test_the_python_verification_example_of_the_docs_accepts_a_real_signature_and_refuses_a_forged_one():
    body, secret = b'{"id":"e1","type":"ping"}', "whsec_example"
    header = secrets.sign(secret, body)
    namespace: dict[str, object] = {}
    exec(_doc_block("python"), namespace)  # noqa: S102 - the documentation's own example
    verify = namespace["verify"]
    assert verify(secret, body, header) is True
    assert verify(secret, body + b" ", header) is False
    assert verify("whsec_other", body, header) is False
    assert verify(secret, body, secrets.sign(secret, body, timestamp=1)) is False  # too old


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_the_javascript_verification_example_of_the_docs_accepts_a_real_signature_and_refuses_a_forged_one():
    body, secret = '{"id":"e1","type":"ping"}', "whsec_example"
    header = secrets.sign(secret, body.encode())
    script = _doc_block("js") + (
        f"console.log(JSON.stringify([verify({secret!r}, Buffer.from({body!r}), {header!r}),"
        f" verify({secret!r}, Buffer.from({body!r} + ' '), {header!r})]));")
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=30, check=True).stdout
    assert out.strip() == "[true,false]"


def test_a_transaction_that_writes_many_events_queues_one_delivery_task(loopback, django_capture_on_commit_callbacks):
    ana, bia = make_partner(), make_partner()
    _endpoint("http://127.0.0.1:9/a", ana)
    _endpoint("http://127.0.0.1:9/s", None)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        emit("payout.paid", partner=ana, data={"payout_id": 1})
        emit("payout.paid", partner=bia, data={"payout_id": 2})
        emit("payout.paid", partner=None, data={"payout_id": 3})
    assert len(callbacks) == 1
    pairs = {(d.event.partner_id, d.endpoint.partner_id) for d in Delivery.objects.select_related("event", "endpoint")}
    assert pairs == {(ana.pk, ana.pk), (ana.pk, None), (bia.pk, None), (None, None)}
    assert Delivery.objects.count() == 4
