"""Agreements API (mounted by the lead at /api/v1/agreements): validate, call a service, serialise."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from parceria.accounts.tenancy import Ability, Principal, sees_staff_notes
from parceria.agreements.models import Agreement, AgreementStatus, AgreementType
from parceria.agreements.selectors import agreement_dates, agreement_list, scope_agreements
from parceria.agreements.services import (
    MAX_TERM_MONTHS,
    AgreementFields,
    agreement_create,
    agreement_move,
    rate_override_grant,
)
from parceria.api.auth import principal_of
from parceria.api.schemas import (
    ERRORS,
    ApiBool,
    ApiDate,
    JsonInt,
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
from parceria.partners.selectors import scope_partners

router = Router(tags=["agreements"])


#: A referral rate override: a decimal fraction above 0 and below 1 with up to 4 places ("0.27").
OVERRIDE_RATE_PATTERN = r"^0?\.([1-9][0-9]{0,3}|0[1-9][0-9]{0,2}|00[1-9][0-9]?|000[1-9])$"


class AgreementIn(Schema):
    model_config = ConfigDict(extra="forbid")

    partner_id: StrictRowId
    type: str = choice(AgreementType.values)
    title: str = ""
    start_date: ApiDate
    initial_term_months: JsonInt | None = declared(None, minimum=1, maximum=MAX_TERM_MONTHS)
    end_date: ApiDate | None = Field(None, description="A fixed end (not before the start) instead of a term.")
    auto_renewal: ApiBool | None = None
    renewal_term_months: JsonInt | None = declared(None, minimum=1, maximum=MAX_TERM_MONTHS)
    notice_days: JsonInt | None = declared(None, minimum=0, maximum=3650)
    signed_on: ApiDate | None = None
    notes: str = ""


class StatusIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: str = choice(AgreementStatus.values)
    terminated_on: ApiDate | None = None  # only when terminating; default today


class RateOverrideIn(Schema):
    model_config = ConfigDict(extra="forbid")

    rate: str = declared(pattern=OVERRIDE_RATE_PATTERN, description="More than 0 and less than 1, up to 4 places.")
    effective_from: ApiDate


class TermOut(Schema):
    kind: str
    value: str
    rate: str | None
    effective_from: date | None


class AgreementOut(Schema):
    id: int
    partner_id: int
    type: str
    title: str
    status: str
    start_date: date
    initial_term_months: int | None
    end_date: date | None
    auto_renewal: bool
    renewal_term_months: int | None
    notice_days: int
    signed_on: date | None
    terminated_on: date | None
    plan_approval: str
    notes: str | None = Field(description="Staff notes: null for a partner credential, which never sees them.")
    current_term_end: date | None
    next_renewal_date: date | None
    notice_deadline: date | None
    terms: list[TermOut]
    created_at: datetime

    @staticmethod
    def resolve_notes(obj: Agreement, context: dict[str, Any]) -> str | None:
        return obj.notes if sees_staff_notes(principal_of(context["request"])) else None

    @staticmethod
    def resolve_current_term_end(obj: Agreement) -> date | None:
        return agreement_dates(obj, timezone.localdate()).term_end

    @staticmethod
    def resolve_next_renewal_date(obj: Agreement) -> date | None:
        return agreement_dates(obj, timezone.localdate()).renewal

    @staticmethod
    def resolve_notice_deadline(obj: Agreement) -> date | None:
        return agreement_dates(obj, timezone.localdate()).notice_deadline

    @staticmethod
    def resolve_terms(obj: Agreement) -> list[dict[str, object]]:
        return [
            {"kind": t.kind, "value": t.value, "rate": None if t.rate is None else format(t.rate.normalize(), "f"),
             "effective_from": t.effective_from}
            for t in obj.terms.all()
        ]


class AgreementPage(Page):
    items: list[AgreementOut]


def _scoped(principal: Principal) -> QuerySet[Agreement]:
    return scope_agreements(principal).prefetch_related("terms")


@router.get("", response={200: AgreementPage, **ERRORS}, summary="List agreements")
def list_agreements(
    request: HttpRequest, page: Query[PageParams], partner_id: RowId | None = None,
    type: Annotated[str, choice(["", *AgreementType.values])] = "",
    status: Annotated[str, choice(["", *AgreementStatus.values])] = "",
):
    principal = principal_of(request)
    principal.require(Ability.READ)
    check_choice("type", type, ["", *AgreementType.values])
    check_choice("status", status, ["", *AgreementStatus.values])
    qs = agreement_list(queryset=_scoped(principal), partner_id=partner_id, type=type, status=status)
    return page_of(qs, page)


@router.get("/{int:agreement_id}", response={200: AgreementOut, **ERRORS}, summary="Read an agreement")
def get_agreement(request: HttpRequest, agreement_id: PathId):
    principal = principal_of(request)
    principal.require(Ability.READ)
    return get_object_or_404(_scoped(principal), pk=agreement_id)


@router.post("", response={201: AgreementOut, **ERRORS}, summary="Record an agreement (draft)")
def create_agreement(request: HttpRequest, payload: AgreementIn):
    principal = principal_of(request)
    principal.require(Ability.MANAGE_PARTNERS)
    partner = get_object_or_404(scope_partners(principal), pk=payload.partner_id)
    data = payload.model_dump(exclude={"partner_id"})
    return Status(201, agreement_create(partner=partner, fields=AgreementFields(**data), actor=principal.actor))


@router.post("/{int:agreement_id}/status", response={200: AgreementOut, **ERRORS}, summary="Move an agreement")
def move_agreement(request: HttpRequest, agreement_id: PathId, payload: StatusIn):
    principal = principal_of(request)
    principal.require(Ability.MANAGE_PARTNERS)
    agreement = get_object_or_404(_scoped(principal), pk=agreement_id)
    return agreement_move(agreement=agreement, status=payload.status, actor=principal.actor, on=payload.terminated_on)


@router.post(
    "/{int:agreement_id}/rate-overrides", response={201: AgreementOut, **ERRORS}, summary="Grant a referral rate"
)
def grant_rate_override(request: HttpRequest, agreement_id: PathId, payload: RateOverrideIn):
    principal = principal_of(request)
    principal.require(Ability.MANAGE_PARTNERS)
    agreement = get_object_or_404(_scoped(principal), pk=agreement_id)
    rate_override_grant(
        agreement=agreement, rate=payload.rate, effective_from=payload.effective_from, actor=principal.actor
    )
    return Status(201, _scoped(principal).get(pk=agreement.pk))
