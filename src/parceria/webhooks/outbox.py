"""The one writer of webhook events. `emit` is called at the end of a service's transaction: the event and its
deliveries are rows of that transaction, so a change that rolls back leaves no event and an event never exists
without its change. After the commit a delivery task is queued."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from parceria.common.bulk import insert_rows, reserve_ids
from parceria.webhooks.models import Delivery, Endpoint, EventType, OutboxEvent

#: The version of the payload's envelope and of each type's `data`; raised on a change that breaks a reader.
SCHEMA_VERSION = 1


#: Functions told of the events a transaction writes (a higher app's, registered in its AppConfig.ready()): each is
#: called with the list of new events, inside the transaction that wrote them (docs/architecture.md).
_LISTENERS: list[Callable[[Sequence[OutboxEvent]], None]] = []


def register_listener(listener: Callable[[Sequence[OutboxEvent]], None]) -> None:
    """Call `listener(events)` with the events each emit/emit_many writes, in the writer's transaction."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def _tell_listeners(events: Sequence[OutboxEvent]) -> None:
    for listener in list(_LISTENERS):
        listener(events)


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
    fan_out([event])
    _tell_listeners([event])
    return event


def emit_many(type: str, items: Sequence[tuple[Any, dict[str, Any]]]) -> list[OutboxEvent]:
    """`emit` for several (partner, data) at once, in one insert of events and one of deliveries (the intake
    writes one event per partner of a request)."""
    events = [_new_event(type, partner=partner, data=data) for partner, data in items]
    _insert(events)
    fan_out(events)
    if events:
        _tell_listeners(events)
    return events


_COLUMNS = ("id", "event_id", "type", "partner", "payload", "created_at", "once_key")


def _insert(events: list[OutboxEvent]) -> None:
    """Write the events set-based (COPY on PostgreSQL): an intake request's events carry every line it wrote, and
    the ORM's INSERT of such payloads, quoted as SQL literals, cost more than the rest of the request's SQL."""
    now = timezone.now()
    for event, pk in zip(events, reserve_ids(OutboxEvent, len(events)), strict=True):
        event.pk, event.created_at = pk, now
    insert_rows(OutboxEvent, _COLUMNS, [(e.pk, e.event_id, e.type, e.partner_id, e.payload, e.created_at, e.once_key)
                                        for e in events])


def _new_event(type: str, *, partner: Any, data: dict[str, Any], once_key: str = "") -> OutboxEvent:
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
    return event


def write_event(type: str, *, partner: Any, data: dict[str, Any], once_key: str = "") -> OutboxEvent:
    """The event row alone (emit adds its deliveries)."""
    event = _new_event(type, partner=partner, data=data, once_key=once_key)
    event.save()
    return event


def fan_out(events: Sequence[OutboxEvent], *, endpoints: Any = None, every_type: bool = False) -> list[Delivery]:
    """One pending delivery of each event to each enabled endpoint that may and wants to receive it (`endpoints`:
    only these, e.g. the one endpoint pinged): the staff endpoints, and the endpoints of the event's partner (a
    partner endpoint receives only its own partner's events). One query for the endpoints, one insert."""
    scope = Endpoint.objects.filter(enabled=True) if endpoints is None else endpoints.filter(enabled=True)
    partner_ids = sorted({e.partner_id for e in events if e.partner_id is not None})
    condition = Q(partner__isnull=True) | Q(partner_id__in=partner_ids) if partner_ids else Q(partner__isnull=True)
    listening = list(scope.filter(condition))
    if not listening:
        return []
    now = timezone.now()
    rows = [Delivery(event=event, endpoint=endpoint, next_attempt_at=now)
            for event in events for endpoint in listening
            if endpoint.partner_id in (None, event.partner_id) and (every_type or endpoint.wants(event.type))]
    if rows:
        Delivery.objects.bulk_create(rows)
        _queue_after_commit()
    return rows


def _queue_after_commit() -> None:
    """Queue one delivery task after the commit, however many events the transaction wrote."""
    connection = transaction.get_connection()
    if not any(func is _queue_delivery for _ids, func, _robust in connection.run_on_commit):
        transaction.on_commit(_queue_delivery)


def _queue_delivery() -> None:
    from parceria.webhooks.tasks import queue_delivery

    queue_delivery()
