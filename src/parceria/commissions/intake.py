"""Event intake (SPEC §5.2–5.3, §6.3): validate, deduplicate, store and accrue a batch of events.

A batch is judged item by item: a bad item is rejected with its index (a CSV file's rows: its line) and a
readable error while the good items are kept. Within the batch, items take effect in order (a refund may follow
its invoice).
Everything an accepted batch writes (events, invoices, refunds, usage, ledger lines) commits in one
transaction, so the ledger holds the accruals before the caller gets its answer.

Exactly-once: the event id is the primary key of Event. Rows are inserted with ON CONFLICT DO NOTHING;
if a concurrent batch inserted one of our ids first, the transaction is rolled back and the batch is
processed again, this time seeing that event as a duplicate. Ledger lines carry a unique dedupe key
as a second guard.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from parceria.commissions.intake_events import HANDLERS, BatchContext, BatchWriter, RaceLost
from parceria.common.audit import Actor
from parceria.common.bulk import key_in
from parceria.common.dbfaults import BUSY, database_fault
from parceria.common.errors import Conflict, InvalidInput
from parceria.customers.attribution import claim_by_code
from parceria.customers.event_schemas import EventInvalid, canonical_payload, parse_event, reported_id
from parceria.customers.models import (
    ClaimSource,
    Event,
    EventBatch,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6


@dataclass(frozen=True)
class Rejection:
    """A refused item: its position (index in the batch, or line of a CSV file), its id if it has a storable one,
    a readable error, a machine-readable code and the field (CSV column) to blame, when there is one."""

    index: int
    id: str | None
    error: str
    code: str
    field: str | None = None


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    batch_id: int | None = None
    accrued: int = 0


@dataclass
class _Parsed:
    index: int
    event: Any
    payload: dict[str, Any]
    digest: str


def events_ingest(
    *,
    items: Sequence[Any],
    source: str,
    submitted_by: str,
    limit: int | None = None,
    positions: Sequence[int] | None = None,
    refused: Sequence[Rejection] = (),
) -> IngestResult:
    """Ingest up to `limit` raw events (dicts). Returns counts and per-item rejections.

    `positions` name the items in their rejections (default: their index; the CSV import passes line numbers);
    `refused` are items the caller already rejected (CSV lines that are not rows of the header's shape): they
    count as received and are reported with the batch's other rejections."""
    limit = limit or int(settings.PARCERIA["EVENT_BATCH_LIMIT"])  # type: ignore[call-overload]
    if len(items) > limit:
        raise InvalidInput(f"a batch holds at most {limit} events; this one has {len(items)}", code="batch_too_large")
    rejected: list[Rejection] = list(refused)
    parsed: list[_Parsed] = []
    copies: list[tuple[int, str]] = []
    seen: dict[str, str] = {}
    for number, item in enumerate(items):
        index = positions[number] if positions is not None else number
        try:
            event = parse_event(item)
        except EventInvalid as exc:
            rejected.append(Rejection(index, reported_id(item), str(exc), exc.code, exc.field))
            continue
        payload, digest = canonical_payload(event)
        if event.id in seen:
            if seen[event.id] == digest:
                copies.append((index, event.id))  # judged like its first occurrence, below
            else:
                rejected.append(Rejection(index, event.id, _conflict_text(event.id), "conflict"))
            continue
        seen[event.id] = digest
        parsed.append(_Parsed(index, event, payload, digest))
    last: Exception | None = None
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                received = len(items) + len(refused)
                result = _store(parsed, source=source, submitted_by=submitted_by, received=received)
                _judge_copies(result, copies)
                result.rejected = sorted(rejected + result.rejected, key=lambda r: r.index)
                EventBatch.objects.filter(pk=result.batch_id or 0).update(
                    accepted=result.accepted,
                    duplicates=result.duplicates,
                    rejected=[r.__dict__ for r in result.rejected],
                )
                return result
        except (RaceLost, IntegrityError, OperationalError) as exc:
            if isinstance(exc, OperationalError) and not _retryable(exc):
                raise
            logger.info("event batch retried after a concurrent write (attempt %s): %s", attempt, exc)
            last = exc
    if isinstance(last, OperationalError):
        # The database stayed busy: answered as every database fault is, 503 `database_busy` with Retry-After.
        raise last
    raise Conflict("the batch collided with concurrent writes too often; send it again", code="busy")


def _judge_copies(result: IngestResult, copies: list[tuple[int, str]]) -> None:
    """A repeated event inside one batch is a duplicate if its first occurrence was accepted or already
    known, and is rejected for the same reason if its first occurrence was rejected."""
    first_rejection = {r.id: r for r in reversed(result.rejected)}
    for index, event_id in copies:
        rejection = first_rejection.get(event_id)
        if rejection is None:
            result.duplicates += 1
        else:
            result.rejected.append(Rejection(index, event_id, rejection.error, rejection.code, rejection.field))


def _retryable(exc: OperationalError) -> bool:
    """A busy database (a deadlock, a serialization failure, a lock not granted, SQLite's locked database), as
    common.dbfaults tells it by the driver's code: the batch is tried again; any other fault is raised."""
    fault = database_fault(exc)
    return fault is not None and fault.code == BUSY


def _conflict_text(event_id: str) -> str:
    return f"event {event_id!r} was already received with a different payload"


def _store(parsed: list[_Parsed], *, source: str, submitted_by: str, received: int) -> IngestResult:
    result = IngestResult()
    batch = EventBatch.objects.create(
        source=source, submitted_by=submitted_by[:200], received=received, accepted=0, duplicates=0
    )
    result.batch_id = batch.pk
    if not parsed:
        return result
    # Load (and on PostgreSQL lock) what the batch touches before asking which events are new: a
    # concurrent batch that committed while we waited for a lock is then seen as a duplicate.
    ctx = BatchContext([p.event for p in parsed])
    existing = dict(
        Event.objects.filter(key_in("event_id", [p.event.id for p in parsed])).values_list("event_id", "payload_hash")
    )
    fresh = []
    for p in parsed:
        if p.event.id not in existing:
            fresh.append(p)
        elif existing[p.event.id] == p.digest:
            result.duplicates += 1
        else:
            result.rejected.append(Rejection(p.index, p.event.id, _conflict_text(p.event.id), "conflict"))
    if fresh and _claim_coupons(fresh, ctx, submitted_by):
        ctx = BatchContext([p.event for p in parsed])  # an attribution changed: accrue to the new referrer
    if fresh:
        _apply(fresh, ctx, batch, submitted_by, result)
    return result


def _claim_coupons(fresh: list[_Parsed], ctx: BatchContext, submitted_by: str) -> bool:
    """Each new `invoice.paid` naming a coupon claims its customer for the coupon's partner (the one attribution
    rule, customers.attribution), before the batch accrues. Whether any customer's attribution changed."""
    changed = False
    actor = Actor(label=submitted_by)
    for p in fresh:
        code = getattr(p.event, "coupon_code", None)
        customer = ctx.customers.get(p.event.customer)
        if p.event.type != "invoice.paid" or not code or customer is None:
            continue
        outcome = claim_by_code(customer=customer, source=ClaimSource.COUPON, code=code, actor=actor,
                                at=p.event.occurred_at)
        changed = changed or outcome.applied
    return changed


def _apply(fresh: list[_Parsed], ctx: BatchContext, batch: EventBatch, submitted_by: str, result: IngestResult) -> None:
    now = timezone.now()
    writer = BatchWriter()
    for p in fresh:
        event = p.event
        customer = ctx.customers.get(event.customer)
        if customer is None:
            result.rejected.append(
                Rejection(p.index, event.id, f"unknown customer {event.customer!r}", "unknown_customer", "customer")
            )
            continue
        try:
            handler = HANDLERS[event.type]
            handler(event, customer, ctx, writer)
        except EventInvalid as exc:
            result.rejected.append(Rejection(p.index, event.id, str(exc), exc.code, exc.field))
            continue
        writer.events.append((event.id, event.type, event.occurred_at, customer.pk, p.payload, p.digest, batch.pk, now))
        result.accepted += 1
    writer.flush(created_by=submitted_by, now=now)
    result.accrued = len(writer.postings)


