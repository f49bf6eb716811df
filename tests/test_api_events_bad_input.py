"""POST /api/v1/events with bad input (SPEC §5.3, §14.3, §16; issue #2 "Bad input").

Each bad event is rejected on its own with its index, id, a readable error and a machine-readable code; the good
events of the same batch are kept; a batch of only bad events answers 422 (409 when every rejection is a conflict)
and stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from parceria.commissions.models import LedgerLine
from parceria.customers.models import CsatScore, Customer, Event, Invoice, Refund, UsageRecord
from parceria.partners.models import Partner
from tests.factories import ingest, make_customer, make_integration_partner, make_partner, paid, refunded, usage

pytestmark = pytest.mark.django_db


def counts() -> dict[str, Any]:
    """What an event batch may store, plus the balances that follow from it."""
    return {
        "events": Event.objects.count(),
        "invoices": Invoice.objects.count(),
        "refunds": Refund.objects.count(),
        "usage": UsageRecord.objects.count(),
        "csat": CsatScore.objects.count(),
        "ledger": LedgerLine.objects.count(),
        "ledger_sum": sum((line.amount for line in LedgerLine.objects.all()), Decimal(0)),
        "customers": list(Customer.objects.order_by("id").values_list("id", "status", "churned_at")),
        "partners": Partner.objects.count(),
    }


def grew(before: dict[str, Any], after: dict[str, Any]) -> dict[str, int]:
    return {k: after[k] - before[k] for k in ("events", "invoices", "refunds", "usage", "csat", "ledger")}


def assert_batch(response, status: int, accepted: int, duplicates: int, rejected: list[tuple[int, str | None, str]]):
    """Check the exact shape {"accepted", "duplicates", "rejected": [{"index", "id", "error", "code"}]}."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"accepted", "duplicates", "rejected"}, body
    assert (body["accepted"], body["duplicates"]) == (accepted, duplicates), body
    for item in body["rejected"]:
        assert set(item) == {"index", "id", "error", "code"}, item
        assert isinstance(item["error"], str) and item["error"], item
    assert [(r["index"], r["id"], r["code"]) for r in body["rejected"]] == rejected, body
    return body


@pytest.fixture
def world(db):
    """A referrer, an integration partner, a customer of the referrer and one paid invoice of 100.00 BRL."""
    referrer = make_partner(status="active")
    integrator = make_integration_partner(status="active")
    customer = make_customer(referrer)
    other_customer = make_customer(referrer)
    invoice = paid(customer, "100.00", event_id="evt_inv_1", invoice_id="inv_1")
    assert ingest(invoice).accepted == 1

    class World:
        pass

    w = World()
    w.referrer, w.integrator, w.customer, w.other_customer, w.invoice = (
        referrer, integrator, customer, other_customer, invoice,
    )
    return w


def good_events(w) -> list[dict[str, Any]]:
    return [
        paid(w.customer, "50.00", event_id="evt_good_1", invoice_id="inv_good_1"),
        {"id": "evt_good_2", "type": "customer.csat", "occurred_at": "2026-03-05T10:00:00-03:00",
         "customer": w.customer.external_id, "score": 5},
    ]


def _set(**fields: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda e: {**e, **fields}


def _drop(field: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda e: {k: v for k, v in e.items() if k != field}


# (name, builder of the base event from the world, change, expected code, words the error must contain)
BAD_EVENTS: list[tuple[str, str, Callable[[dict[str, Any]], dict[str, Any]], str, str]] = [
    ("unknown type", "paid", _set(type="invoice.voided"), "unknown_type", "unknown event type"),
    ("missing type", "paid", _drop("type"), "unknown_type", "unknown event type"),
    ("unknown customer", "paid", _set(customer="cus_nobody"), "unknown_customer", "cus_nobody"),
    ("negative amount", "paid", _set(amount="-10.00"), "invalid_event", "negative"),
    ("zero amount", "paid", _set(amount="0.00"), "invalid_event", "greater than zero"),
    ("non-numeric amount", "paid", _set(amount="ten reais"), "invalid_event", "not a decimal number"),
    ("float amount", "paid", _set(amount=10.5), "invalid_event", "decimal strings"),
    ("NaN amount", "paid", _set(amount="NaN"), "invalid_event", "amount"),
    ("five decimals", "paid", _set(amount="10.12345"), "invalid_event", "more than 4 decimal places"),
    ("missing amount", "paid", _drop("amount"), "invalid_event", "amount"),
    ("unknown currency", "paid", _set(currency="EUR"), "invalid_event", "unknown currency"),
    ("period_end before period_start", "paid", _set(period_start="2026-03-31", period_end="2026-03-01"),
     "invalid_event", "period_end must not be before period_start"),
    ("impossible date", "paid", _set(period_end="2026-02-30"), "invalid_event", "period_end"),
    ("occurred_at without offset", "paid", _set(occurred_at="2026-03-31T12:00:00"), "invalid_event", "occurred_at"),
    ("occurred_at as a number", "paid", _set(occurred_at=1774969200), "invalid_event", "occurred_at"),
    ("extra unknown field", "paid", _set(coupon="BLACKFRIDAY"), "invalid_event", "coupon"),
    ("empty id", "paid", _set(id=""), "invalid_event", "id"),
    ("empty customer", "paid", _set(customer=" "), "invalid_event", "customer"),
    ("refund of an unknown invoice", "refund", _set(invoice_id="inv_nope"), "unknown_invoice", "inv_nope"),
    ("refund in another currency", "refund", _set(currency="USD"), "currency_mismatch", "differs"),
    ("refund larger than the invoice", "refund", _set(amount="100.01"), "refund_exceeds_invoice", "exceeds"),
    ("refund of another customer's invoice", "refund_other", lambda e: e, "invoice_customer_mismatch",
     "another customer"),
    ("invoice_id already paid", "paid", _set(invoice_id="inv_1"), "invoice_already_paid", "evt_inv_1"),
    ("csat score 0", "csat", _set(score=0), "invalid_event", "score"),
    ("csat score 6", "csat", _set(score=6), "invalid_event", "score"),
    ("csat score as text", "csat", _set(score="5"), "invalid_event", "score"),
    ("usage with unknown integration partner", "usage", _set(integration_partner_id=987654), "unknown_partner",
     "987654"),
    ("usage with negative quantity", "usage", _set(quantity="-1"), "invalid_event", "quantity"),
    ("usage with integration partner id as text", "usage", _set(integration_partner_id="1"), "invalid_event",
     "integration_partner_id"),
    # the event rules' text limit (shared with the CSV import): a long value is refused, not echoed back
    ("amount of 100,000 digits", "paid", _set(amount="9" * 100_000), "invalid_event",
     "amount: text of at most 200 characters is allowed; this one has 100,000"),
    ("occurred_at of 201 characters", "paid", _set(occurred_at="2" * 201), "invalid_event",
     "occurred_at: text of at most 200 characters"),
]


def _base(kind: str, w) -> dict[str, Any]:
    if kind == "paid":
        return paid(w.customer, "30.00", event_id="evt_bad", invoice_id="inv_bad")
    if kind == "refund":
        return refunded(w.customer, "inv_1", "10.00", event_id="evt_bad")
    if kind == "refund_other":
        return refunded(w.other_customer, "inv_1", "10.00", event_id="evt_bad")
    if kind == "csat":
        return {"id": "evt_bad", "type": "customer.csat", "occurred_at": "2026-03-05T10:00:00-03:00",
                "customer": w.customer.external_id, "score": 3}
    if kind == "usage":
        return usage(w.customer, "10", partner=w.integrator, event_id="evt_bad")
    raise AssertionError(kind)


@pytest.mark.parametrize(
    ("kind", "change", "code", "words"), [case[1:] for case in BAD_EVENTS], ids=[case[0] for case in BAD_EVENTS]
)
def test_bad_event_is_rejected_alone_and_the_good_ones_are_kept(platform_api, world, kind, change, code, words):
    bad = change(_base(kind, world))
    bad_id = bad.get("id") if isinstance(bad.get("id"), str) else None
    before = counts()

    response = platform_api.post("/events", {"events": [good_events(world)[0], bad, good_events(world)[1]]})

    body = assert_batch(response, 200, accepted=2, duplicates=0, rejected=[(1, bad_id, code)])
    assert words in body["rejected"][0]["error"], body
    after = counts()
    # the good invoice (with its one accrual) and the CSAT score are stored; the bad event left no trace
    assert grew(before, after) == {"events": 2, "invoices": 1, "refunds": 0, "usage": 0, "csat": 1, "ledger": 1}
    assert after["ledger_sum"] - before["ledger_sum"] == Decimal("10.0000")  # 20 % of 50.00
    assert not Event.objects.filter(event_id="evt_bad").exists()


@pytest.mark.parametrize(
    ("kind", "change", "code", "words"), [case[1:] for case in BAD_EVENTS], ids=[case[0] for case in BAD_EVENTS]
)
def test_a_batch_of_only_bad_events_is_422_and_stores_nothing(platform_api, world, kind, change, code, words):
    bad = change(_base(kind, world))
    bad_id = bad.get("id") if isinstance(bad.get("id"), str) else None
    before = counts()

    response = platform_api.post("/events", {"events": [bad]})

    body = assert_batch(response, 422, accepted=0, duplicates=0, rejected=[(0, bad_id, code)])
    assert words in body["rejected"][0]["error"], body
    assert counts() == before


def test_several_bad_events_are_each_reported_with_their_index(platform_api, world):
    events = [
        paid(world.customer, "-1", event_id="evt_a"),
        good_events(world)[0],
        paid(world.customer, "1", event_id="evt_b", currency="XYZ"),
        refunded(world.customer, "inv_nope", "1", event_id="evt_c"),
        paid(world.customer, "1", event_id="evt_d") | {"customer": "cus_nobody"},
    ]
    before = counts()

    response = platform_api.post("/events", {"events": events})

    assert_batch(response, 200, accepted=1, duplicates=0, rejected=[
        (0, "evt_a", "invalid_event"), (2, "evt_b", "invalid_event"), (3, "evt_c", "unknown_invoice"),
        (4, "evt_d", "unknown_customer"),
    ])
    assert grew(before, counts())["events"] == 1


def test_an_over_long_id_is_refused_and_reported_with_a_null_id(platform_api, world):
    event = paid(world.customer, "10.00", event_id="e" * 50_000)
    before = counts()

    body = assert_batch(platform_api.post("/events", {"events": [event]}), 422, 0, 0, [(0, None, "invalid_event")])

    assert body["rejected"][0]["error"] == "id: text of at most 200 characters is allowed; this one has 50,000"
    assert counts() == before


def test_event_without_an_id_is_reported_with_a_null_id(platform_api, world):
    event = paid(world.customer, "10.00")
    del event["id"]

    body = assert_batch(platform_api.post("/events", {"events": [event]}), 422, 0, 0, [(0, None, "invalid_event")])
    assert "id" in body["rejected"][0]["error"]


# --- refunds across events --------------------------------------------------------------------------------------------


def test_refunds_may_not_exceed_what_remains_across_two_refunds(platform_api, world):
    first = platform_api.post("/events", {"events": [refunded(world.customer, "inv_1", "60.00", event_id="r1")]})
    assert_batch(first, 200, 1, 0, [])
    before = counts()

    too_much = platform_api.post("/events", {"events": [refunded(world.customer, "inv_1", "40.01", event_id="r2")]})

    body = assert_batch(too_much, 422, 0, 0, [(0, "r2", "refund_exceeds_invoice")])
    assert "40.00" in body["rejected"][0]["error"]  # what remains is named
    assert counts() == before

    rest = platform_api.post("/events", {"events": [refunded(world.customer, "inv_1", "40.00", event_id="r3")]})
    assert_batch(rest, 200, 1, 0, [])
    # 20 % of 100.00 accrued, clawed back 12.00 then 8.00: nothing left, nothing created
    lines = sorted(LedgerLine.objects.filter(partner=world.referrer).values_list("amount", flat=True))
    assert lines == [Decimal("-12.0000"), Decimal("-8.0000"), Decimal("20.0000")]
    (balance,) = platform_api.get(f"/partners/{world.referrer.pk}/balance").json()["balances"]
    assert (balance["balance"], balance["accrued"], balance["clawed_back"]) == ("0.0000", "20.0000", "20.0000")

    after_full = counts()
    one_cent = platform_api.post("/events", {"events": [refunded(world.customer, "inv_1", "0.01", event_id="r4")]})
    assert_batch(one_cent, 422, 0, 0, [(0, "r4", "refund_exceeds_invoice")])
    assert counts() == after_full


def test_two_refunds_in_one_batch_are_checked_in_order(platform_api, world):
    events = [refunded(world.customer, "inv_1", "60.00", event_id="r1"),
              refunded(world.customer, "inv_1", "50.00", event_id="r2"),
              refunded(world.customer, "inv_1", "40.00", event_id="r3")]
    before = counts()

    response = platform_api.post("/events", {"events": events})

    assert_batch(response, 200, 2, 0, [(1, "r2", "refund_exceeds_invoice")])
    assert grew(before, counts())["refunds"] == 2
    assert Refund.objects.filter(invoice_id="inv_1").count() == 2


def test_an_invoice_and_its_refund_in_the_same_batch(platform_api, world):
    events = [paid(world.customer, "200.00", event_id="p", invoice_id="inv_new"),
              refunded(world.customer, "inv_new", "200.01", event_id="r_bad"),
              refunded(world.customer, "inv_new", "50.00", event_id="r_ok", currency="brl")]

    assert_batch(platform_api.post("/events", {"events": events}), 200, 2, 0, [(1, "r_bad", "refund_exceeds_invoice")])
    assert Refund.objects.get(event_id="r_ok").amount == Decimal("50.00")


def test_invoice_id_reused_within_one_batch(platform_api, world):
    events = [paid(world.customer, "10.00", event_id="p1", invoice_id="inv_twice"),
              paid(world.customer, "20.00", event_id="p2", invoice_id="inv_twice")]

    assert_batch(platform_api.post("/events", {"events": events}), 200, 1, 0, [(1, "p2", "invoice_already_paid")])
    assert Invoice.objects.get(invoice_id="inv_twice").amount == Decimal("10.00")


# --- duplicates and conflicts -----------------------------------------------------------------------------------------


def test_same_id_and_same_payload_is_a_duplicate(platform_api, world):
    before = counts()

    response = platform_api.post("/events", {"events": [world.invoice]})

    assert_batch(response, 200, accepted=0, duplicates=1, rejected=[])
    assert counts() == before


def test_the_same_payload_written_differently_is_still_a_duplicate(platform_api, world):
    rewritten = world.invoice | {"amount": "100", "occurred_at": "2026-03-31T15:00:00+00:00", "currency": "brl"}
    before = counts()

    assert_batch(platform_api.post("/events", {"events": [rewritten]}), 200, 0, 1, [])
    assert counts() == before


def test_same_id_with_a_different_payload_alone_is_a_409_conflict(platform_api, world):
    changed = world.invoice | {"amount": "100.01"}
    before = counts()

    response = platform_api.post("/events", {"events": [changed]})

    body = assert_batch(response, 409, 0, 0, [(0, "evt_inv_1", "conflict")])
    assert "different payload" in body["rejected"][0]["error"]
    assert counts() == before
    assert Invoice.objects.get(invoice_id="inv_1").amount == Decimal("100.00")


def test_a_conflict_beside_good_events_keeps_the_good_ones(platform_api, world):
    events = [world.invoice | {"amount": "1.00"}, *good_events(world)]
    before = counts()

    assert_batch(platform_api.post("/events", {"events": events}), 200, 2, 0, [(0, "evt_inv_1", "conflict")])
    assert grew(before, counts())["events"] == 2


def test_conflicts_and_other_rejections_together_are_422(platform_api, world):
    events = [world.invoice | {"amount": "1.00"}, paid(world.customer, "-5", event_id="evt_neg")]
    before = counts()

    assert_batch(platform_api.post("/events", {"events": events}), 422, 0, 0,
                 [(0, "evt_inv_1", "conflict"), (1, "evt_neg", "invalid_event")])
    assert counts() == before


def test_a_duplicate_beside_a_bad_event_answers_200(platform_api, world):
    before = counts()

    response = platform_api.post("/events", {"events": [world.invoice, paid(world.customer, "x", event_id="e")]})

    assert_batch(response, 200, 0, 1, [(1, "e", "invalid_event")])
    assert counts() == before


def test_the_same_event_twice_in_one_batch_is_stored_once(platform_api, world):
    event = paid(world.customer, "80.00", event_id="evt_twice", invoice_id="inv_twice")
    before = counts()

    response = platform_api.post("/events", {"events": [event, dict(event)]})

    assert_batch(response, 200, accepted=1, duplicates=1, rejected=[])
    assert grew(before, counts()) == {"events": 1, "invoices": 1, "refunds": 0, "usage": 0, "csat": 0, "ledger": 1}
    assert LedgerLine.objects.get(event_id="evt_twice").amount == Decimal("16.0000")


def test_the_same_id_twice_in_one_batch_with_different_payloads(platform_api, world):
    event = paid(world.customer, "80.00", event_id="evt_twice", invoice_id="inv_twice")

    response = platform_api.post("/events", {"events": [event, event | {"amount": "81.00"}]})

    body = assert_batch(response, 200, 1, 0, [(1, "evt_twice", "conflict")])
    assert "different payload" in body["rejected"][0]["error"]
    assert Invoice.objects.get(invoice_id="inv_twice").amount == Decimal("80.00")


@pytest.mark.parametrize("case", ["unknown customer", "conflict with a stored event"])
def test_a_copy_of_a_rejected_event_is_not_a_duplicate(platform_api, world, case):
    if case == "unknown customer":
        event, status = paid(world.customer, "10.00", event_id="evt_orphan") | {"customer": "cus_nobody"}, 422
    else:
        event, status = world.invoice | {"amount": "99.00"}, 409
    before = counts()

    response = platform_api.post("/events", {"events": [event, dict(event)]})

    assert response.status_code == status, response.content
    body = response.json()
    assert (body["accepted"], body["duplicates"]) == (0, 0), body
    assert [(r["index"], r["id"]) for r in body["rejected"]] == [(0, event["id"]), (1, event["id"])], body
    assert counts() == before


# --- the request as a whole -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [b"{not json", b'{"events": [}', b"\x00\x01", b'{"events": [{"id": "a",}]}'])
def test_malformed_json_is_400(platform_api, world, raw):
    before = counts()

    response = platform_api.post("/events", raw=raw)

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "malformed_request"
    assert counts() == before


@pytest.mark.parametrize("payload", [{}, {"event": []}, [], "events", None, {"events": "many"}, {"events": {"id": 1}}])
def test_a_body_without_an_events_list_is_422(platform_api, world, payload):
    before = counts()

    response = platform_api.post("/events", raw=__import__("json").dumps(payload).encode())

    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and "events" in error["message"]
    assert counts() == before


def test_an_empty_batch_is_fine(platform_api, world):
    assert_batch(platform_api.post("/events", {"events": []}), 200, 0, 0, [])


def test_a_batch_of_1001_events_is_refused_whole(platform_api, world):
    events = [
        {"id": f"evt_big_{i}", "type": "customer.csat", "occurred_at": "2026-03-05T10:00:00-03:00",
         "customer": world.customer.external_id, "score": 4}
        for i in range(1001)
    ]
    before = counts()

    response = platform_api.post("/events", {"events": events})

    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "batch_too_large"
    assert "1000" in error["message"] and "1001" in error["message"]
    assert counts() == before


def test_a_batch_of_1000_events_is_accepted(platform_api, world):
    events = [
        {"id": f"evt_big_{i}", "type": "customer.csat", "occurred_at": "2026-03-05T10:00:00-03:00",
         "customer": world.customer.external_id, "score": 1 + i % 5}
        for i in range(1000)
    ]

    assert_batch(platform_api.post("/events", {"events": events}), 200, 1000, 0, [])
    assert CsatScore.objects.count() == 1000


def test_an_item_that_is_not_an_object_is_rejected_alone(platform_api, world):
    before = counts()

    response = platform_api.post("/events", {"events": [good_events(world)[0], 42, None, "evt"]})

    body = assert_batch(response, 200, 1, 0, [(1, None, "invalid_event"), (2, None, "invalid_event"),
                                              (3, None, "invalid_event")])
    assert "object" in body["rejected"][0]["error"]
    assert grew(before, counts())["events"] == 1


@pytest.mark.parametrize("scope", ["analytics", "partner"])
def test_read_only_keys_cannot_send_events(api_client_for, world, scope):
    api = api_client_for(scope, world.referrer if scope == "partner" else None)
    before = counts()

    response = api.post("/events", {"events": good_events(world)})

    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "forbidden_scope"
    assert counts() == before
