"""The one writer of webhook events. `emit` is called at the end of a service's transaction: the event and its
deliveries are rows of that transaction, so a change that rolls back leaves no event and an event never exists
without its change. After the commit a delivery task is queued."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from parceria.webhooks.models import Delivery, Endpoint, EventType, OutboxEvent

#: The version of the payload's envelope and of each type's `data`; raised on a change that breaks a reader.
SCHEMA_VERSION = 1


class OutsideTransaction(RuntimeError):
    """emit() was called with no transaction open: the event could outlive or precede its change."""


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """The data as JSON types: money (Decimal) as its exact string, dates in ISO 8601."""
    plain: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return plain


def emit(type: str, *, partner: Any, data: dict[str, Any], once_key: str = "") -> OutboxEvent | None:
    """Write event `type` about `partner` (a Partner, or None for a program-wide event) with `data`, and one
    pending delivery to each enabled endpoint that wants it: the partner's own endpoints and the staff endpoints.
    Must run inside the transaction of the change (OutsideTransaction otherwise). With `once_key`, an event of this
    type and key already written is not written again (answers None)."""
    if once_key and OutboxEvent.objects.filter(type=type, once_key=once_key).exists():
        return None
    event = write_event(type, partner=partner, data=data, once_key=once_key)
    fan_out(event)
    return event


def write_event(type: str, *, partner: Any, data: dict[str, Any], once_key: str = "") -> OutboxEvent:
    """The event row alone (emit adds its deliveries)."""
    if not transaction.get_connection().in_atomic_block:
        raise OutsideTransaction(f"webhook event {type} emitted outside a transaction")
    if type not in EventType.values:
        raise ValueError(f"unknown webhook event type {type!r}")
    event = OutboxEvent(type=type, partner=partner, once_key=once_key)
    event.payload = {
        "id": str(event.event_id), "type": type, "version": SCHEMA_VERSION,
        "created": timezone.now().isoformat().replace("+00:00", "Z"),
        "partner": None if partner is None else {"id": partner.pk, "name": partner.name},
        "data": _plain(data),
    }
    event.save()
    return event


def fan_out(event: OutboxEvent, *, endpoints: Any = None, every_type: bool = False) -> list[Delivery]:
    """One pending delivery of `event` to each enabled endpoint that may and wants to receive it (`endpoints`:
    only these, e.g. the one endpoint pinged). A partner endpoint receives only its own partner's events."""
    scope = Endpoint.objects.filter(enabled=True) if endpoints is None else endpoints.filter(enabled=True)
    if event.partner_id is None:
        scope = scope.filter(partner__isnull=True)
    else:
        scope = scope.filter(partner__isnull=True) | scope.filter(partner_id=event.partner_id)
    now = timezone.now()
    rows = [Delivery(event=event, endpoint=e, next_attempt_at=now) for e in scope if every_type or e.wants(event.type)]
    if rows:
        Delivery.objects.bulk_create(rows)
        transaction.on_commit(_queue_delivery)
    return rows


def _queue_delivery() -> None:
    from parceria.webhooks.tasks import queue_delivery

    queue_delivery()
