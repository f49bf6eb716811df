"""Partners API: validate, call a service, serialise."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from parceria.accounts.tenancy import Ability
from parceria.api.auth import principal_of
from parceria.api.schemas import (
    COUNTRIES,
    ERRORS,
    NOT_BLANK_PATTERN,
    Page,
    PageParams,
    PathId,
    check_choice,
    choice,
    declared,
    page_of,
)
from parceria.common.money import CURRENCIES
from parceria.common.payout_methods import METHODS, account_summary
from parceria.common.pix import PixKeyType
from parceria.partners.models import SUBCATEGORIES, Category, Partner, PartnerStatus, TaxRegime, Tier
from parceria.partners.payout_details import payout_method_change, shown_pix_key
from parceria.partners.selectors import scope_partners
from parceria.partners.services import PartnerChanges, PartnerFields, partner_create, partner_update

router = Router(tags=["partners"])


_CURRENCIES = list(CURRENCIES)
_SUBCATEGORIES = [sub for subs in SUBCATEGORIES.values() for sub in subs]
_PIX_KEY_TYPES = ["", *(t.value for t in PixKeyType)]
#: The integration share: a decimal string from 0.10 to 0.25 with up to 4 places.
SHARE_RATE_PATTERN = r"^0?\.(1[0-9]{0,3}|2[0-4][0-9]{0,2}|250{0,2})$|^0?\.2$|^0?\.25$"


class PartnerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = declared(pattern=NOT_BLANK_PATTERN, maxLength=200)
    legal_name: str = declared(pattern=NOT_BLANK_PATTERN, maxLength=300)
    country: str = choice(COUNTRIES, description="ISO 3166-1 alpha-2.")
    tax_id: str = Field(description="CNPJ or CPF in Brazil, the national tax id elsewhere; check digits are checked.")
    currency: str = choice(_CURRENCIES)
    tax_regime: str = choice(TaxRegime.values, description="pj, pj_simples or pf in Brazil; foreign elsewhere.")
    category: str = choice(Category.values)
    subcategory: str = choice(_SUBCATEGORIES, description="One of the category's subcategories.")
    status: str = choice(PartnerStatus.values, "prospect")
    tier: str | None = choice([*Tier.values, None], None)
    integration_share_rate: str | None = declared(None, pattern=SHARE_RATE_PATTERN)
    verticals: list[Annotated[str, declared(pattern=NOT_BLANK_PATTERN)]] = []
    territories: list[Annotated[str, declared(pattern=NOT_BLANK_PATTERN)]] = []
    pix_key_type: str = choice(_PIX_KEY_TYPES, "")
    pix_key: str = Field("", description="A valid key of pix_key_type (blank with it).")
    payout_method: str = choice(["", *METHODS], "", description="Another first payout method than a PIX key.")
    payout_details: dict[str, str] = Field({}, description="The payout method's details (docs/payouts.md).")
    payout_reason: str = Field("", description="Why an account outside the partner's country.", max_length=500)


class PayoutMethodIn(Schema):
    model_config = ConfigDict(extra="forbid")

    method: str = choice(list(METHODS), description="pix, br_ted, mx_spei, ar_cbu, co_bank, cl_bank or intl.")
    details: dict[str, str] = Field(description="The method's details, by name (docs/payouts.md, Payout methods).")
    reason: str = Field("", description="Why an account outside the partner's country.", max_length=500)


class PartnerPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = declared(None, pattern=NOT_BLANK_PATTERN, maxLength=200)
    legal_name: str | None = declared(None, pattern=NOT_BLANK_PATTERN, maxLength=300)
    country: str | None = choice([*COUNTRIES, None], None)
    tax_id: str | None = None
    currency: str | None = choice([*_CURRENCIES, None], None)
    tax_regime: str | None = choice([*TaxRegime.values, None], None)
    category: str | None = choice([*Category.values, None], None)
    subcategory: str | None = choice([*_SUBCATEGORIES, None], None)
    status: str | None = choice([*PartnerStatus.values, None], None)
    tier: str | None = choice([*Tier.values, None], None)
    integration_share_rate: str | None = declared(None, pattern=SHARE_RATE_PATTERN)
    verticals: list[Annotated[str, declared(pattern=NOT_BLANK_PATTERN)]] | None = None
    territories: list[Annotated[str, declared(pattern=NOT_BLANK_PATTERN)]] | None = None
    pix_key_type: str | None = choice([*_PIX_KEY_TYPES, None], None)
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
    pix_key: str = Field(description="Whole for credentials that may read payouts; a platform key sees it masked.")
    payout_method: str = Field(description="How payouts are sent; blank: no method yet.")
    payout_account: str = Field(description="Where they go, every account number masked but its last 4 characters.")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_pix_key(obj: Partner, context: dict[str, Any]) -> str:
        return shown_pix_key(principal_of(context["request"]), obj.pix_key)

    @staticmethod
    def resolve_payout_account(obj: Partner) -> str:
        return account_summary(obj.payout_method, obj.payout_account) if obj.payout_method else ""

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
def list_partners(
    request: HttpRequest, page: Query[PageParams],
    status: Annotated[str | None, choice([*PartnerStatus.values, "", None])] = None,
):
    principal = principal_of(request)
    principal.require(Ability.READ)
    check_choice("status", status, [*PartnerStatus.values, "", None])
    qs = scope_partners(principal).order_by("id")
    if status:
        qs = qs.filter(status=status)
    return page_of(qs, page)


@router.get("/{int:partner_id}", response={200: PartnerOut, **ERRORS}, summary="Read a partner")
def get_partner(request: HttpRequest, partner_id: PathId):
    principal = principal_of(request)
    principal.require(Ability.READ)
    return get_object_or_404(scope_partners(principal), pk=partner_id)


@router.patch("/{int:partner_id}", response={200: PartnerOut, **ERRORS}, summary="Change a partner (admin)")
def patch_partner(request: HttpRequest, partner_id: PathId, payload: PartnerPatch):
    principal = principal_of(request)
    partner = get_object_or_404(scope_partners(principal), pk=partner_id)
    principal.require(Ability.MANAGE_PARTNERS)
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None or k in _NULLABLE}
    return partner_update(partner=partner, changes=PartnerChanges(**changes), actor=principal.actor)


@router.put(
    "/{int:partner_id}/payout-method", response={200: PartnerOut, **ERRORS}, summary="Set how a partner is paid (admin)"
)
def put_payout_method(request: HttpRequest, partner_id: PathId, payload: PayoutMethodIn):
    """The method and its details are checked per country (check digits, the holder's tax id, a reason for an
    account abroad: a 422 naming the field, nothing stored); a change holds the partner's payouts for 48 hours and
    tells its admins."""
    principal = principal_of(request)
    partner = get_object_or_404(scope_partners(principal), pk=partner_id)
    principal.require(Ability.MANAGE_PARTNERS)
    return payout_method_change(partner=partner, method=payload.method, details=payload.details,
                                reason=payload.reason, actor=principal.actor)
