"""Customers and event intake API (SPEC §5, §14.3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from parceria.accounts.tenancy import Ability, scope_customers
from parceria.api.auth import principal_of
from parceria.api.schemas import ERRORS, ApiDateTime, Page, PageParams, RowId, StrictRowId, page_of
from parceria.customers.intake import events_ingest
from parceria.customers.models import Customer, EventSource
from parceria.customers.services import CustomerChanges, CustomerFields, customer_create, customer_update

router = Router(tags=["customers"])
events_router = Router(tags=["events"])


class CustomerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    external_id: str
    name: str
    tax_id: str = ""
    domain: str = ""
    country: str
    vertical: str = ""
    partner_id: StrictRowId | None = None
    attributed_at: ApiDateTime | None = None


class CustomerPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    external_id: str | None = None
    name: str | None = None
    tax_id: str | None = None
    domain: str | None = None
    country: str | None = None
    vertical: str | None = None
    partner_id: StrictRowId | None = None
    attributed_at: ApiDateTime | None = None


class CustomerOut(Schema):
    id: int
    external_id: str
    name: str
    tax_id: str
    domain: str
    country: str
    vertical: str
    partner_id: int | None
    attributed_at: datetime | None
    source: str
    status: str
    churned_at: datetime | None
    created_at: datetime


class CustomerPage(Page):
    items: list[CustomerOut]


@router.post("", response={200: CustomerOut, 201: CustomerOut, **ERRORS}, summary="Create a customer (idempotent)")
def create_customer(request: HttpRequest, payload: CustomerIn):
    """Creates the customer (201). Sending the same external_id with the same data again returns it (200);
    with different data: 409."""
    principal = principal_of(request)
    principal.require(Ability.INGEST)
    customer, created = customer_create(fields=CustomerFields(**payload.model_dump()), actor=principal.actor)
    return Status(201 if created else 200, customer)


@router.get("", response={200: CustomerPage, **ERRORS}, summary="List customers")
def list_customers(
    request: HttpRequest, page: Query[PageParams], partner_id: RowId | None = None, status: str | None = None
):
    principal = principal_of(request)
    principal.require(Ability.READ)
    qs = scope_customers(principal).order_by("id")
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    if status:
        qs = qs.filter(status=status)
    return page_of(qs, page)


@router.get("/{int:customer_id}", response={200: CustomerOut, **ERRORS}, summary="Read a customer")
def get_customer(request: HttpRequest, customer_id: int):
    principal = principal_of(request)
    principal.require(Ability.READ)
    return get_object_or_404(scope_customers(principal), pk=customer_id)


@router.patch("/{int:customer_id}", response={200: CustomerOut, **ERRORS}, summary="Change a customer")
def patch_customer(request: HttpRequest, customer_id: int, payload: CustomerPatch):
    principal = principal_of(request)
    customer: Customer = get_object_or_404(scope_customers(principal), pk=customer_id)
    principal.require(Ability.INGEST)
    changes = payload.model_dump(exclude_unset=True)
    changes = {k: v for k, v in changes.items() if v is not None or k == "partner_id"}
    return customer_update(customer=customer, changes=CustomerChanges(**changes), actor=principal.actor)


class EventBatchIn(Schema):
    events: list[Any] = Field(
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
def post_events(request: HttpRequest, payload: EventBatchIn):
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
