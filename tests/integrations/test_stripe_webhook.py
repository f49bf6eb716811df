"""The Stripe-compatible intake (POST /api/v1/integrations/stripe/webhook): requests signed with the official
`stripe` package, payloads of Stripe's documented shapes (stripe_payloads.py), every mapping to the cent, replays,
and every bad request answered 4xx with nothing stored."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal as D

import pytest
import stripe
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from parceria.commissions.models import LedgerLine
from parceria.common.audit import Actor
from parceria.customers.models import AttributionClaim, Customer, Event, EventBatch, Invoice, Refund
from parceria.integrations.models import StripeEvent
from parceria.integrations.stripe_mapping import stripe_amount
from parceria.integrations.stripe_signature import SignatureError, parse_header, verify
from parceria.referrals.services import coupon_create, link_create
from tests.factories import make_customer, make_partner
from tests.integrations import stripe_payloads as sp

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("tests")


@pytest.fixture(autouse=True)
def stripe_secret(settings):
    settings.PARCERIA_STRIPE_WEBHOOK_SECRET = sp.SECRET
    settings.PARCERIA_STRIPE_TOLERANCE_SECONDS = 300


@pytest.fixture
def referrer():
    return make_partner(tier="preferred")  # 25 %


@pytest.fixture
def cus_a(referrer):
    return make_customer(referrer, external_id="cus_A")


def stored():
    return (StripeEvent.objects.count(), Event.objects.count(), EventBatch.objects.count(), Invoice.objects.count(),
            Refund.objects.count(), LedgerLine.objects.count(), Customer.objects.count(),
            AttributionClaim.objects.count())


def amounts(kind: str) -> list[D]:
    return list(LedgerLine.objects.filter(kind=kind).order_by("id").values_list("amount", flat=True))


# --- invoice.paid -----------------------------------------------------------------------------------------------------


def test_invoice_paid_accrues_to_the_cent_with_the_lines_period(cus_a):
    response = sp.post(sp.event("invoice.paid", sp.invoice(amount_paid=123456)))

    assert response.status_code == 200, response.content
    assert response.json() == {"id": "evt_1", "type": "invoice.paid", "status": "processed", "reason": None,
                               "recorded": ["evt_1"], "customer": None, "created": None, "claims": None}
    inv = Invoice.objects.get()
    assert (inv.invoice_id, inv.customer_id, inv.amount, inv.currency) == ("in_1", cus_a.pk, D("1234.56"), "BRL")
    assert (inv.period_start, inv.period_end) == (date(2026, 3, 1), date(2026, 3, 31))
    assert inv.event_id == "evt_1"
    assert amounts("accrual") == [D("308.6400")]
    assert StripeEvent.objects.get().status == "processed"


def test_a_replayed_event_is_accepted_once_with_the_same_answer(cus_a):
    payload = sp.event("invoice.paid", sp.invoice())
    first = sp.post(payload)
    after = stored()
    # Stripe's retries carry the same event id; fields such as pending_webhooks may differ.
    replays = [sp.post({**payload, "pending_webhooks": n}) for n in range(3)]

    assert [r.status_code for r in replays] == [200, 200, 200]
    assert all(r.json() == first.json() for r in replays)
    assert stored() == after
    assert amounts("accrual") == [D("250.0000")]


def test_zero_decimal_currencies_are_whole_units(referrer):
    chilean = make_partner(country="CL", tier="preferred")
    make_customer(chilean, external_id="cus_CL", country="CL")

    response = sp.post(sp.event("invoice.paid", sp.invoice(customer="cus_CL", amount_paid=49990, currency="clp")))

    assert response.status_code == 200, response.content
    assert Invoice.objects.values_list("amount", "currency").get() == (D("49990"), "CLP")
    assert amounts("accrual") == [D("12497.5000")]


def test_stripe_amounts_follow_stripes_currency_list():
    assert stripe_amount(1999, "usd", where="x") == D("19.99")
    assert stripe_amount(5000, "clp", where="x") == D("5000")
    assert stripe_amount(5000, "JPY", where="x") == D("5000")
    assert stripe_amount(1234, "kwd", where="x") == D("1.234")


def test_a_currency_parceria_does_not_take_is_refused_and_nothing_is_kept(cus_a):
    before = stored()

    response = sp.post(sp.event("invoice.paid", sp.invoice(amount_paid=5000, currency="jpy")))

    assert response.status_code == 422
    assert "unknown currency 'JPY'" in response.json()["error"]["message"]
    assert stored()[:2] == before[:2] and stored()[3:] == before[3:]  # only the intake's batch log
    assert EventBatch.objects.get().rejected[0]["code"] == "invalid_event"


def test_an_invoice_of_a_customer_not_known_yet_is_refused_then_taken_when_retried(referrer):
    payload = sp.event("invoice.paid", sp.invoice(customer="cus_new"), event_id="evt_inv")

    refused = sp.post(payload)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "unknown_customer"
    assert (StripeEvent.objects.count(), Event.objects.count(), Invoice.objects.count()) == (0, 0, 0)

    assert sp.post(sp.event("customer.created", sp.customer(customer_id="cus_new"), event_id="evt_cus")).status_code \
        == 200
    retried = sp.post(payload)
    assert retried.status_code == 200, retried.content
    assert Invoice.objects.values_list("amount", flat=True).get() == D("1000.00")


def test_an_invoice_that_paid_nothing_is_acknowledged_and_ignored(cus_a):
    response = sp.post(sp.event("invoice.paid", sp.invoice(amount_paid=0)))

    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert "amount_paid 0" in response.json()["reason"]
    assert (Event.objects.count(), Invoice.objects.count()) == (0, 0)


def test_an_invoice_coupon_claims_the_customer_for_its_partner():
    partner = make_partner(tier="preferred")
    coupon_create(partner=partner, code="AZUL10", actor=ACTOR)
    direct = make_customer(external_id="cus_A")
    discounts = [{"id": "di_1", "object": "discount", "coupon": {"id": "AZUL10", "object": "coupon"}}]

    response = sp.post(sp.event("invoice.paid", sp.invoice(discounts=discounts)))

    assert response.status_code == 200, response.content
    direct.refresh_from_db()
    assert direct.partner_id == partner.pk
    assert list(LedgerLine.objects.values_list("partner_id", "amount")) == [(partner.pk, D("250.0000"))]


# --- refunds ----------------------------------------------------------------------------------------------------------


def _paid(cus_a):
    assert sp.post(sp.event("invoice.paid", sp.invoice(), event_id="evt_paid")).status_code == 200


def test_charge_refunded_claws_back_each_refund_once(cus_a):
    _paid(cus_a)
    first = sp.post(sp.event("charge.refunded", sp.charge(refunds=[sp.refund("re_1", 30000)]), event_id="evt_r1"))
    second = sp.post(sp.event(
        "charge.refunded", sp.charge(refunds=[sp.refund("re_2", 10050, at="2026-03-11T12:00:00"),
                                              sp.refund("re_1", 30000)]), event_id="evt_r2"))

    assert (first.status_code, second.status_code) == (200, 200), second.content
    assert list(Refund.objects.order_by("refunded_at").values_list("event_id", "amount")) == [
        ("re_1", D("300.00")), ("re_2", D("100.50"))]
    assert amounts("clawback") == [D("-75.0000"), D("-25.1250")]


def test_charge_refunded_without_its_refunds_list_uses_what_was_refunded_before(cus_a):
    _paid(cus_a)
    obj = {**sp.charge(), "amount_refunded": 40000, "refunds": None}
    response = sp.post(sp.event("charge.refunded", obj, previous_attributes={"amount_refunded": 10000}))

    assert response.status_code == 200, response.content
    assert list(Refund.objects.values_list("event_id", "amount")) == [("evt_1", D("300.00"))]


def test_a_charge_without_an_invoice_is_acknowledged_and_ignored(cus_a):
    _paid(cus_a)
    response = sp.post(sp.event("charge.refunded", sp.charge(refunds=[sp.refund("re_1", 100)], invoice_id=None)))

    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert Refund.objects.count() == 0


def test_a_refund_of_an_invoice_not_known_is_refused(cus_a):
    response = sp.post(sp.event("charge.refunded", sp.charge(refunds=[sp.refund("re_1", 100)], invoice_id="in_x")))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_invoice"
    assert (StripeEvent.objects.count(), Refund.objects.count(), LedgerLine.objects.count()) == (0, 0, 0)


def test_a_credit_note_and_the_charge_refund_it_made_claw_back_once(cus_a):
    _paid(cus_a)
    # 300.00 back: 200.00 refunded to the card (re_1), 100.00 credited to the customer's balance.
    note = sp.post(sp.event("credit_note.created", sp.credit_note(amount=30000, refunds=[("re_1", 20000)]),
                            event_id="evt_cn"))
    refund = sp.post(sp.event("charge.refunded", sp.charge(refunds=[sp.refund("re_1", 20000)]), event_id="evt_ch"))

    assert (note.status_code, refund.status_code) == (200, 200), refund.content
    assert note.json()["recorded"] == ["re_1", "cn_1"]
    assert sorted(Refund.objects.values_list("event_id", "amount")) == [("cn_1", D("100.00")), ("re_1", D("200.00"))]
    assert sorted(amounts("clawback")) == [D("-50.0000"), D("-25.0000")]


def test_a_credit_note_of_an_older_api_version_names_one_refund_and_claws_back_once(cus_a):
    _paid(cus_a)
    legacy = {**sp.credit_note(amount=20000), "refund": "re_1"}
    del legacy["refunds"]
    note = sp.post(sp.event("credit_note.created", legacy, event_id="evt_cn"))
    refund = sp.post(sp.event("charge.refunded", sp.charge(refunds=[sp.refund("re_1", 20000)]), event_id="evt_ch"))

    assert (note.status_code, refund.status_code) == (200, 200), note.content
    assert list(Refund.objects.values_list("event_id", "amount")) == [("re_1", D("200.00"))]
    assert amounts("clawback") == [D("-50.0000")]


def test_a_credit_note_on_an_unpaid_invoice_is_ignored(cus_a):
    _paid(cus_a)
    response = sp.post(sp.event("credit_note.created", sp.credit_note(note_type="pre_payment")))

    assert response.json()["status"] == "ignored"
    assert Refund.objects.count() == 0


# --- customers --------------------------------------------------------------------------------------------------------


def test_customer_created_creates_the_customer_and_its_referral_claims_it():
    partner = make_partner()
    link = link_create(partner=partner, landing_url="https://loja.example.com/", actor=ACTOR)
    payload = sp.event("customer.created", sp.customer(metadata={"parceria_referral": link.code.upper()}))

    response = sp.post(payload)

    assert response.status_code == 200, response.content
    assert response.json()["claims"] == [{"source": "referral", "code": link.code.upper(), "outcome": "attributed"}]
    customer = Customer.objects.get()
    assert (customer.external_id, customer.name, customer.country, customer.partner_id) == (
        "cus_A", "Loja Azul Ltda", "BR", partner.pk)
    before = stored()
    assert sp.post(payload).json() == response.json()
    assert stored() == before


def test_customer_created_with_a_coupon_and_without_name_or_address(settings):
    settings.PARCERIA_STRIPE_DEFAULT_COUNTRY = "MX"
    partner = make_partner()
    coupon_create(partner=partner, code="AZUL10", actor=ACTOR)

    response = sp.post(sp.event("customer.created", sp.customer(name=None, country=None, coupon="azul10")))

    assert response.status_code == 200, response.content
    customer = Customer.objects.get()
    assert (customer.name, customer.country, customer.partner_id) == (
        "financeiro@lojaazul.example.com", "MX", partner.pk)
    assert list(AttributionClaim.objects.values_list("source", "code", "won")) == [("coupon", "AZUL10", True)]


@pytest.mark.parametrize(("value", "stored_as"), [("11.222.333/0001-81", "11222333000181"), ("11.222.333/0001-80", "")])
def test_a_customers_cnpj_is_kept_when_valid_and_dropped_when_not(value, stored_as):
    obj = {**sp.customer(), "tax_ids": {"object": "list", "data": [{"id": "txi_1", "object": "tax_id",
                                                                    "type": "br_cnpj", "value": value}]}}
    response = sp.post(sp.event("customer.created", obj))

    assert response.status_code == 200, response.content
    assert Customer.objects.values_list("tax_id", flat=True).get() == stored_as


def test_a_coupon_longer_than_any_code_is_not_named_and_the_invoice_accrues(cus_a):
    discounts = [{"id": "di_1", "object": "discount", "coupon": {"id": "X" * 41, "object": "coupon"}}]

    response = sp.post(sp.event("invoice.paid", sp.invoice(discounts=discounts)))

    assert response.status_code == 200, response.content
    assert amounts("accrual") == [D("250.0000")]


def test_subscription_deleted_churns_the_customer(cus_a):
    response = sp.post(sp.event("customer.subscription.deleted", sp.subscription()))

    assert response.status_code == 200, response.content
    cus_a.refresh_from_db()
    assert cus_a.status == "churned"
    assert cus_a.churned_at.isoformat() == "2026-03-20T12:00:00+00:00"


def test_an_unknown_type_is_acknowledged_and_ignored(cus_a):
    response = sp.post(sp.event("payment_intent.created", {"id": "pi_1", "object": "payment_intent"}))

    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert (StripeEvent.objects.get().status, Event.objects.count(), EventBatch.objects.count()) == ("ignored", 0, 0)


# --- bad requests: 400 (503), nothing stored --------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["tampered", "wrong_secret", "stale", "future", "missing", "garbage", "no_v1"])
def test_a_bad_or_stale_signature_is_400_and_stores_nothing(cus_a, case):
    payload = sp.event("invoice.paid", sp.invoice())
    before = stored()
    _, header = sp.signed(payload)
    if case == "tampered":
        response = sp.post(payload, header=sp.signed({**payload, "id": "evt_other"})[1])
    elif case == "wrong_secret":
        response = sp.post(payload, secret="whsec_someone_else")
    elif case == "stale":
        response = sp.post(payload, timestamp=int(time.time()) - 301)
    elif case == "future":
        response = sp.post(payload, timestamp=int(time.time()) + 330)
    elif case == "missing":
        response = sp.post(payload, header="")
    elif case == "garbage":
        response = sp.post(payload, header="t=abc,v1=\u00e9")
    else:
        response = sp.post(payload, header=header.replace("v1=", "v0="))

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid_signature"
    assert stored() == before


def test_a_timestamp_within_the_tolerance_and_a_rolled_secret_are_accepted(cus_a):
    payload = sp.event("invoice.paid", sp.invoice())
    _, good = sp.signed(payload, timestamp=int(time.time()) - 290)
    _, old = sp.signed(payload, secret="whsec_old_secret", timestamp=int(time.time()) - 290)
    header = f"{old},{good.split(',')[1]}"  # t=…,v1=<old secret's>,v1=<current secret's>

    response = sp.post(payload, header=header)

    assert response.status_code == 200, response.content


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"id": "evt_1", "type": "invoice.paid"}',
                                  b'{"id": "evt_1", "type": "invoice.paid", "created": 1772712000, "data": {}}',
                                  b"\xff\xfe"])
def test_a_signed_body_that_is_not_a_stripe_event_is_400(cus_a, body):
    before = stored()
    response = sp.post(body)

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] in ("malformed_request", "malformed_event")
    assert stored() == before


def test_an_object_of_the_wrong_shape_is_400_naming_the_field(cus_a):
    response = sp.post(sp.event("invoice.paid", {**sp.invoice(), "amount_paid": "1000.00"}))

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "malformed_event",
        "message": "invoice.amount_paid must be a whole, non-negative number of the currency's smallest unit"}
    assert StripeEvent.objects.count() == 0


def test_without_a_secret_the_endpoint_answers_503(settings, cus_a):
    settings.PARCERIA_STRIPE_WEBHOOK_SECRET = ""
    response = sp.post(sp.event("invoice.paid", sp.invoice()))

    assert response.status_code == 503
    assert "PARCERIA_STRIPE_WEBHOOK_SECRET" in response.json()["error"]["message"]
    assert StripeEvent.objects.count() == Event.objects.count() == 0


# --- the signature check itself (no database) -------------------------------------------------------------------------


@pytest.mark.django_db(False)
@hsettings(max_examples=60, deadline=None)
@given(body=st.binary(max_size=300), secret=st.text(min_size=1, max_size=40), now=st.integers(10**9, 2 * 10**9))
def test_our_check_accepts_what_the_official_helper_signs(body, secret, now):
    text = body.decode("latin-1")
    header = stripe.WebhookSignature.generate_signature_header(text, secret, timestamp=now)
    assert verify(body=text.encode(), header=header, secret=secret, tolerance=300, now=now) == now
    with pytest.raises(SignatureError):
        verify(body=text.encode() + b" ", header=header, secret=secret, tolerance=300, now=now)


@pytest.mark.django_db(False)
@hsettings(max_examples=200, deadline=None)
@given(header=st.text(max_size=200))
def test_any_header_text_is_a_signature_error_or_parsed(header):
    try:
        timestamp, signatures = parse_header(header)
    except SignatureError:
        return
    assert timestamp >= 0 and signatures


# --- any object of a handled type: a mapping or a 400, never a server error -------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.text(max_size=12) | st.sampled_from(
        ["in_1", "cus_A", "brl", "clp", "issued", "pre_payment", "succeeded", "re_1"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_FIELDS = st.sampled_from(["id", "customer", "currency", "amount_paid", "lines", "status_transitions", "invoice",
                           "refunds", "amount_refunded", "post_payment_amount", "type", "status", "discount",
                           "discounts", "metadata", "address", "created", "ended_at", "period_start", "period_end",
                           "refund", "name", "tax_ids"])


@pytest.mark.django_db(False)
@hsettings(max_examples=300, deadline=None)
@given(event_type=st.sampled_from(["invoice.paid", "charge.refunded", "credit_note.created", "customer.created",
                                   "customer.subscription.deleted"]),
       base=st.sampled_from(["invoice", "charge", "credit_note", "customer", "subscription"]),
       changes=st.dictionaries(_FIELDS, _JSON, max_size=4),
       previous=st.none() | st.dictionaries(st.just("amount_refunded"), _JSON))
def test_any_object_maps_or_is_a_malformed_event(event_type, base, changes, previous):
    from datetime import UTC, datetime

    from parceria.integrations.stripe_mapping import Ignored, IntakeEvents, NewCustomer, StripeShapeError, map_event

    obj = {**getattr(sp, base)(), **changes}
    event = {**sp.event(event_type, obj), "created_at": datetime(2026, 3, 5, tzinfo=UTC)}
    if previous is not None:
        event["data"]["previous_attributes"] = previous
    try:
        mapped = map_event(event)
    except StripeShapeError as exc:
        assert str(exc)  # a 400 that says what is wrong
    else:
        assert isinstance(mapped, Ignored | IntakeEvents | NewCustomer)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_events_delivered_at_once_are_taken_once():
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("concurrent deliveries wait on each other's row locks, which SQLite does not take")
    partner = make_partner(tier="preferred")
    make_customer(partner, external_id="cus_A")
    payloads = [sp.event("invoice.paid", sp.invoice(), event_id="evt_race"),
                sp.event("customer.created", sp.customer(customer_id="cus_B"), event_id="evt_race_cus")]
    answers: list[tuple[int, str]] = []
    barrier = threading.Barrier(8)

    def deliver(payload):
        try:
            barrier.wait()
            response = sp.post(payload)
            answers.append((response.status_code, response.json()["status"]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver, args=(payloads[n % 2],)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert sorted(answers) == [(200, "processed")] * 8
    assert (StripeEvent.objects.count(), Invoice.objects.count(), Customer.objects.count()) == (2, 1, 2)
    assert amounts("accrual") == [D("250.0000")]
