"""Event intake API (SPEC §5.2, §14.3): POST /events, a batch of events validated, stored and accrued by the intake
(parceria.commissions.intake)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from parceria.accounts.tenancy import Ability
from parceria.api.auth import principal_of
from parceria.api.openapi import NO_NUL_PATTERN
from parceria.api.schemas import ERRORS
from parceria.commissions.intake import events_ingest
from parceria.customers.models import EventSource

events_router = Router(tags=["events"])

#: An event as the document states it: an object of text (without NUL), numbers, booleans and nulls. What each
#: type needs is checked event by event, and a bad event is rejected alone (see POST /events).
_EVENT: dict[str, Any] = {"type": "object", "additionalProperties": {"anyOf": [
    {"type": "string", "pattern": NO_NUL_PATTERN}, {"type": "number"}, {"type": "boolean"}, {"type": "null"}]}}


class EventBatchIn(Schema):
    events: list[Any] = Field(
        json_schema_extra={"items": _EVENT},
        description=(
            "Up to 1,000 events. Each has `id`, `type`, `occurred_at` (ISO 8601 with offset) and `customer` "
            "(external id), and by type: `invoice.paid`: invoice_id, amount, currency, period_start, period_end; "
            "`invoice.refunded`: invoice_id, amount, currency; `usage.recorded`: quantity, integration_partner_id "
            "(optional); `customer.churned`: nothing more; `customer.csat`: score (1–5). Amounts are decimal strings."
        )
    )


class RejectedOut(Schema):
    index: int
    id: str | None
    error: str
    code: str


class EventBatchOut(Schema):
    accepted: int
    duplicates: int
    rejected: list[RejectedOut]


@events_router.post(
    "",
    response={**ERRORS, 200: EventBatchOut, 409: EventBatchOut | ERRORS[409], 422: EventBatchOut | ERRORS[422]},
    summary="Send a batch of events",
)
def post_events(request: HttpRequest, payload: EventBatchIn) -> Status:
    """Each event is accepted once: the same id with the same payload again counts as a duplicate, with a
    different payload it is rejected as a conflict. Bad events are rejected one by one; the good events of
    the batch are kept. The answer is 200 when anything was accepted or already known, otherwise 422 (or
    409 when every rejection is a conflict)."""
    principal = principal_of(request)
    principal.require(Ability.INGEST)
    result = events_ingest(items=payload.events, source=EventSource.API, submitted_by=principal.label)
    body = {
        "accepted": result.accepted,
        "duplicates": result.duplicates,
        "rejected": [{"index": r.index, "id": r.id, "error": r.error, "code": r.code} for r in result.rejected],
    }
    if result.accepted == 0 and result.duplicates == 0 and result.rejected:
        return Status(409 if all(r.code == "conflict" for r in result.rejected) else 422, body)
    return Status(200, body)
