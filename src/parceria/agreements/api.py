"""Agreements API (mounted by the lead at /api/v1/agreements): validate, call a service, serialise."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict

from parceria.accounts.tenancy import Ability, Principal, scope_partners
from parceria.agreements.models import Agreement
from parceria.agreements.selectors import agreement_dates, agreement_list
from parceria.agreements.services import AgreementFields, agreement_create, agreement_move, rate_override_grant
from parceria.api.auth import principal_of
from parceria.api.schemas import ERRORS, ApiBool, ApiDate, Page, PageParams, RowId, page_of

router = Router(tags=["agreements"])


class AgreementIn(Schema):
    model_config = ConfigDict(extra="forbid")

    partner_id: RowId
    type: str
    title: str = ""
    start_date: ApiDate
    initial_term_months: int | None = None
    end_date: ApiDate | None = None
    auto_renewal: ApiBool | None = None
    renewal_term_months: int | None = None
    notice_days: int | None = None
    signed_on: ApiDate | None = None
    notes: str = ""


class StatusIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: str
    terminated_on: ApiDate | None = None  # only when terminating; default today


class RateOverrideIn(Schema):
    model_config = ConfigDict(extra="forbid")

    rate: str
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
    notes: str
    current_term_end: date | None
    next_renewal_date: date | None
    notice_deadline: date | None
    terms: list[TermOut]
    created_at: datetime

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
    return Agreement.objects.filter(partner__in=scope_partners(principal)).prefetch_related("terms")


@router.get("", response={200: AgreementPage, **ERRORS}, summary="List agreements")
def list_agreements(
    request: HttpRequest, page: Query[PageParams], partner_id: RowId | None = None, type: str = "", status: str = ""
):
    principal = principal_of(request)
    principal.require(Ability.READ)
    qs = agreement_list(queryset=_scoped(principal), partner_id=partner_id, type=type, status=status)
    return page_of(qs, page)


@router.get("/{int:agreement_id}", response={200: AgreementOut, **ERRORS}, summary="Read an agreement")
def get_agreement(request: HttpRequest, agreement_id: int):
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
def move_agreement(request: HttpRequest, agreement_id: int, payload: StatusIn):
    principal = principal_of(request)
    principal.require(Ability.MANAGE_PARTNERS)
    agreement = get_object_or_404(_scoped(principal), pk=agreement_id)
    return agreement_move(agreement=agreement, status=payload.status, actor=principal.actor, on=payload.terminated_on)


@router.post(
    "/{int:agreement_id}/rate-overrides", response={201: AgreementOut, **ERRORS}, summary="Grant a referral rate"
)
def grant_rate_override(request: HttpRequest, agreement_id: int, payload: RateOverrideIn):
    principal = principal_of(request)
    principal.require(Ability.MANAGE_PARTNERS)
    agreement = get_object_or_404(_scoped(principal), pk=agreement_id)
    rate_override_grant(
        agreement=agreement, rate=payload.rate, effective_from=payload.effective_from, actor=principal.actor
    )
    return Status(201, _scoped(principal).get(pk=agreement.pk))
