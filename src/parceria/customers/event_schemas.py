"""What an incoming event must look like (SPEC §5.2). Used by the API, the CSV import and the webhook alike, so an
event is judged the same way wherever it comes from: a CSV row becomes the same dict a JSON client sends."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

import orjson
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from parceria.common.money import CURRENCIES, MoneyError, parse_amount


def _positive_decimal(value: Any) -> Decimal:
    try:
        return parse_amount(value, allow_zero=False)
    except MoneyError as exc:
        raise ValueError(str(exc)) from None


def _iso_string(value: Any) -> Any:
    if not isinstance(value, str | datetime):
        raise ValueError("must be an ISO 8601 date-time with a UTC offset, e.g. 2026-03-01T12:00:00-03:00")
    return value


def _date_string(value: Any) -> Any:
    if not isinstance(value, str | date):
        raise ValueError("must be an ISO 8601 date, e.g. 2026-03-01")
    return value


def _currency(value: Any) -> str:
    if not isinstance(value, str) or value.upper() not in CURRENCIES:
        raise ValueError(f"unknown currency {value!r}; supported: {', '.join(CURRENCIES)}")
    return value.upper()


PositiveDecimal = Annotated[
    Decimal, BeforeValidator(_positive_decimal), PlainSerializer(lambda d: format(d.normalize(), "f"), when_used="json")
]
Timestamp = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_string),
    PlainSerializer(lambda dt: dt.astimezone(UTC).isoformat(), when_used="json"),
]
Day = Annotated[date, BeforeValidator(_date_string)]
CurrencyCode = Annotated[str, BeforeValidator(_currency)]
#: No text field of an event holds more than this many characters (ids are the longest). Longer text, and text
#: with a NUL character (no database stores one: PostgreSQL refuses it), is refused before the schema runs, so a
#: huge or unstorable value costs nothing and is never echoed in an error.
MAX_TEXT = 200
NUL_MESSAGE = "text may not contain NUL (\\x00) characters"

Ident = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)]
CustomerRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
#: The longest coupon code an `invoice.paid` may name (a coupon code is at most 40 characters: referrals.CouponCode).
MAX_COUPON = 40
CouponRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_COUPON)]


class _EventBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Ident = Field(description="The sender's unique id of this event; a retry sends the same id.")
    occurred_at: Timestamp
    customer: CustomerRef = Field(description="The customer's external id.")


class InvoicePaidEvent(_EventBase):
    type: Literal["invoice.paid"]
    invoice_id: Ident
    amount: PositiveDecimal = Field(description='Amount paid, a decimal string such as "1234.56".')
    currency: CurrencyCode
    period_start: Day = Field(description="First day of the service period (inclusive).")
    period_end: Day = Field(description="Last day of the service period (inclusive).")
    coupon_code: CouponRef | None = Field(
        default=None, description="A coupon code the customer used: attributes the customer to the coupon's partner "
        "if it is not attributed yet (docs/referrals.md)."
    )

    @model_validator(mode="after")
    def _period_order(self) -> InvoicePaidEvent:
        if self.period_end < self.period_start:
            raise ValueError("period_end must not be before period_start")
        return self


class InvoiceRefundedEvent(_EventBase):
    type: Literal["invoice.refunded"]
    invoice_id: Ident = Field(description="The refunded invoice.")
    amount: PositiveDecimal = Field(description="Amount refunded (at most what remains of the invoice).")
    currency: CurrencyCode


class UsageRecordedEvent(_EventBase):
    type: Literal["usage.recorded"]
    quantity: PositiveDecimal
    integration_partner_id: int | None = Field(default=None, gt=0, strict=True)


class CustomerChurnedEvent(_EventBase):
    type: Literal["customer.churned"]


class CustomerCsatEvent(_EventBase):
    type: Literal["customer.csat"]
    score: int = Field(ge=1, le=5, strict=True)


_EVENT_MODELS = (InvoicePaidEvent, InvoiceRefundedEvent, UsageRecordedEvent, CustomerChurnedEvent, CustomerCsatEvent)
IncomingEvent = Annotated[
    InvoicePaidEvent | InvoiceRefundedEvent | UsageRecordedEvent | CustomerChurnedEvent | CustomerCsatEvent,
    Field(discriminator="type"),
]
EVENT_TYPES = ("invoice.paid", "invoice.refunded", "usage.recorded", "customer.churned", "customer.csat")
#: Every field of any event type, the common ones first (the columns a CSV file of events may have).
EVENT_FIELDS = tuple(dict.fromkeys(["id", "type", *(name for m in _EVENT_MODELS for name in m.model_fields)]))
#: The fields that hold whole numbers (a CSV cell of digits becomes a number for them, as in JSON).
INTEGER_FIELDS = frozenset(
    name for m in _EVENT_MODELS for name, f in m.model_fields.items() if f.annotation in (int, int | None)
)
_ADAPTER: TypeAdapter[Any] = TypeAdapter(IncomingEvent)


class EventInvalid(ValueError):
    """An event the intake refuses; `field` names the field (the CSV column) to blame, when there is one."""

    def __init__(self, message: str, code: str = "invalid_event", *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


def _shown(name: str) -> str:
    """A field name fit for an error message: a name with a NUL or over MAX_TEXT characters is shown escaped and cut."""
    if len(name) <= MAX_TEXT and name.isprintable():
        return name
    return repr(name[:40]) + ("…" if len(name) > 40 else "")


def _describe(exc: ValidationError, tag: str) -> tuple[str, str | None]:
    parts = []
    fields = []
    for err in exc.errors(include_url=False):
        loc = [_shown(str(p)) for p in err["loc"] if str(p) != tag]
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "is not a field of this event type"
        parts.append(f"{'.'.join(loc)}: {msg}" if loc else msg)
        fields.append(loc[0] if loc else None)
    return "; ".join(parts), fields[0] if fields else None


def reported_id(item: Any) -> str | None:
    """The id a rejection names for a raw event: its `id` when that is text the intake could store, else None."""
    raw = item.get("id") if isinstance(item, dict) else None
    if isinstance(raw, str) and len(raw) <= MAX_TEXT and "\x00" not in raw:
        return raw
    return None


def _refuse_text(item: dict[Any, Any]) -> None:
    """The NUL and length rules for the text values of an event, with the field to blame."""
    for key, value in item.items():
        if isinstance(value, str) and (len(value) > MAX_TEXT or "\x00" in value):
            name = _shown(str(key))
            if "\x00" in value:
                raise EventInvalid(f"{name}: {NUL_MESSAGE}", field=name)
            raise EventInvalid(
                f"{name}: text of at most {MAX_TEXT} characters is allowed; this one has {len(value):,}", field=name
            )


def parse_event(item: Any) -> Any:
    """Validate one raw event (a dict from JSON or CSV). Raises EventInvalid with a readable message."""
    if not isinstance(item, dict):
        raise EventInvalid("an event must be a JSON object")
    for value in item.values():  # cheap: an event has a dozen fields at most
        if isinstance(value, str) and (len(value) > MAX_TEXT or "\x00" in value):
            _refuse_text(item)
    event_type = item.get("type")
    if event_type not in EVENT_TYPES:
        raise EventInvalid(
            f"unknown event type {event_type!r}; expected one of {', '.join(EVENT_TYPES)}", "unknown_type", field="type"
        )
    try:
        return _ADAPTER.validate_python(item)
    except ValidationError as exc:
        message, field = _describe(exc, event_type)
        raise EventInvalid(message, field=field) from None


def canonical_payload(event: Any) -> tuple[dict[str, Any], str]:
    """The normalised payload (amounts without trailing zeros, times in UTC) and its SHA-256.
    Two deliveries of the same event hash alike even if one wrote "100.00" and the other "100"."""
    payload = event.model_dump(mode="json", exclude_none=True)
    digest = hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return payload, digest
