"""Partners API: validate, call a service, serialise."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict

from parceria.accounts.tenancy import Ability, scope_partners
from parceria.api.auth import principal_of
from parceria.api.schemas import ERRORS, Page, PageParams, page_of
from parceria.partners.models import Partner
from parceria.partners.services import PartnerChanges, PartnerFields, partner_create, partner_update

router = Router(tags=["partners"])


class PartnerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    legal_name: str
    country: str
    tax_id: str
    currency: str
    tax_regime: str
    category: str
    subcategory: str
    status: str = "prospect"
    tier: str | None = None
    integration_share_rate: str | None = None
    verticals: list[str] = []
    territories: list[str] = []
    pix_key_type: str = ""
    pix_key: str = ""


class PartnerPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    legal_name: str | None = None
    country: str | None = None
    tax_id: str | None = None
    currency: str | None = None
    tax_regime: str | None = None
    category: str | None = None
    subcategory: str | None = None
    status: str | None = None
    tier: str | None = None
    integration_share_rate: str | None = None
    verticals: list[str] | None = None
    territories: list[str] | None = None
    pix_key_type: str | None = None
    pix_key: str | None = None


class PartnerOut(Schema):
    id: int
    name: str
    legal_name: str
    country: str
    tax_id: str
    tax_id_kind: str
    currency: str
    tax_regime: str
    category: str
    subcategory: str
    status: str
    tier: str | None
    integration_share_rate: str | None
    verticals: list[str]
    territories: list[str]
    pix_key_type: str
    pix_key: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_integration_share_rate(obj: Partner) -> str | None:
        return None if obj.integration_share_rate is None else format(obj.integration_share_rate.normalize(), "f")


class PartnerPage(Page):
    items: list[PartnerOut]


# Fields a PATCH may set to null explicitly; for the rest null means "not given".
_NULLABLE = {"tier", "integration_share_rate"}


@router.post("", response={201: PartnerOut, **ERRORS}, summary="Register a partner (admin)")
def create_partner(request: HttpRequest, payload: PartnerIn):
    principal = principal_of(request)
    principal.require(Ability.MANAGE_PARTNERS)
    return Status(201, partner_create(fields=PartnerFields(**payload.model_dump()), actor=principal.actor))


@router.get("", response={200: PartnerPage, **ERRORS}, summary="List partners")
def list_partners(request: HttpRequest, page: Query[PageParams], status: str | None = None):
    principal = principal_of(request)
    principal.require(Ability.READ)
    qs = scope_partners(principal).order_by("id")
    if status:
        qs = qs.filter(status=status)
    return page_of(qs, page)


@router.get("/{int:partner_id}", response={200: PartnerOut, **ERRORS}, summary="Read a partner")
def get_partner(request: HttpRequest, partner_id: int):
    principal = principal_of(request)
    principal.require(Ability.READ)
    return get_object_or_404(scope_partners(principal), pk=partner_id)


@router.patch("/{int:partner_id}", response={200: PartnerOut, **ERRORS}, summary="Change a partner (admin)")
def patch_partner(request: HttpRequest, partner_id: int, payload: PartnerPatch):
    principal = principal_of(request)
    partner = get_object_or_404(scope_partners(principal), pk=partner_id)
    principal.require(Ability.MANAGE_PARTNERS)
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None or k in _NULLABLE}
    return partner_update(partner=partner, changes=PartnerChanges(**changes), actor=principal.actor)
