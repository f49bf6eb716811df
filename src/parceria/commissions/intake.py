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
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from parceria.commissions import engine
from parceria.commissions.ledger import ledger_post
from parceria.commissions.models import CommissionPlan, LedgerKind, LedgerLine
from parceria.common.audit import Actor
from parceria.common.bulk import insert_new_rows, insert_rows, key_in
from parceria.common.dbsum import exact_sums
from parceria.common.errors import Conflict, InvalidInput
from parceria.common.fx import FxBook
from parceria.customers.event_schemas import EventInvalid, canonical_payload, parse_event, reported_id
from parceria.customers.hooks import invoices_paid
from parceria.customers.models import (
    CsatScore,
    Customer,
    CustomerStatus,
    Event,
    EventBatch,
    Invoice,
    Refund,
    UsageRecord,
)
from parceria.partners.models import Partner, PartnerTerms

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


class _RaceLost(Exception):
    """A concurrent batch stored one of our events first: start again and see it as a duplicate."""


@dataclass
class _Parsed:
    index: int
    event: Any
    payload: dict[str, Any]
    digest: str


@dataclass
class _InvoiceState:
    invoice_id: str
    event_id: str
    customer_id: int
    amount: Decimal
    currency: str
    refunded: Decimal
    accruals: list[engine.PriorAccrual]


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
        except (_RaceLost, IntegrityError, OperationalError) as exc:
            if isinstance(exc, OperationalError) and not _retryable(exc):
                raise
            logger.info("event batch retried after a concurrent write (attempt %s): %s", attempt, exc)
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
    text = str(exc).lower()
    return any(s in text for s in ("locked", "deadlock", "could not serialize", "busy"))


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
    ctx = _Context(parsed)
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
    if fresh:
        _apply(fresh, ctx, batch, submitted_by, result)
    return result


class _Context:
    """Everything a batch needs from the database, loaded with a fixed number of queries."""

    def __init__(self, fresh: list[_Parsed]) -> None:
        events = [p.event for p in fresh]
        self.customers = {
            c.external_id: c
            for c in Customer.objects.filter(key_in("external_id", {e.customer for e in events})).only(
                "id", "external_id", "partner_id", "attributed_at", "status", "churned_at"
            )
        }
        invoice_ids = {e.invoice_id for e in events if e.type in ("invoice.paid", "invoice.refunded")}
        self.invoices = self._load_invoices(invoice_ids)
        paid = [e for e in events if e.type == "invoice.paid" and e.customer in self.customers]
        self.usage = self._load_usage(paid)
        partner_ids: set[int] = {p for e in paid if (p := self.customers[e.customer].partner_id) is not None}
        partner_ids |= {pid for rows in self.usage.values() for _, pid, _ in rows if pid}
        partner_ids |= {
            e.integration_partner_id for e in events if e.type == "usage.recorded" and e.integration_partner_id
        }
        self.partners = _load_partners(partner_ids)
        self.plans = _load_plans()
        self.fx = _load_fx(paid, self.partners)

    @staticmethod
    def _load_invoices(invoice_ids: set[str]) -> dict[str, _InvoiceState]:
        if not invoice_ids:
            return {}
        rows = Invoice.objects.filter(key_in("invoice_id", invoice_ids)).order_by("invoice_id")
        if connection.vendor == "postgresql":
            rows = rows.select_for_update()  # two refunds of one invoice must not both pass the check
        states = {
            inv.invoice_id: _InvoiceState(
                inv.invoice_id, inv.event_id, inv.customer_id, inv.amount, inv.currency, Decimal(0), []
            )
            for inv in rows
        }
        if not states:
            return states
        for invoice_id, total in exact_sums(
            Refund.objects.filter(invoice_id__in=states), "amount", "invoice_id"
        ).items():
            states[str(invoice_id)].refunded = total
        clawed = exact_sums(
            LedgerLine.objects.filter(invoice_id__in=states, kind=LedgerKind.CLAWBACK), "amount", "reverses_id"
        )
        for line in LedgerLine.objects.filter(invoice_id__in=states, kind=LedgerKind.ACCRUAL).order_by("id"):
            states[line.invoice_id].accruals.append(  # type: ignore[index]
                engine.PriorAccrual(
                    line.dedupe_key,
                    line.partner_id,
                    line.rule,
                    line.amount,
                    line.currency,
                    line.rate,
                    -(clawed.get(line.dedupe_key) or Decimal(0)),
                )
            )
        return states

    def _load_usage(self, paid: list[Any]) -> dict[int, list[tuple[date, int | None, Decimal]]]:
        if not paid:
            return {}
        start = min(e.period_start for e in paid)
        end = max(e.period_end for e in paid)
        usage: dict[int, list[tuple[date, int | None, Decimal]]] = defaultdict(list)
        rows = exact_sums(
            UsageRecord.objects.filter(
                key_in("customer_id", {self.customers[e.customer].pk for e in paid}), day__gte=start, day__lte=end
            ),
            "quantity",
            "customer_id",
            "day",
            "integration_partner_id",
        )
        for key, quantity in rows.items():
            assert isinstance(key, tuple)
            customer_id: int = key[0]
            usage[customer_id].append((key[1], key[2], quantity))
        return usage


def _load_partners(partner_ids: set[int]) -> dict[int, engine.PartnerInfo]:
    if not partner_ids:
        return {}
    terms: dict[int, list[engine.Terms]] = defaultdict(list)
    for t in PartnerTerms.objects.filter(partner_id__in=partner_ids).order_by("partner_id", "effective_from", "id"):
        terms[t.partner_id].append(
            engine.Terms(t.effective_from, t.tier, t.integration_share_rate, t.referral_rate_override)
        )
    for versions in terms.values():  # the open-start version first
        versions.sort(key=lambda v: (v.effective_from is not None, v.effective_from or timezone.now()))
    return {
        pid: engine.PartnerInfo(pid, status, currency, tuple(terms[pid]))
        for pid, status, currency in Partner.objects.filter(pk__in=partner_ids).values_list("id", "status", "currency")
    }


def _load_plans() -> list[engine.Plan]:
    return [
        engine.Plan(
            p.pk,
            p.name,
            p.version,
            {k: Decimal(v) for k, v in p.referral_rates.items()},
            p.entry_rate,
            p.max_months,
            p.effective_from,
            p.effective_to,
        )
        for p in CommissionPlan.objects.filter(status=CommissionPlan.Status.ACTIVE).order_by(
            "-effective_from", "-version"
        )
    ]


def _load_fx(paid: list[Any], partners: dict[int, engine.PartnerInfo]) -> FxBook:
    """FX rates for each (invoice currency → partner currency) pair the batch may need, over its days."""
    if not paid:
        return FxBook({})
    days = [timezone.localdate(e.occurred_at) for e in paid]
    return FxBook.load({(e.currency, p.currency) for e in paid for p in partners.values()}, min(days), max(days))


def _apply(fresh: list[_Parsed], ctx: _Context, batch: EventBatch, submitted_by: str, result: IngestResult) -> None:
    now = timezone.now()
    writer = _BatchWriter()
    for p in fresh:
        event = p.event
        customer = ctx.customers.get(event.customer)
        if customer is None:
            result.rejected.append(
                Rejection(p.index, event.id, f"unknown customer {event.customer!r}", "unknown_customer", "customer")
            )
            continue
        try:
            handler = _HANDLERS[event.type]
            handler(event, customer, ctx, writer)
        except EventInvalid as exc:
            result.rejected.append(Rejection(p.index, event.id, str(exc), exc.code, exc.field))
            continue
        writer.events.append((event.id, event.type, event.occurred_at, customer.pk, p.payload, p.digest, batch.pk, now))
        result.accepted += 1
    writer.flush(created_by=submitted_by, now=now)
    result.accrued = len(writer.postings)


class _BatchWriter:
    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []
        self.invoices: list[tuple[Any, ...]] = []
        self.refunds: list[tuple[Any, ...]] = []
        self.usage: list[tuple[Any, ...]] = []
        self.csat: list[tuple[Any, ...]] = []
        self.churned: dict[int, datetime] = {}
        self.postings: list[tuple[engine.Posting, dict[str, object]]] = []
        self.batch_usage: dict[int, list[tuple[date, int | None, Decimal]]] = defaultdict(list)
        self.paying_partners: set[int] = set()  # referrers of the customers whose invoices this batch paid

    def flush(self, *, created_by: str, now: datetime) -> None:
        inserted = insert_new_rows(
            Event,
            ("event_id", "type", "occurred_at", "customer", "payload", "payload_hash", "batch", "received_at"),
            self.events,
            key="event_id",
        )
        if len(inserted) != len(self.events):
            raise _RaceLost
        insert_rows(
            Invoice,
            ("invoice_id", "customer", "event", "amount", "currency", "period_start", "period_end", "paid_at"),
            self.invoices,
        )
        insert_rows(Refund, ("event", "invoice", "amount", "currency", "refunded_at"), self.refunds)
        insert_rows(UsageRecord, ("event", "customer", "integration_partner", "quantity", "day"), self.usage)
        insert_rows(CsatScore, ("event", "customer", "score", "occurred_at"), self.csat)
        for customer_id, at in self.churned.items():
            Customer.objects.filter(pk=customer_id).update(status=CustomerStatus.CHURNED, churned_at=at, updated_at=now)
        ledger_post(self.postings, created_by=created_by, now=now)
        # e.g. a first paid invoice may complete a certification (a pilot customer): customers/hooks.py
        invoices_paid(partner_ids=self.paying_partners, actor=Actor(label=created_by), now=now)


def _on_invoice_paid(event: Any, customer: Customer, ctx: _Context, writer: _BatchWriter) -> None:
    known = ctx.invoices.get(event.invoice_id)
    if known is not None and known.event_id == event.id:
        raise _RaceLost  # this very event was committed by a concurrent batch after we looked
    if known is not None:
        raise EventInvalid(
            f"invoice {event.invoice_id!r} was already recorded as paid by event {known.event_id!r}",
            "invoice_already_paid",
            field="invoice_id",
        )
    invoice = engine.PaidInvoice(
        event.id,
        event.invoice_id,
        customer.pk,
        event.amount,
        event.currency,
        event.occurred_at,
        event.period_start,
        event.period_end,
    )
    known_usage = ctx.usage.get(customer.pk, []) + writer.batch_usage.get(customer.pk, [])
    usage = engine.usage_split(known_usage, invoice.period_start, invoice.period_end)
    referrer = ctx.partners.get(customer.partner_id) if customer.partner_id else None
    try:
        postings = engine.accrue_invoice(
            invoice,
            ctx.plans,
            referrer,
            customer.attributed_at,
            ctx.partners,
            usage,
            ctx.fx.quotes_on(timezone.localdate(event.occurred_at)),
        )
    except engine.EngineError as exc:
        raise EventInvalid(str(exc), "cannot_accrue") from None  # no one field is to blame
    context = {
        "event_id": event.id,
        "invoice_id": event.invoice_id,
        "customer_id": customer.pk,
        "occurred_at": event.occurred_at,
    }
    writer.postings.extend((posting, context) for posting in postings)
    if customer.partner_id is not None:
        writer.paying_partners.add(customer.partner_id)
    writer.invoices.append(
        (
            event.invoice_id,
            customer.pk,
            event.id,
            event.amount,
            event.currency,
            event.period_start,
            event.period_end,
            event.occurred_at,
        )
    )
    ctx.invoices[event.invoice_id] = _InvoiceState(
        event.invoice_id,
        event.id,
        customer.pk,
        event.amount,
        event.currency,
        Decimal(0),
        [
            engine.PriorAccrual(p.dedupe_key, p.partner_id, p.rule, p.amount, p.currency, p.rate, Decimal(0))
            for p in postings
        ],
    )


def _on_invoice_refunded(event: Any, customer: Customer, ctx: _Context, writer: _BatchWriter) -> None:
    state = ctx.invoices.get(event.invoice_id)
    if state is None:
        raise EventInvalid(
            f"unknown invoice {event.invoice_id!r}: no invoice.paid event has been received for it",
            "unknown_invoice",
            field="invoice_id",
        )
    if state.customer_id != customer.pk:
        raise EventInvalid(
            f"invoice {event.invoice_id!r} belongs to another customer", "invoice_customer_mismatch", field="invoice_id"
        )
    if event.currency != state.currency:
        raise EventInvalid(
            f"refund currency {event.currency} differs from the invoice's currency {state.currency}",
            "currency_mismatch",
            field="currency",
        )
    remaining = state.amount - state.refunded
    if event.amount > remaining:
        raise EventInvalid(
            f"refund of {event.amount} {event.currency} exceeds what remains of invoice {event.invoice_id!r} "
            f"({remaining} of {state.amount} {state.currency})",
            "refund_exceeds_invoice",
            field="amount",
        )
    postings = engine.claw_back(
        refund_event_id=event.id,
        invoice_id=state.invoice_id,
        invoice_amount=state.amount,
        invoice_currency=state.currency,
        refunded_before=state.refunded,
        refund_amount=event.amount,
        accruals=state.accruals,
    )
    context = {
        "event_id": event.id,
        "invoice_id": state.invoice_id,
        "customer_id": customer.pk,
        "occurred_at": event.occurred_at,
    }
    writer.postings.extend((p, context) for p in postings)
    writer.refunds.append((event.id, state.invoice_id, event.amount, event.currency, event.occurred_at))
    state.refunded += event.amount
    clawed = {p.reverses_key: -p.amount for p in postings}
    state.accruals = [
        engine.PriorAccrual(
            a.dedupe_key,
            a.partner_id,
            a.rule,
            a.amount,
            a.currency,
            a.rate,
            a.clawed_back + clawed.get(a.dedupe_key, Decimal(0)),
        )
        for a in state.accruals
    ]


def _on_usage(event: Any, customer: Customer, ctx: _Context, writer: _BatchWriter) -> None:
    partner_id = event.integration_partner_id
    if partner_id is not None and partner_id not in ctx.partners:
        raise EventInvalid(
            f"unknown integration partner {partner_id}", "unknown_partner", field="integration_partner_id"
        )
    day = timezone.localdate(event.occurred_at)
    writer.usage.append((event.id, customer.pk, partner_id, event.quantity, day))
    writer.batch_usage[customer.pk].append((day, partner_id, event.quantity))


def _on_churn(event: Any, customer: Customer, ctx: _Context, writer: _BatchWriter) -> None:
    if customer.status != CustomerStatus.CHURNED and customer.pk not in writer.churned:
        writer.churned[customer.pk] = event.occurred_at


def _on_csat(event: Any, customer: Customer, ctx: _Context, writer: _BatchWriter) -> None:
    writer.csat.append((event.id, customer.pk, event.score, event.occurred_at))


_HANDLERS = {
    "invoice.paid": _on_invoice_paid,
    "invoice.refunded": _on_invoice_refunded,
    "usage.recorded": _on_usage,
    "customer.churned": _on_churn,
    "customer.csat": _on_csat,
}
