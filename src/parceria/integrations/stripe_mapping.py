"""What a Stripe event means to Parceria: a pure translation of Stripe's objects into the event intake's events
(customers.event_schemas) or a customer to create, with no database access.

Stripe's shapes are those of its API reference: the Event object (https://docs.stripe.com/api/events/object),
Invoice (https://docs.stripe.com/api/invoices/object), Charge (https://docs.stripe.com/api/charges/object),
Credit Note (https://docs.stripe.com/api/credit_notes/object), Customer (https://docs.stripe.com/api/customers/object)
and Subscription (https://docs.stripe.com/api/subscriptions/object). The mapping is documented in
docs/integrations.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from parceria.common.errors import ParceriaError
from parceria.customers.event_schemas import MAX_COUPON

#: Stripe's zero-decimal currencies: an amount is a count of whole units, not of hundredths
#: (https://docs.stripe.com/currencies#zero-decimal, read 2026-12). CLP is the one Parceria pays in.
ZERO_DECIMAL = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
)
#: Stripe's three-decimal currencies (https://docs.stripe.com/currencies#three-decimal): thousandths.
THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})
#: A Stripe id or code longer than this is not one (Stripe's ids are well under 100 characters).
MAX_ID = 200
#: The customer metadata key that names a partner's referral code (docs/integrations.md).
REFERRAL_METADATA = "parceria_referral"
#: Refund statuses that return money (https://docs.stripe.com/api/refunds/object#refund_object-status);
#: `failed` and `canceled` refunds return nothing.
REFUNDING = frozenset({"succeeded", "pending", "requires_action"})


class StripeShapeError(ParceriaError):
    """A signed event that is not of the shape Stripe documents (a field missing or of the wrong type)."""

    status = 400
    code = "malformed_event"


@dataclass(frozen=True)
class Ignored:
    """An event acknowledged and not acted on, and why."""

    reason: str


@dataclass(frozen=True)
class IntakeEvents:
    """Events for the intake. `by_object_id`: their ids are Stripe's object ids (a refund's `re_…`, a credit
    note's `cn_…`), which two Stripe events may both name (a refund made by a credit note is announced by
    `charge.refunded` and by `credit_note.created`): one already recorded is skipped."""

    items: list[dict[str, Any]]
    by_object_id: bool = False


@dataclass(frozen=True)
class NewCustomer:
    external_id: str
    name: str
    country: str
    at: datetime
    tax_id: str = ""
    referral_code: str = ""
    coupon_codes: list[str] = field(default_factory=list)


Mapped = Ignored | IntakeEvents | NewCustomer


def stripe_amount(value: Any, currency: str, *, where: str) -> Decimal:
    """An amount as Stripe sends it (an integer count of the currency's smallest unit in Stripe's list) as a
    Decimal of whole units: 1999 USD → 19.99, 5000 CLP → 5000, 1234 KWD → 1.234."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise StripeShapeError(f"{where} must be a whole, non-negative number of the currency's smallest unit")
    code = currency.upper()
    places = 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2
    return Decimal(value).scaleb(-places)


def _text(obj: dict[str, Any], key: str, *, where: str, required: bool = True) -> str:
    value = obj.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value or len(value) > MAX_ID or "\x00" in value:
        raise StripeShapeError(f"{where}.{key} must be a non-empty text of at most {MAX_ID} characters")
    return value


def _ref(obj: dict[str, Any], key: str, *, where: str, required: bool = True) -> str:
    """An expandable field: an id, or the expanded object holding it."""
    value = obj.get(key)
    if isinstance(value, dict):
        return _text(value, "id", where=f"{where}.{key}", required=required)
    return _text(obj, key, where=where, required=required)


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise StripeShapeError(f"{where} must be an object")
    return value


def unix_time(value: Any, where: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 32503680000:
        raise StripeShapeError(f"{where} must be a Unix time (seconds)")
    return datetime.fromtimestamp(value, tz=UTC)


def _currency(obj: dict[str, Any], where: str) -> str:
    value = _text(obj, "currency", where=where)
    if len(value) != 3 or not value.isalpha():
        raise StripeShapeError(f"{where}.currency must be a three-letter ISO 4217 code")
    return value.upper()


def _money(amount: Decimal) -> str:
    return format(amount, "f")


def _data(obj: dict[str, Any], key: str, where: str) -> list[Any] | None:
    """The `data` of a list object (`{"object": "list", "data": [...]}`), or None when the list is absent."""
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, dict) and isinstance(value.get("data"), list):
        return value["data"]
    if isinstance(value, list):
        return value
    raise StripeShapeError(f"{where}.{key} must be a list")


def map_event(event: dict[str, Any]) -> Mapped:
    """What a verified Stripe event (its envelope already checked) means to Parceria."""
    handler = _HANDLERS.get(event["type"])
    if handler is None:
        return Ignored(f"Parceria does not act on {event['type']} events")
    return handler(event, _object(event["data"].get("object"), "data.object"))


def _invoice_paid(event: dict[str, Any], invoice: dict[str, Any]) -> Mapped:
    where = "invoice"
    invoice_id = _text(invoice, "id", where=where)
    currency = _currency(invoice, where)
    amount = stripe_amount(invoice.get("amount_paid"), currency, where=f"{where}.amount_paid")
    if amount == 0:
        return Ignored(f"invoice {invoice_id} paid nothing (amount_paid 0): there is nothing to accrue on")
    transitions = invoice.get("status_transitions")
    paid_at_raw = transitions.get("paid_at") if isinstance(transitions, dict) else None
    paid_at = unix_time(paid_at_raw, f"{where}.status_transitions.paid_at") if paid_at_raw else event["created_at"]
    start, end = _service_period(invoice, where)
    item: dict[str, Any] = {
        "id": event["id"],
        "type": "invoice.paid",
        "occurred_at": paid_at.isoformat(),
        "customer": _ref(invoice, "customer", where=where),
        "invoice_id": invoice_id,
        "amount": _money(amount),
        "currency": currency,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
    }
    coupons = [c for c in _coupon_codes(invoice, where) if len(c.strip()) <= MAX_COUPON]  # longer: no partner's
    if coupons:
        item["coupon_code"] = coupons[0]
    return IntakeEvents([item])


def _service_period(invoice: dict[str, Any], where: str) -> tuple[Any, Any]:
    """The days the invoice pays for: from the earliest start to the latest end of its lines' periods (a
    subscription invoice's lines carry the subscription period; the invoice's own `period_start`/`period_end`
    describe when its items were added, which for a subscription is the period before). Stripe's end is the moment
    the period ends, so the last day served is the day before it (a period of one instant serves its one day)."""
    periods = []
    for index, line in enumerate(_data(invoice, "lines", where) or []):
        period = line.get("period") if isinstance(line, dict) else None
        if isinstance(period, dict):
            at = f"{where}.lines.data[{index}].period"
            periods.append((unix_time(period.get("start"), f"{at}.start"), unix_time(period.get("end"), f"{at}.end")))
    if periods:
        start, end = min(p[0] for p in periods), max(p[1] for p in periods)
    else:
        start = unix_time(invoice.get("period_start"), f"{where}.period_start")
        end = unix_time(invoice.get("period_end"), f"{where}.period_end")
    first = timezone.localdate(start)
    last = timezone.localdate(end) - timedelta(days=1) if end > start else first
    return first, max(first, last)


def _coupon_codes(obj: dict[str, Any], where: str) -> list[str]:
    """The coupon ids of an object's discounts: the legacy `discount` object and the `discounts` list when its
    entries are expanded (an unexpanded entry is a `di_…` id that names no coupon). A discount's coupon sits at
    `coupon` (or, since API version 2025-03-31, at `source.coupon`); a coupon is an id or the expanded object."""
    found: list[str] = []
    discounts = [obj.get("discount"), *(_data(obj, "discounts", where) or [])]
    for discount in discounts:
        if not isinstance(discount, dict):
            continue
        source = discount.get("source")
        coupon = discount.get("coupon") or (source.get("coupon") if isinstance(source, dict) else None)
        code = coupon.get("id") if isinstance(coupon, dict) else coupon
        if isinstance(code, str) and 0 < len(code) <= MAX_ID and "\x00" not in code and code not in found:
            found.append(code)
    return found


def _refund_item(refund_id: str, invoice_id: str, customer: str, amount: Decimal, currency: str,
                 at: datetime) -> dict[str, Any]:
    return {
        "id": refund_id,
        "type": "invoice.refunded",
        "occurred_at": at.isoformat(),
        "customer": customer,
        "invoice_id": invoice_id,
        "amount": _money(amount),
        "currency": currency,
    }


def _charge_refunded(event: dict[str, Any], charge: dict[str, Any]) -> Mapped:
    where = "charge"
    charge_id = _text(charge, "id", where=where)
    invoice_id = _ref(charge, "invoice", where=where, required=False)
    if not invoice_id:
        return Ignored(
            f"charge {charge_id} names no invoice (a payment outside an invoice, or an API version whose charges "
            "do not name their invoice: refund such invoices with a credit note)"
        )
    currency = _currency(charge, where)
    customer = _ref(charge, "customer", where=where)
    refunds = _data(charge, "refunds", where)
    if refunds is not None:
        items = []
        for index, refund in enumerate(refunds):
            refund = _object(refund, f"{where}.refunds.data[{index}]")
            at = f"{where}.refunds.data[{index}]"
            if refund.get("status") not in REFUNDING:
                continue
            amount = stripe_amount(refund.get("amount"), currency, where=f"{at}.amount")
            if amount:
                items.append(_refund_item(_text(refund, "id", where=at), invoice_id, customer, amount, currency,
                                          unix_time(refund.get("created"), f"{at}.created")))
        return IntakeEvents(items, by_object_id=True) if items else Ignored(f"charge {charge_id} lists no refund")
    previous = event["data"].get("previous_attributes")
    before = previous.get("amount_refunded") if isinstance(previous, dict) else None
    if before is None:
        return Ignored(f"charge {charge_id} neither lists its refunds nor says what was refunded before this one")
    total = stripe_amount(charge.get("amount_refunded"), currency, where=f"{where}.amount_refunded")
    amount = total - stripe_amount(before, currency, where="data.previous_attributes.amount_refunded")
    if amount <= 0:
        return Ignored(f"charge {charge_id}: nothing more was refunded")
    return IntakeEvents([_refund_item(event["id"], invoice_id, customer, amount, currency, event["created_at"])])


def _credit_note_created(event: dict[str, Any], note: dict[str, Any]) -> Mapped:
    """A credit note on a paid invoice returns `post_payment_amount` (refunded to the card, credited to the
    customer's balance or outside Stripe). Its refunds are recorded by their refund ids (a `charge.refunded` may
    announce the same refund); the rest by the credit note's id."""
    where = "credit_note"
    note_id = _text(note, "id", where=where)
    if note.get("status", "issued") != "issued":
        return Ignored(f"credit note {note_id} is not issued")
    currency = _currency(note, where)
    returned = stripe_amount(note.get("post_payment_amount", note.get("amount")), currency,
                             where=f"{where}.post_payment_amount")
    if note.get("type") == "pre_payment" or returned == 0:
        return Ignored(f"credit note {note_id} reduced what was still due: nothing paid was returned")
    invoice_id = _ref(note, "invoice", where=where)
    customer = _ref(note, "customer", where=where)
    at = unix_time(note.get("created"), f"{where}.created")
    entries = _data(note, "refunds", where)
    legacy = _ref(note, "refund", where=where, required=False) if entries is None else ""
    if legacy:
        # API versions before `refunds` name one refund and not its amount: the note's whole return is that refund.
        return IntakeEvents([_refund_item(legacy, invoice_id, customer, returned, currency, at)], by_object_id=True)
    items = []
    refunded = Decimal(0)
    for index, entry in enumerate(entries or []):
        entry = _object(entry, f"{where}.refunds[{index}]")
        path = f"{where}.refunds[{index}]"
        amount = stripe_amount(entry.get("amount_refunded"), currency, where=f"{path}.amount_refunded")
        refunded += amount
        if amount:
            refund_id = _ref(entry, "refund", where=path)
            items.append(_refund_item(refund_id, invoice_id, customer, amount, currency, at))
    if refunded > returned:
        raise StripeShapeError(f"{where}.refunds return more than its post_payment_amount")
    if returned > refunded:
        items.append(_refund_item(note_id, invoice_id, customer, returned - refunded, currency, at))
    return IntakeEvents(items, by_object_id=True)


def _subscription_deleted(event: dict[str, Any], subscription: dict[str, Any]) -> Mapped:
    where = "subscription"
    ended = subscription.get("ended_at") or subscription.get("canceled_at")
    at = unix_time(ended, f"{where}.ended_at") if ended else event["created_at"]
    return IntakeEvents([{
        "id": event["id"],
        "type": "customer.churned",
        "occurred_at": at.isoformat(),
        "customer": _ref(subscription, "customer", where=where),
    }])


def _customer_created(event: dict[str, Any], customer: dict[str, Any]) -> Mapped:
    where = "customer"
    external_id = _text(customer, "id", where=where)
    name = next((v.strip()[:300] for v in (customer.get("name"), customer.get("email"))
                 if isinstance(v, str) and v.strip() and "\x00" not in v), external_id)
    metadata = customer.get("metadata")
    referral = metadata.get(REFERRAL_METADATA) if isinstance(metadata, dict) else None
    return NewCustomer(
        external_id=external_id,
        name=name,
        country=_country(customer),
        at=unix_time(customer.get("created"), f"{where}.created") if customer.get("created") else event["created_at"],
        tax_id=_tax_id(customer),
        referral_code=referral.strip() if isinstance(referral, str) else "",
        coupon_codes=_coupon_codes(customer, where),
    )


def _country(customer: dict[str, Any]) -> str:
    """The customer's billing address's country, else its shipping address's; "" when neither is given."""
    shipping = customer.get("shipping")
    for address in (customer.get("address"), shipping.get("address") if isinstance(shipping, dict) else None):
        if isinstance(address, dict) and isinstance(address.get("country"), str) and address["country"]:
            return str(address["country"])
    return ""


def _tax_id(customer: dict[str, Any]) -> str:
    """A Brazilian CNPJ or CPF among the customer's tax ids (`tax_ids`, when the event carries them)."""
    ids = customer.get("tax_ids")
    data = ids.get("data") if isinstance(ids, dict) else None
    for entry in data if isinstance(data, list) else []:
        value = entry.get("value") if isinstance(entry, dict) else None
        if isinstance(value, str) and entry.get("type") in ("br_cnpj", "br_cpf"):
            return value[:40]
    return ""


_HANDLERS = {
    "invoice.paid": _invoice_paid,
    "charge.refunded": _charge_refunded,
    "credit_note.created": _credit_note_created,
    "customer.created": _customer_created,
    "customer.subscription.deleted": _subscription_deleted,
}
#: The Stripe event types Parceria acts on (any other is acknowledged and ignored).
HANDLED_TYPES = tuple(_HANDLERS)
