"""Small Stripe events of the shapes Stripe documents, for the webhook's tests, and requests signed with the
official `stripe` package's helper.

Shapes (the fields Parceria reads, with a few it ignores, as Stripe sends them):
- Event: https://docs.stripe.com/api/events/object
- Invoice: https://docs.stripe.com/api/invoices/object (amount_paid, currency, customer, lines.data[].period,
  status_transitions.paid_at, discounts)
- Charge: https://docs.stripe.com/api/charges/object (amount_refunded, invoice, refunds)
- Refund: https://docs.stripe.com/api/refunds/object
- Credit Note: https://docs.stripe.com/api/credit_notes/object (post_payment_amount, refunds[].amount_refunded)
- Customer: https://docs.stripe.com/api/customers/object (metadata, address, discount)
- Subscription: https://docs.stripe.com/api/subscriptions/object (customer, ended_at)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any

import stripe
from django.test import Client

SECRET = "whsec_test_parceria_0123456789abcdef"
URL = "/api/v1/integrations/stripe/webhook"


def ts(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def event(event_type: str, obj: dict[str, Any], *, event_id: str = "evt_1", **extra: Any) -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2024-06-20",
        "created": ts("2026-03-05T12:00:00"),
        "data": {"object": obj, **extra},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def invoice(*, invoice_id: str = "in_1", customer: str = "cus_A", amount_paid: int = 100000,
            currency: str = "brl", lines: list[tuple[str, str]] = (("2026-03-01T12:00:00", "2026-04-01T12:00:00"),),
            discounts: list[Any] | None = None) -> dict[str, Any]:
    return {
        "id": invoice_id,
        "object": "invoice",
        "amount_due": amount_paid,
        "amount_paid": amount_paid,
        "amount_remaining": 0,
        "billing_reason": "subscription_cycle",
        "currency": currency,
        "customer": customer,
        "discounts": discounts or [],
        "lines": {
            "object": "list",
            "data": [
                {"id": f"il_{n}", "object": "line_item", "amount": amount_paid, "currency": currency,
                 "period": {"start": ts(start), "end": ts(end)}}
                for n, (start, end) in enumerate(lines)
            ],
            "has_more": False,
            "total_count": len(lines),
            "url": f"/v1/invoices/{invoice_id}/lines",
        },
        "paid": True,
        "period_start": ts("2026-02-01T12:00:00"),
        "period_end": ts("2026-03-01T12:00:00"),
        "status": "paid",
        "status_transitions": {"finalized_at": ts("2026-03-05T11:00:00"), "paid_at": ts("2026-03-05T11:30:00"),
                               "marked_uncollectible_at": None, "voided_at": None},
        "subscription": "sub_1",
        "total": amount_paid,
    }


def refund(refund_id: str, amount: int, *, at: str = "2026-03-10T12:00:00", status: str = "succeeded") -> dict:
    return {"id": refund_id, "object": "refund", "amount": amount, "charge": "ch_1", "created": ts(at),
            "currency": "brl", "status": status}


def charge(*, amount: int = 100000, refunds: list[dict] | None = None, invoice_id: str | None = "in_1",
           customer: str = "cus_A", currency: str = "brl") -> dict[str, Any]:
    refunded = sum(r["amount"] for r in refunds or [])
    return {
        "id": "ch_1",
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": refunded,
        "captured": True,
        "currency": currency,
        "customer": customer,
        "invoice": invoice_id,
        "paid": True,
        "refunded": refunded == amount,
        "refunds": {"object": "list", "data": refunds or [], "has_more": False, "url": "/v1/charges/ch_1/refunds"},
        "status": "succeeded",
    }


def credit_note(*, note_id: str = "cn_1", amount: int = 30000, refunds: list[tuple[str, int]] = (),
                note_type: str = "post_payment", invoice_id: str = "in_1") -> dict[str, Any]:
    return {
        "id": note_id,
        "object": "credit_note",
        "amount": amount,
        "created": ts("2026-03-12T12:00:00"),
        "currency": "brl",
        "customer": "cus_A",
        "invoice": invoice_id,
        "out_of_band_amount": None,
        "post_payment_amount": amount if note_type != "pre_payment" else 0,
        "pre_payment_amount": amount if note_type == "pre_payment" else 0,
        "reason": "product_unsatisfactory",
        "refunds": [{"amount_refunded": value, "refund": refund_id} for refund_id, value in refunds],
        "status": "issued",
        "total": amount,
        "type": note_type,
    }


def customer(*, customer_id: str = "cus_A", name: str | None = "Loja Azul Ltda", country: str | None = "BR",
             metadata: dict[str, str] | None = None, coupon: str | None = None) -> dict[str, Any]:
    return {
        "id": customer_id,
        "object": "customer",
        "address": {"city": "São Paulo", "country": country, "line1": "Av. Paulista, 1000", "line2": None,
                    "postal_code": "01310-100", "state": "SP"} if country else None,
        "created": ts("2026-03-01T10:00:00"),
        "currency": None,
        "discount": {"id": "di_1", "object": "discount", "coupon": {"id": coupon, "object": "coupon",
                     "percent_off": 10.0}, "customer": customer_id} if coupon else None,
        "email": "financeiro@lojaazul.example.com",
        "livemode": False,
        "metadata": metadata or {},
        "name": name,
        "shipping": None,
    }


def subscription(*, customer_id: str = "cus_A") -> dict[str, Any]:
    return {"id": "sub_1", "object": "subscription", "customer": customer_id, "status": "canceled",
            "canceled_at": ts("2026-03-20T12:00:00"), "ended_at": ts("2026-03-20T12:00:00")}


def body_of(payload: Any) -> bytes:
    return payload if isinstance(payload, bytes) else json.dumps(payload).encode()


def signed(payload: Any, *, secret: str = SECRET, timestamp: int | None = None) -> tuple[bytes, str]:
    """The body and its Stripe-Signature header, made by the official package's helper."""
    body = body_of(payload)
    timestamp = int(time.time()) if timestamp is None else timestamp
    try:
        text = body.decode()
    except UnicodeDecodeError:  # the helper signs text; bytes that are no UTF-8 are signed by hand, the same way
        digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        return body, f"t={timestamp},v1={digest}"
    return body, stripe.WebhookSignature.generate_signature_header(text, secret, timestamp=timestamp)


def post(payload: Any, *, secret: str = SECRET, timestamp: int | None = None, header: str | None = None):
    body, made = signed(payload, secret=secret, timestamp=timestamp)
    extra = {} if header == "" else {"HTTP_STRIPE_SIGNATURE": made if header is None else header}
    return Client().post(URL, body, content_type="application/json", **extra)
