"""Integrations' API: POST /integrations/stripe/webhook, Stripe's webhooks (docs/integrations.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from parceria.api.schemas import ErrorOut
from parceria.integrations.stripe_intake import stripe_webhook_receive

router = Router(tags=["integrations"])


class StripeAnswerOut(Schema):
    id: str
    type: str
    status: str
    reason: str | None = None
    recorded: list[str] | None = None
    customer: str | None = None
    created: bool | None = None
    claims: list[dict[str, Any]] | None = None


@router.post(
    "/stripe/webhook",
    auth=None,
    response={200: StripeAnswerOut, 400: ErrorOut, 409: ErrorOut, 422: ErrorOut, 503: ErrorOut},
    summary="Receive a Stripe webhook",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}},
)
def stripe_webhook(request: HttpRequest) -> Status:
    """Stripe's webhook endpoint. No API key: the `Stripe-Signature` header, HMAC-SHA256 over the timestamp and
    the raw body with the endpoint's signing secret (PARCERIA_STRIPE_WEBHOOK_SECRET), proves the sender, within
    PARCERIA_STRIPE_TOLERANCE_SECONDS (default 300). `invoice.paid`, `charge.refunded`, `credit_note.created`,
    `customer.created` and `customer.subscription.deleted` are taken in; any other type is acknowledged
    (`status: ignored`). A delivery of the same event id again gets the same answer and changes nothing. A bad
    or stale signature or a body that is not a Stripe event: 400, nothing stored; an event about a customer or
    invoice Parceria does not know yet: 422, nothing stored, so Stripe retries it; no secret configured: 503."""
    answer = stripe_webhook_receive(body=request.body, signature=request.headers.get("Stripe-Signature", ""))
    return Status(answer.status, answer.body)
