"""Adjustments API (SPEC §6.6): request, list, read, approve (a second, different approver above the threshold)
and reject manual adjustments, with Ability.FINANCE. Mounted by parceria.api at /api/v1/adjustments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict

from parceria.accounts.tenancy import Ability, Principal
from parceria.api.auth import principal_of
from parceria.api.schemas import (
    ERRORS,
    NONZERO_AMOUNT_PATTERN,
    NOT_BLANK_PATTERN,
    Page,
    PageParams,
    PathId,
    RowId,
    StrictRowId,
    choice,
    declared,
)
from parceria.common.money import ledger_str
from parceria.disputes.adjustments import REASON_MAX_LENGTH, adjustment_approve, adjustment_reject, adjustment_request
from parceria.disputes.api import ReasonIn
from parceria.disputes.models import Adjustment, AdjustmentStatus
from parceria.disputes.selectors import adjustment_get, adjustment_list
from parceria.partners.models import Partner
from parceria.partners.selectors import scope_partners

router = Router(tags=["adjustments"])


class AdjustmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    partner_id: StrictRowId
    amount: str = declared(pattern=NONZERO_AMOUNT_PATTERN, description="A signed decimal string, not zero.")
    reason: str = declared(pattern=NOT_BLANK_PATTERN, maxLength=REASON_MAX_LENGTH)


class ApprovalOut(Schema):
    approver: str
    approved_at: datetime


class AdjustmentOut(Schema):
    id: int
    partner_id: int
    amount: str
    currency: str
    reason: str
    status: str
    required_approvals: int
    requested_by: str
    requested_at: datetime
    approvals: list[ApprovalOut]
    decided_at: datetime | None
    rejected_by: str
    rejection_reason: str
    dispute_id: int | None
    ledger_line: str | None


class AdjustmentPage(Page):
    items: list[AdjustmentOut]


class AdjustmentListParams(Schema):
    status: str | None = choice([*AdjustmentStatus.values, None], None)
    partner_id: RowId | None = None


def _adjustment(adjustment: Adjustment) -> dict[str, Any]:
    return {
        "id": adjustment.pk,
        "partner_id": adjustment.partner_id,
        "amount": ledger_str(adjustment.amount),
        "currency": adjustment.currency,
        "reason": adjustment.reason,
        "status": adjustment.status,
        "required_approvals": adjustment.required_approvals,
        "requested_by": adjustment.requested_by_label,
        "requested_at": adjustment.requested_at,
        "approvals": [
            {"approver": a.approver_label, "approved_at": a.approved_at} for a in adjustment.approvals.all()
        ],
        "decided_at": adjustment.decided_at,
        "rejected_by": adjustment.rejected_by_label,
        "rejection_reason": adjustment.rejection_reason,
        "dispute_id": adjustment.dispute_id,
        "ledger_line": adjustment.ledger_line_id,
    }


def _finance(request: HttpRequest) -> Principal:
    principal = principal_of(request)
    principal.require(Ability.FINANCE)
    return principal


@router.post("", response={201: AdjustmentOut, **ERRORS}, summary="Request a manual adjustment")
def request_adjustment(request: HttpRequest, payload: AdjustmentIn) -> Any:
    principal = _finance(request)
    partner = get_object_or_404(scope_partners(principal, Partner.objects.all()), pk=payload.partner_id)
    adjustment = adjustment_request(partner=partner, amount=payload.amount, reason=payload.reason,
                                    actor=principal.actor)
    return Status(201, _adjustment(adjustment))


@router.get("", response={200: AdjustmentPage, **ERRORS}, summary="List adjustments")
def list_adjustments(request: HttpRequest, page: Query[PageParams], filters: Query[AdjustmentListParams]) -> Any:
    _finance(request)
    adjustments = adjustment_list(status=filters.status, partner_id=filters.partner_id)
    items = adjustments.prefetch_related("approvals")[page.offset : page.offset + page.limit]
    return {
        "count": adjustments.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": [_adjustment(a) for a in items],
    }


@router.get("/{int:adjustment_id}", response={200: AdjustmentOut, **ERRORS}, summary="Read one")
def get_adjustment(request: HttpRequest, adjustment_id: PathId) -> Any:
    _finance(request)
    return _adjustment(adjustment_get(adjustment_id))


@router.post(
    "/{int:adjustment_id}/approve", response={200: AdjustmentOut, **ERRORS}, summary="Approve (a second approver)"
)
def approve_adjustment(request: HttpRequest, adjustment_id: PathId) -> Any:
    principal = _finance(request)
    adjustment = adjustment_approve(adjustment=adjustment_get(adjustment_id), actor=principal.actor)
    return _adjustment(adjustment)


@router.post("/{int:adjustment_id}/reject", response={200: AdjustmentOut, **ERRORS}, summary="Reject")
def reject_adjustment(request: HttpRequest, adjustment_id: PathId, payload: ReasonIn) -> Any:
    principal = _finance(request)
    adjustment = adjustment_reject(adjustment=adjustment_get(adjustment_id), reason=payload.reason,
                                   actor=principal.actor)
    return _adjustment(adjustment)
