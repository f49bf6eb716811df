"""How each type of event takes effect in the intake (parceria.commissions.intake): what a batch reads from the
database before it starts (`BatchContext`, a fixed number of queries whatever its size, the engine's inputs
through parceria.commissions.inputs), what each event type does with it (`HANDLERS`), and what the batch then
writes set-based (`BatchWriter`: events, invoices, refunds, usage, scores, churn, ledger lines).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from parceria.commissions import engine
from parceria.commissions.inputs import Usage, active_plans, engine_fx, engine_partners, engine_usage
from parceria.commissions.ledger import ledger_post
from parceria.commissions.models import LedgerKind, LedgerLine
from parceria.common.audit import Actor
from parceria.common.bulk import insert_new_rows, insert_rows, key_in
from parceria.common.dbsum import exact_sums
from parceria.common.money import ledger_str
from parceria.customers.event_schemas import EventInvalid
from parceria.customers.hooks import invoices_paid
from parceria.customers.models import CsatScore, Customer, CustomerStatus, Event, Invoice, Refund, UsageRecord
from parceria.partners.models import Partner
from parceria.webhooks.outbox import emit_many


class RaceLost(Exception):
    """A concurrent batch stored one of our events first: start again and see it as a duplicate."""


@dataclass
class InvoiceState:
    invoice_id: str
    event_id: str
    customer_id: int
    amount: Decimal
    currency: str
    refunded: Decimal
    accruals: list[engine.PriorAccrual]


class BatchContext:
    """Everything a batch needs from the database, loaded with a fixed number of queries."""

    def __init__(self, events: list[Any]) -> None:
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
        self.partners = engine_partners(partner_ids)
        self.plans = active_plans()
        self.fx = engine_fx(
            {e.currency for e in paid}, {p.currency for p in self.partners.values()},
            [timezone.localdate(e.occurred_at) for e in paid],
        )

    @staticmethod
    def _load_invoices(invoice_ids: set[str]) -> dict[str, InvoiceState]:
        if not invoice_ids:
            return {}
        rows = Invoice.objects.filter(key_in("invoice_id", invoice_ids)).order_by("invoice_id")
        if connection.vendor == "postgresql":
            rows = rows.select_for_update()  # two refunds of one invoice must not both pass the check
        states = {
            inv.invoice_id: InvoiceState(
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

    def _load_usage(self, paid: list[Any]) -> Usage:
        if not paid:
            return {}
        customers = {self.customers[e.customer].pk for e in paid}
        return engine_usage(customers, min(e.period_start for e in paid), max(e.period_end for e in paid))


class BatchWriter:
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

    def post(self, postings: list[engine.Posting], event: Any, invoice_id: str, customer: Customer) -> None:
        """Ledger lines an event of one invoice caused, with what they came from."""
        context: dict[str, object] = {
            "event_id": event.id,
            "invoice_id": invoice_id,
            "customer_id": customer.pk,
            "occurred_at": event.occurred_at,
        }
        self.postings.extend((posting, context) for posting in postings)

    def flush(self, *, created_by: str, now: datetime) -> None:
        inserted = insert_new_rows(
            Event,
            ("event_id", "type", "occurred_at", "customer", "payload", "payload_hash", "batch", "received_at"),
            self.events,
            key="event_id",
        )
        if len(inserted) != len(self.events):
            raise RaceLost
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
        emit_ledger_webhooks(self.postings)


#: The webhook event of each kind of line an intake request writes.
_LINE_EVENTS: dict[str, str] = {LedgerKind.ACCRUAL: "commission.accrued", LedgerKind.CLAWBACK: "commission.clawed_back"}


def emit_ledger_webhooks(postings: list[tuple[engine.Posting, dict[str, object]]]) -> None:
    """One `commission.accrued` and one `commission.clawed_back` event per partner for the lines one intake request
    wrote (not one per line), each with its lines and its totals per currency (docs/webhooks.md)."""
    grouped: dict[tuple[int, str], list[dict[str, object]]] = defaultdict(list)
    for posting, ctx in postings:
        if posting.kind in _LINE_EVENTS:
            grouped[(posting.partner_id, _LINE_EVENTS[posting.kind])].append({
                "rule": posting.rule, "amount": ledger_str(posting.amount), "currency": posting.currency,
                "rate": posting.rate, "base": None if posting.base is None else ledger_str(posting.base),
                "event_id": ctx.get("event_id"), "invoice_id": ctx.get("invoice_id"),
                "customer_id": ctx.get("customer_id")})
    partners = Partner.objects.in_bulk({partner_id for partner_id, _type in grouped})
    by_type: dict[str, list[tuple[Partner, dict[str, object]]]] = defaultdict(list)
    for (partner_id, event_type), lines in sorted(grouped.items()):
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for line in lines:
            totals[str(line["currency"])] += Decimal(str(line["amount"]))
        by_type[event_type].append((partners[partner_id], {
            "lines": lines, "totals": {c: ledger_str(t) for c, t in sorted(totals.items())}}))
    for event_type, items in sorted(by_type.items()):
        emit_many(event_type, items)


def _on_invoice_paid(event: Any, customer: Customer, ctx: BatchContext, writer: BatchWriter) -> None:
    known = ctx.invoices.get(event.invoice_id)
    if known is not None and known.event_id == event.id:
        raise RaceLost  # this very event was committed by a concurrent batch after we looked
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
    writer.post(postings, event, event.invoice_id, customer)
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
    ctx.invoices[event.invoice_id] = InvoiceState(
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


def _on_invoice_refunded(event: Any, customer: Customer, ctx: BatchContext, writer: BatchWriter) -> None:
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
    writer.post(postings, event, state.invoice_id, customer)
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


def _on_usage(event: Any, customer: Customer, ctx: BatchContext, writer: BatchWriter) -> None:
    partner_id = event.integration_partner_id
    if partner_id is not None and partner_id not in ctx.partners:
        raise EventInvalid(
            f"unknown integration partner {partner_id}", "unknown_partner", field="integration_partner_id"
        )
    day = timezone.localdate(event.occurred_at)
    writer.usage.append((event.id, customer.pk, partner_id, event.quantity, day))
    writer.batch_usage[customer.pk].append((day, partner_id, event.quantity))


def _on_churn(event: Any, customer: Customer, ctx: BatchContext, writer: BatchWriter) -> None:
    if customer.status != CustomerStatus.CHURNED and customer.pk not in writer.churned:
        writer.churned[customer.pk] = event.occurred_at


def _on_csat(event: Any, customer: Customer, ctx: BatchContext, writer: BatchWriter) -> None:
    writer.csat.append((event.id, customer.pk, event.score, event.occurred_at))


HANDLERS = {
    "invoice.paid": _on_invoice_paid,
    "invoice.refunded": _on_invoice_refunded,
    "usage.recorded": _on_usage,
    "customer.churned": _on_churn,
    "customer.csat": _on_csat,
}
