"""Deal registrations API (SPEC §4.1–4.2): validate, call a service or a selector, serialise. Mounted at
/api/v1/deal-registrations.

* A partner (partner key or partner user, Ability.REGISTER_DEALS) registers deals for itself and reads its own;
  another partner's registration answers 404. It never sees `conflict` (the conflicting record is staff's).
* Staff register for a partner they name (`partner_id`, Ability.MANAGE_PARTNERS), read every registration and
  decide those in review (`POST /{id}/decide`, Ability.MANAGE_PARTNERS).
* A partner asks once for an extension of an approved, unexpired registration (`POST /{id}/extension`); staff
  approve or refuse it (`POST /{id}/extension/decide`, Ability.MANAGE_PARTNERS).
* Staff (Ability.MANAGE_PARTNERS) or the platform (a key with Ability.INGEST) convert an approved registration into
  a customer (`POST /{id}/convert`, optionally naming an existing customer); the attribution follows the one rule.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict

from parceria.accounts.tenancy import Ability, Principal, sees_staff_notes
from parceria.api.auth import principal_of
from parceria.api.schemas import (
    COUNTRIES,
    ERRORS,
    NOT_BLANK_PATTERN,
    ApiBool,
    Page,
    PageParams,
    PathId,
    RowId,
    StrictRowId,
    check_choice,
    choice,
    declared,
)
from parceria.common.errors import InvalidInput, NotFound, PermissionDenied
from parceria.common.money import CURRENCIES, ledger_str
from parceria.customers.selectors import scope_customers
from parceria.deals import services
from parceria.deals.models import DealRegistration, DealStatus
from parceria.deals.selectors import deal_get, deal_list
from parceria.partners.selectors import scope_partners

router = Router(tags=["deal registrations"])

#: An estimated value: a non-negative decimal string with up to 4 places.
VALUE_PATTERN = r"^[0-9]{1,15}(\.[0-9]{1,4})?$"


class DealIn(Schema):
    model_config = ConfigDict(extra="forbid")

    partner_id: StrictRowId | None = declared(None, description="Staff: the partner registering. A partner key: "
                                                                "omit it or give its own partner.")
    company_name: str = declared(pattern=NOT_BLANK_PATTERN, maxLength=300)
    country: str = choice(COUNTRIES, description="ISO 3166-1 alpha-2.")
    tax_id: str = declared("", maxLength=40, description="Validated per country (CNPJ or CPF in BR).")
    domain: str = declared("", maxLength=253, description="The company's web domain; not a public e-mail provider.")
    contact_name: str = declared(pattern=NOT_BLANK_PATTERN, maxLength=200)
    contact_email: str = declared(pattern=NOT_BLANK_PATTERN, maxLength=254)
    estimated_value: str = declared(pattern=VALUE_PATTERN, description="A decimal string, e.g. \"12500.00\".")
    currency: str = choice(list(CURRENCIES))
    vertical: str = declared("", maxLength=60)
    region: str = declared("", maxLength=60)
    notes: str = declared("", maxLength=services.NOTES_MAX_LENGTH)


class DecideIn(Schema):
    model_config = ConfigDict(extra="forbid")

    approve: ApiBool
    reason: str = declared(pattern=NOT_BLANK_PATTERN, maxLength=services.REASON_MAX_LENGTH,
                           description="Shown to the partner.")


class ConvertIn(Schema):
    model_config = ConfigDict(extra="forbid")

    customer_id: StrictRowId | None = declared(None, description="An existing customer to link; omitted, a customer "
                                                                  "is created from the registration (external id "
                                                                  "`deal-<id>`).")


class ExtensionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = declared(pattern=NOT_BLANK_PATTERN, maxLength=services.REASON_MAX_LENGTH,
                           description="Why the deal needs more time; staff read it.")


class ExtensionDecideIn(Schema):
    model_config = ConfigDict(extra="forbid")

    approve: ApiBool
    reason: str = declared("", maxLength=services.REASON_MAX_LENGTH, description="Shown to the partner.")


class DealCreatedOut(Schema):
    id: int
    status: str
    reason: str
    expires_on: date


class DealOut(Schema):
    id: int
    partner_id: int
    company_name: str
    country: str
    tax_id: str
    domain: str
    contact_name: str
    contact_email: str
    estimated_value: str
    currency: str
    vertical: str
    region: str
    notes: str
    status: str
    reason: str
    expires_on: date
    created_at: datetime
    decided_at: datetime | None
    customer_id: int | None = declared(None, description="The customer it was converted into.")
    converted_at: datetime | None = None
    conflict: dict[str, Any] | None = declared(None, description="Staff only: the conflicting record.")
    expiry_warned_at: datetime | None = declared(None, description="When the partner was warned of the expiry.")
    extension_status: str = declared("", description="The one extension: \"\" (not requested), requested, "
                                                      "approved, refused.")
    extension_reason: str = ""
    extension_requested_at: datetime | None = None
    extension_decided_at: datetime | None = None
    extension_decision_reason: str = ""


class DealPage(Page):
    items: list[DealOut]


class DealListParams(Schema):
    status: str | None = choice([*DealStatus.values, None], None)
    partner_id: RowId | None = None


def _deal(registration: DealRegistration, principal: Principal) -> dict[str, Any]:
    return {
        "id": registration.pk, "partner_id": registration.partner_id, "company_name": registration.company_name,
        "country": registration.country, "tax_id": registration.tax_id, "domain": registration.domain,
        "contact_name": registration.contact_name, "contact_email": registration.contact_email,
        "estimated_value": ledger_str(registration.estimated_value), "currency": registration.currency,
        "vertical": registration.vertical, "region": registration.region, "notes": registration.notes,
        "status": registration.status, "reason": registration.reason, "expires_on": registration.expires_on,
        "created_at": registration.created_at, "decided_at": registration.decided_at,
        "customer_id": registration.customer_id, "converted_at": registration.converted_at,
        "conflict": registration.conflict if sees_staff_notes(principal) else None,
        "expiry_warned_at": registration.expiry_warned_at, "extension_status": registration.extension_status,
        "extension_reason": registration.extension_reason,
        "extension_requested_at": registration.extension_requested_at,
        "extension_decided_at": registration.extension_decided_at,
        "extension_decision_reason": registration.extension_decision_reason,
    }


@router.post("", response={201: DealCreatedOut, **ERRORS}, summary="Register a deal (a partner; staff naming it)")
def register_deal(request: HttpRequest, payload: DealIn) -> Any:
    principal = principal_of(request)
    if principal.is_partner:
        principal.require(Ability.REGISTER_DEALS)
        if payload.partner_id is not None and payload.partner_id != principal.partner_id:
            raise PermissionDenied("a partner credential registers deals for its own partner only")
        partner_id = principal.partner_id or 0
    else:
        principal.require(Ability.MANAGE_PARTNERS)
        if payload.partner_id is None:
            raise InvalidInput("partner_id is required: the partner registering the deal",
                                        code="partner_required", details={"field": "partner_id"})
        partner_id = payload.partner_id
    partner = scope_partners(principal).filter(pk=partner_id).first()
    if partner is None:
        raise NotFound(f"partner {partner_id} not found")
    fields = services.DealFields(**payload.model_dump(exclude={"partner_id"}))
    registration = services.deal_register(partner=partner, fields=fields, actor=principal.actor)
    return Status(201, {"id": registration.pk, "status": registration.status, "reason": registration.reason,
                        "expires_on": registration.expires_on})


@router.get("", response={200: DealPage, **ERRORS}, summary="List deal registrations (a partner's own; staff: all)")
def list_deals(request: HttpRequest, page: Query[PageParams], filters: Query[DealListParams]) -> Any:
    principal = principal_of(request)
    principal.require(Ability.READ)
    if filters.status is not None:
        check_choice("status", filters.status, DealStatus.values)
    deals = deal_list(principal, status=filters.status, partner_id=filters.partner_id)
    return {
        "count": deals.count(), "limit": page.limit, "offset": page.offset,
        "items": [_deal(d, principal) for d in deals[page.offset : page.offset + page.limit]],
    }


@router.get("/{int:registration_id}", response={200: DealOut, **ERRORS}, summary="Read a deal registration")
def get_deal(request: HttpRequest, registration_id: PathId) -> Any:
    principal = principal_of(request)
    principal.require(Ability.READ)
    return _deal(deal_get(principal, registration_id), principal)


@router.post("/{int:registration_id}/decide", response={200: DealOut, **ERRORS},
             summary="Approve or reject a registration in review (staff)")
def decide_deal(request: HttpRequest, registration_id: PathId, payload: DecideIn) -> Any:
    principal = principal_of(request)
    registration = deal_get(principal, registration_id)  # 404 for another partner's before any 403
    principal.require(Ability.MANAGE_PARTNERS)
    decided = services.deal_decide(registration=registration, approve=payload.approve, reason=payload.reason,
                                   actor=principal.actor)
    return _deal(decided, principal)


@router.post("/{int:registration_id}/convert", response={200: DealOut, **ERRORS},
             summary="Convert an approved registration into a customer (staff; the platform)")
def convert_deal(request: HttpRequest, registration_id: PathId, payload: ConvertIn | None = None) -> Any:
    principal = principal_of(request)
    registration = deal_get(principal, registration_id)  # 404 for another partner's before any 403
    if principal.is_partner or not (principal.can(Ability.MANAGE_PARTNERS) or principal.can(Ability.INGEST)):
        raise PermissionDenied("converting a registration takes staff (manage partners) or a platform key")
    customer = None
    if payload is not None and payload.customer_id is not None:
        customer = scope_customers(principal).filter(pk=payload.customer_id).first()
        if customer is None:
            raise NotFound(f"customer {payload.customer_id} not found")
    converted = services.deal_convert(registration=registration, customer=customer, actor=principal.actor)
    return _deal(converted.registration, principal)


@router.post("/{int:registration_id}/extension", response={200: DealOut, **ERRORS},
             summary="Ask once for an extension of an approved registration (its partner)")
def request_extension(request: HttpRequest, registration_id: PathId, payload: ExtensionIn) -> Any:
    principal = principal_of(request)
    registration = deal_get(principal, registration_id)  # 404 for another partner's before any 403
    if not principal.is_partner:
        raise PermissionDenied("the registration's partner asks for an extension; staff decide it")
    principal.require(Ability.REGISTER_DEALS)
    requested = services.deal_extension_request(registration=registration, reason=payload.reason,
                                                actor=principal.actor)
    return _deal(requested, principal)


@router.post("/{int:registration_id}/extension/decide", response={200: DealOut, **ERRORS},
             summary="Approve or refuse a requested extension (staff)")
def decide_extension(request: HttpRequest, registration_id: PathId, payload: ExtensionDecideIn) -> Any:
    principal = principal_of(request)
    registration = deal_get(principal, registration_id)  # 404 for another partner's before any 403
    principal.require(Ability.MANAGE_PARTNERS)
    decided = services.deal_extension_decide(registration=registration, approve=payload.approve,
                                             reason=payload.reason, actor=principal.actor)
    return _deal(decided, principal)
