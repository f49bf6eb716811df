"""The Stripe-compatible intake (SPEC §5.2): a webhook Stripe sends, verified by its signature, translated by
stripe_mapping and handed to the event intake (commissions.intake) or to the customers' services, so a Stripe
event is judged exactly as the same event sent to POST /events (docs/integrations.md).

Idempotent by Stripe's event id: an event answered 200 is kept (`StripeEvent`) and a delivery of it again gets the
same answer and changes nothing. The intake's own exactly-once (its event ids) covers the moment between the
intake's commit and the keeping of the answer: a retry then finds its events known and answers the same.

An event Parceria cannot take yet is refused with a 4xx and kept nowhere, so that Stripe retries it (for up to
three days): Stripe does not promise to deliver events in order, and an `invoice.paid` may come before the
`customer.created` of its customer, a refund before its invoice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from parceria.api.parser import parse_json
from parceria.commissions.intake import Rejection, events_ingest
from parceria.common.audit import Actor
from parceria.common.errors import Conflict, InvalidInput, ParceriaError
from parceria.common.taxids import TaxIdError, validate_tax_id
from parceria.customers.attribution import MAX_CODE, claim_by_code, customer_create_referred
from parceria.customers.models import ClaimSource, Event, EventSource
from parceria.customers.services import CustomerFields
from parceria.integrations.models import StripeEvent, StripeEventStatus
from parceria.integrations.stripe_mapping import (
    MAX_ID,
    Ignored,
    IntakeEvents,
    NewCustomer,
    StripeShapeError,
    map_event,
    unix_time,
)
from parceria.integrations.stripe_signature import SignatureError, verify

#: Who the intake's batches, audit records and ledger lines name as the sender.
SENDER = "Stripe webhook"


class StripeNotConfigured(ParceriaError):
    status = 503
    code = "not_configured"


class BadSignature(ParceriaError):
    status = 400
    code = "invalid_signature"


class EventRefused(ParceriaError):
    """The intake refused the event's data (an unknown customer or invoice, an unsupported currency …)."""

    status = 422
    code = "event_refused"


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


def stripe_webhook_receive(*, body: bytes, signature: str, now: float | None = None) -> Answer:
    """Verify, translate and take in one delivery of a Stripe webhook. Raises a ParceriaError (the API's 4xx/503)
    when nothing may be taken: no secret configured, a bad or stale signature, a body that is not a Stripe event,
    an event the intake refuses."""
    secret = settings.PARCERIA_STRIPE_WEBHOOK_SECRET
    if not secret:
        raise StripeNotConfigured(
            "the Stripe webhook is not configured: set PARCERIA_STRIPE_WEBHOOK_SECRET to the endpoint's signing "
            "secret (whsec_…) shown in Stripe's dashboard"
        )
    try:
        verify(body=body, header=signature, secret=secret, tolerance=int(settings.PARCERIA_STRIPE_TOLERANCE_SECONDS),
               now=time.time() if now is None else now)
    except SignatureError as exc:
        raise BadSignature(str(exc)) from None
    event = _envelope(parse_json(body))
    known = StripeEvent.objects.filter(pk=event["id"]).values_list("answer", flat=True).first()
    if known is not None:
        return Answer(200, known)
    mapped = map_event(event)
    if isinstance(mapped, Ignored):
        answer = _answer(event, StripeEventStatus.IGNORED, reason=mapped.reason)
        return Answer(200, _keep(event, StripeEventStatus.IGNORED, answer))
    if isinstance(mapped, NewCustomer):
        with transaction.atomic():
            answer = _create_customer(event, mapped)
            return Answer(200, _keep(event, answer["status"], answer))
    return Answer(200, _keep(event, StripeEventStatus.PROCESSED, _ingest(event, mapped)))


def _envelope(value: Any) -> dict[str, Any]:
    """The Event object's envelope: id, type, created, data.object (https://docs.stripe.com/api/events/object)."""
    if not isinstance(value, dict):
        raise StripeShapeError("the body must be a Stripe event (a JSON object)")
    event_id, event_type, data = value.get("id"), value.get("type"), value.get("data")
    if not isinstance(event_id, str) or not event_id or len(event_id) > MAX_ID:
        raise StripeShapeError(f"the event's id must be a non-empty text of at most {MAX_ID} characters")
    if not isinstance(event_type, str) or not event_type or len(event_type) > 100:
        raise StripeShapeError("the event's type must be a non-empty text of at most 100 characters")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise StripeShapeError("the event's data.object must be an object")
    return {**value, "created_at": unix_time(value.get("created"), "created")}


def _answer(event: dict[str, Any], status: str, **more: Any) -> dict[str, Any]:
    return {"id": event["id"], "type": event["type"], "status": status, **more}


def _keep(event: dict[str, Any], status: str, answer: dict[str, Any]) -> dict[str, Any]:
    """Keep the answer under the event's id; a concurrent delivery that kept it first wins (its answer is sent)."""
    try:
        with transaction.atomic():
            StripeEvent.objects.create(
                event_id=event["id"], type=event["type"], status=status, answer=answer,
                livemode=event.get("livemode") is True, created_at=event["created_at"],
            )
    except IntegrityError:
        return StripeEvent.objects.get(pk=event["id"]).answer
    return answer


def _ingest(event: dict[str, Any], mapped: IntakeEvents) -> dict[str, Any]:
    items = mapped.items
    if mapped.by_object_id:
        known = set(Event.objects.filter(event_id__in=[i["id"] for i in items]).values_list("event_id", flat=True))
        items = [i for i in items if i["id"] not in known]
    result = events_ingest(items=items, source=EventSource.WEBHOOK, submitted_by=SENDER) if items else None
    if result is not None and result.rejected:
        _refuse(result.rejected)
    recorded = [i["id"] for i in mapped.items]
    return _answer(event, StripeEventStatus.PROCESSED, recorded=recorded)


def _refuse(rejected: list[Rejection]) -> None:
    details = [{"id": r.id, "code": r.code, "message": r.error} for r in rejected]
    message = "; ".join(r.error for r in rejected)
    if all(r.code == "conflict" for r in rejected):
        raise Conflict(message, code="conflict", details=details)
    raise EventRefused(message, code=rejected[0].code, details=details)


def _valid_tax_id(new: NewCustomer, country: str) -> str:
    """The customer's tax id if it is valid for its country; Stripe checks a tax id's format only, and a customer
    is better created without one than refused for good."""
    try:
        return validate_tax_id(country, new.tax_id).compact if new.tax_id else ""
    except TaxIdError:
        return ""


def _create_customer(event: dict[str, Any], new: NewCustomer) -> dict[str, Any]:
    """Create the customer (customers.attribution.customer_create_referred, idempotent on the Stripe id) and let a
    referral code in its metadata, then its discount's coupon, claim it for a partner (the one attribution rule)."""
    actor = Actor(label=SENDER)
    country = new.country or str(settings.PARCERIA_STRIPE_DEFAULT_COUNTRY)
    fields = CustomerFields(external_id=new.external_id, name=new.name, country=country, tax_id=_valid_tax_id(new,
                                                                                                           country))
    code = new.referral_code if len(new.referral_code) <= MAX_CODE else ""
    try:
        customer, created, outcome = customer_create_referred(fields=fields, referral_code=code, actor=actor)
    except Conflict as exc:
        return _answer(event, StripeEventStatus.IGNORED, customer=new.external_id,
                       reason=f"{exc.message}: the customer is kept as it is")
    except InvalidInput as exc:
        raise EventRefused(f"customer {new.external_id}: {exc.message}", code=exc.code, details=exc.details) from None
    claims = []
    if new.referral_code:
        claims.append({"source": ClaimSource.REFERRAL.value, "code": new.referral_code,
                       "outcome": outcome.reason if outcome is not None else "unknown_code"})
    for coupon in new.coupon_codes:
        coupon_outcome = claim_by_code(customer=customer, source=ClaimSource.COUPON, code=coupon[:MAX_CODE],
                                       actor=actor, at=new.at)
        claims.append({"source": ClaimSource.COUPON.value, "code": coupon, "outcome": coupon_outcome.reason})
    return _answer(event, StripeEventStatus.PROCESSED, customer=new.external_id, created=created, claims=claims)
