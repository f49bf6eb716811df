"""Customers API (SPEC §5, §14.3). Events come in through the intake's API (parceria.commissions.intake_api)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from parceria.accounts.tenancy import Ability
from parceria.api.auth import principal_of
from parceria.api.schemas import (
    COUNTRIES,
    ERRORS,
    NOT_BLANK_PATTERN,
    ApiDateTime,
    Page,
    PageParams,
    PathId,
    RowId,
    StrictRowId,
    check_choice,
    choice,
    declared,
    page_of,
)
from parceria.customers.attribution import customer_create_referred
from parceria.customers.models import Customer, CustomerStatus
from parceria.customers.selectors import scope_customers
from parceria.customers.services import CustomerChanges, CustomerFields, customer_update

router = Router(tags=["customers"])


class CustomerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    external_id: str = declared(pattern=NOT_BLANK_PATTERN, maxLength=120)
    name: str = declared(pattern=NOT_BLANK_PATTERN, maxLength=300)
    tax_id: str = ""
    domain: str = ""
    country: str = choice(COUNTRIES, description="ISO 3166-1 alpha-2.")
    vertical: str = declared("", maxLength=60)
    partner_id: StrictRowId | None = None
    attributed_at: ApiDateTime | None = None
    referral_code: str = declared(
        "", maxLength=32, description="The code of the partner's referral link the customer signed up through: "
        "attributes the customer to that partner if it is not attributed yet. An unknown code, or one of a partner "
        "that is not active, attributes nothing (the customer is still created; `referral.applied` is false)."
    )
    deal_registration_id: StrictRowId | None = declared(
        None, description="An approved, unexpired deal registration the customer comes from: it is converted into "
        "this customer and claims its attribution (a deal registration ranks first). It must be of the partner "
        "given in `partner_id` (if any). An unknown or unsuitable registration is refused (422 or 409) and no "
        "customer is created. Without it, a new customer converts the first approved registration of the same "
        "tax id, CNPJ root or domain, if there is one."
    )


class CustomerPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    external_id: str | None = declared(None, pattern=NOT_BLANK_PATTERN, maxLength=120)
    name: str | None = declared(None, pattern=NOT_BLANK_PATTERN, maxLength=300)
    tax_id: str | None = None
    domain: str | None = None
    country: str | None = choice([*COUNTRIES, None], None)
    vertical: str | None = declared(None, maxLength=60)
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


class ReferralOut(Schema):
    code: str
    applied: bool
    reason: str = Field(description="attributed | already_attributed | already_claimed | outside_window | "
                        "unknown_code")


class CustomerCreatedOut(CustomerOut):
    referral: ReferralOut | None = None


class CustomerPage(Page):
    items: list[CustomerOut]


@router.post(
    "", response={200: CustomerCreatedOut, 201: CustomerCreatedOut, **ERRORS}, summary="Create a customer (idempotent)"
)
def create_customer(request: HttpRequest, payload: CustomerIn):
    """Creates the customer (201). Sending the same external_id with the same data again returns it (200);
    with different data: 409. A `referral_code` claims the customer for the link's partner (docs/referrals.md);
    `referral` says whether it was applied."""
    principal = principal_of(request)
    principal.require(Ability.INGEST)
    data = payload.model_dump()
    code = data.pop("referral_code").strip()
    registration_id = data.pop("deal_registration_id")
    customer, created, outcome = customer_create_referred(
        fields=CustomerFields(**data), referral_code=code, actor=principal.actor, deal_registration_id=registration_id
    )
    body = CustomerCreatedOut.model_validate(customer, from_attributes=True)
    if outcome is not None:
        body.referral = ReferralOut(code=outcome.code, applied=outcome.applied, reason=outcome.reason)
    return Status(201 if created else 200, body)


@router.get("", response={200: CustomerPage, **ERRORS}, summary="List customers")
def list_customers(
    request: HttpRequest, page: Query[PageParams], partner_id: RowId | None = None,
    status: Annotated[str | None, choice([*CustomerStatus.values, "", None])] = None,
):
    principal = principal_of(request)
    principal.require(Ability.READ)
    check_choice("status", status, [*CustomerStatus.values, "", None])
    qs = scope_customers(principal).order_by("id")
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    if status:
        qs = qs.filter(status=status)
    return page_of(qs, page)


@router.get("/{int:customer_id}", response={200: CustomerOut, **ERRORS}, summary="Read a customer")
def get_customer(request: HttpRequest, customer_id: PathId):
    principal = principal_of(request)
    principal.require(Ability.READ)
    return get_object_or_404(scope_customers(principal), pk=customer_id)


@router.patch("/{int:customer_id}", response={200: CustomerOut, **ERRORS}, summary="Change a customer")
def patch_customer(request: HttpRequest, customer_id: PathId, payload: CustomerPatch):
    principal = principal_of(request)
    customer: Customer = get_object_or_404(scope_customers(principal), pk=customer_id)
    principal.require(Ability.INGEST)
    changes = payload.model_dump(exclude_unset=True)
    changes = {k: v for k, v in changes.items() if v is not None or k == "partner_id"}
    return customer_update(customer=customer, changes=CustomerChanges(**changes), actor=principal.actor)
