"""Disputes API (SPEC §8): validate, call a service, serialise. Mounted by parceria.api at /api/v1/disputes.
The adjustments API (SPEC §6.6, /api/v1/adjustments) is parceria.disputes.adjustments_api.

* A partner (partner key or partner user, Ability.DISPUTE) opens disputes about its own ledger lines, payouts
  or a missing attribution, lists and reads its own, comments, attaches files and withdraws. Another partner's
  dispute, line or payout answers 404.
* Staff (Ability.RESOLVE_DISPUTES) list every dispute (?status=, ?overdue=, ?partner_id=), comment (also
  internal notes, never shown to the partner), take a dispute into review, reject it, or resolve it with an
  adjustment (which also needs Ability.FINANCE, since it moves money).
* Attachments are uploaded as multipart/form-data with one part named `file` (PDF, PNG, JPEG or CSV, ≤ 10 MB)
  and downloaded from GET /disputes/{id}/attachments/{attachment_id}.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Query, Router, Schema, Status, UploadedFile
from pydantic import ConfigDict

from parceria.accounts.tenancy import Ability, Principal, sees_staff_notes
from parceria.api.auth import principal_of
from parceria.api.schemas import (
    ERRORS,
    NONZERO_AMOUNT_PATTERN,
    NOT_BLANK_PATTERN,
    ApiBool,
    Page,
    PageParams,
    PathId,
    RowId,
    StrictRowId,
    choice,
    declared,
)
from parceria.common.errors import InvalidInput
from parceria.common.money import ledger_str
from parceria.disputes import services
from parceria.disputes.adjustments import REASON_MAX_LENGTH
from parceria.disputes.files import attachment_response
from parceria.disputes.models import (
    Dispute,
    DisputeAttachment,
    DisputeComment,
    DisputeStatus,
    DisputeSubject,
)
from parceria.disputes.selectors import (
    dispute_adjustments,
    dispute_attachment_get,
    dispute_attachments,
    dispute_comments,
    dispute_get,
    dispute_is_overdue,
    dispute_list,
)
from parceria.disputes.services import COMMENT_MAX_LENGTH, DESCRIPTION_MAX_LENGTH
from parceria.partners.selectors import scope_partners

router = Router(tags=["disputes"])

#: How staff appear to partners: staff user and key names stay internal.
STAFF_LABEL = "Parceria staff"


# --- schemas --------------------------------------------------------------------------------------------------------


class DisputeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    subject: str = choice(DisputeSubject.values)
    description: str = declared(pattern=NOT_BLANK_PATTERN, maxLength=DESCRIPTION_MAX_LENGTH)
    ledger_line_id: StrictRowId | None = None
    payout_id: StrictRowId | None = None
    customer_external_id: str | None = None
    customer_name: str | None = None


class CommentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: str = declared(pattern=NOT_BLANK_PATTERN, maxLength=COMMENT_MAX_LENGTH)
    internal: ApiBool = False


class WithdrawIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = ""


class ResolveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    adjustment_amount: str = declared(pattern=NONZERO_AMOUNT_PATTERN, description="A signed decimal string, not zero.")
    resolution: str = declared(pattern=NOT_BLANK_PATTERN, maxLength=DESCRIPTION_MAX_LENGTH)


class ReasonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = declared(pattern=NOT_BLANK_PATTERN, maxLength=REASON_MAX_LENGTH)


class CommentOut(Schema):
    id: int
    author: str
    is_staff: bool
    internal: bool
    text: str
    created_at: datetime


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    is_staff: bool
    created_at: datetime


class DisputeAdjustmentOut(Schema):
    id: int
    amount: str
    currency: str
    status: str
    ledger_line: str | None


class DisputeOut(Schema):
    id: int
    partner_id: int
    subject: str
    ledger_line_id: int | None
    payout_id: int | None
    customer_external_id: str
    customer_name: str
    description: str
    status: str
    opened_by: str
    opened_at: datetime
    response_due_at: datetime
    first_staff_response_at: datetime | None
    overdue: bool
    resolution: str
    closed_at: datetime | None


class DisputeDetailOut(DisputeOut):
    comments: list[CommentOut]
    attachments: list[AttachmentOut]
    adjustments: list[DisputeAdjustmentOut]


class DisputePage(Page):
    items: list[DisputeOut]


class DisputeListParams(Schema):
    status: str | None = choice([*DisputeStatus.values, None], None)
    overdue: bool | None = None
    partner_id: RowId | None = None


# --- serialisation --------------------------------------------------------------------------------------------------


def _shown(label: str, is_staff: bool, viewer_is_staff: bool) -> str:
    return STAFF_LABEL if is_staff and not viewer_is_staff else label


def _dispute(dispute: Dispute) -> dict[str, Any]:
    return {
        "id": dispute.pk,
        "partner_id": dispute.partner_id,
        "subject": dispute.subject,
        "ledger_line_id": dispute.ledger_line_id,
        "payout_id": dispute.payout_id,
        "customer_external_id": dispute.customer_external_id,
        "customer_name": dispute.customer_name,
        "description": dispute.description,
        "status": dispute.status,
        "opened_by": dispute.opened_by_label,
        "opened_at": dispute.opened_at,
        "response_due_at": dispute.response_due_at,
        "first_staff_response_at": dispute.first_staff_response_at,
        "overdue": dispute_is_overdue(dispute),
        "resolution": dispute.resolution,
        "closed_at": dispute.closed_at,
    }


def _comment(comment: DisputeComment, staff_view: bool) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "author": _shown(comment.author_label, comment.is_staff, staff_view),
        "is_staff": comment.is_staff,
        "internal": comment.is_internal,
        "text": comment.text,
        "created_at": comment.created_at,
    }


def _attachment(attachment: DisputeAttachment, staff_view: bool) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "uploaded_by": _shown(attachment.uploaded_by_label, attachment.is_staff, staff_view),
        "is_staff": attachment.is_staff,
        "created_at": attachment.created_at,
    }


def _dispute_detail(dispute: Dispute, principal: Principal) -> dict[str, Any]:
    staff_view = sees_staff_notes(principal)
    return {
        **_dispute(dispute),
        "comments": [_comment(c, staff_view) for c in dispute_comments(dispute, include_internal=staff_view)],
        "attachments": [_attachment(a, staff_view) for a in dispute_attachments(dispute)],
        "adjustments": [
            {
                "id": a.pk,
                "amount": ledger_str(a.amount),
                "currency": a.currency,
                "status": a.status,
                "ledger_line": a.ledger_line_id,
            }
            for a in dispute_adjustments(dispute)
        ],
    }


# --- access ---------------------------------------------------------------------------------------------------------


def _reader(request: HttpRequest) -> Principal:
    """A partner following its own disputes, or staff who answer them."""
    principal = principal_of(request)
    principal.require(Ability.DISPUTE if principal.is_partner else Ability.RESOLVE_DISPUTES)
    return principal


def _staff(request: HttpRequest) -> Principal:
    principal = principal_of(request)
    principal.require(Ability.RESOLVE_DISPUTES)
    return principal


def _own_dispute(request: HttpRequest, dispute_id: int) -> tuple[Principal, Dispute]:
    """The dispute, found through scope_disputes (404 for another partner's), and who is asking."""
    principal = _reader(request)
    return principal, dispute_get(principal=principal, dispute_id=dispute_id)


# --- dispute routes -------------------------------------------------------------------------------------------------


@router.post("", response={201: DisputeDetailOut, **ERRORS}, summary="Open a dispute (partner)")
def open_dispute(request: HttpRequest, payload: DisputeIn) -> Any:
    principal = principal_of(request)
    principal.require(Ability.DISPUTE)
    partner = get_object_or_404(scope_partners(principal), pk=principal.partner_id or 0)
    claim = services.DisputeClaim(**payload.model_dump(exclude={"subject"}))
    dispute = services.dispute_open(partner=partner, subject=payload.subject, claim=claim, actor=principal.actor)
    return Status(201, _dispute_detail(dispute, principal))


@router.get("", response={200: DisputePage, **ERRORS}, summary="List disputes (a partner's own; staff: all)")
def list_disputes(request: HttpRequest, page: Query[PageParams], filters: Query[DisputeListParams]) -> Any:
    principal = _reader(request)
    disputes = dispute_list(
        principal=principal, status=filters.status, overdue=filters.overdue, partner_id=filters.partner_id
    )
    return {
        "count": disputes.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": [_dispute(d) for d in disputes[page.offset : page.offset + page.limit]],
    }


@router.get("/{int:dispute_id}", response={200: DisputeDetailOut, **ERRORS}, summary="Read a dispute")
def get_dispute(request: HttpRequest, dispute_id: PathId) -> Any:
    principal, dispute = _own_dispute(request, dispute_id)
    return _dispute_detail(dispute, principal)


@router.post("/{int:dispute_id}/comments", response={201: CommentOut, **ERRORS}, summary="Comment on a dispute")
def add_comment(request: HttpRequest, dispute_id: PathId, payload: CommentIn) -> Any:
    principal, dispute = _own_dispute(request, dispute_id)
    staff = not principal.is_partner
    comment = services.dispute_comment_add(
        dispute=dispute, text=payload.text, actor=principal.actor, is_staff=staff, internal=payload.internal
    )
    return Status(201, _comment(comment, staff))


@router.post(
    "/{int:dispute_id}/attachments",
    response={201: AttachmentOut, **ERRORS},
    summary="Attach a file (multipart/form-data, part `file`: PDF, PNG, JPEG or CSV, at most 10 MB)",
    # The part is required (without it the answer is 422 `file_required`), and is a file, never null.
    openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}}},
)
def add_attachment(request: HttpRequest, dispute_id: PathId, file: File[UploadedFile | None] = None) -> Any:
    principal, dispute = _own_dispute(request, dispute_id)
    if file is None:
        raise InvalidInput("send the file as multipart/form-data in a part named `file`", code="file_required",
                           details={"field": "file"})
    staff = not principal.is_partner
    attachment = services.dispute_attachment_add(
        dispute=dispute, filename=file.name or "", content=file, actor=principal.actor, is_staff=staff
    )
    return Status(201, _attachment(attachment, staff))


@router.get(
    "/{int:dispute_id}/attachments/{int:attachment_id}",
    response=ERRORS,
    summary="Download an attachment",
    openapi_extra={"responses": {200: {
        "description": "The file, served with the content type of its kind (PDF, PNG, JPEG or CSV)",
        "content": {media: {"schema": {"type": "string", "format": "binary"}}
                    for media in sorted({media for media, _ in services.ATTACHMENT_TYPES.values()})},
    }}},
)
def download_attachment(request: HttpRequest, dispute_id: PathId, attachment_id: PathId) -> Any:
    _, dispute = _own_dispute(request, dispute_id)
    return attachment_response(dispute_attachment_get(dispute, attachment_id))


@router.post("/{int:dispute_id}/withdraw", response={200: DisputeDetailOut, **ERRORS}, summary="Withdraw (partner)")
def withdraw_dispute(request: HttpRequest, dispute_id: PathId, payload: WithdrawIn) -> Any:
    principal, dispute = _own_dispute(request, dispute_id)
    principal.require(Ability.DISPUTE)
    dispute = services.dispute_withdraw(dispute=dispute, reason=payload.reason, actor=principal.actor)
    return _dispute_detail(dispute, principal)


@router.post("/{int:dispute_id}/review", response={200: DisputeDetailOut, **ERRORS}, summary="Take up (staff)")
def review_dispute(request: HttpRequest, dispute_id: PathId) -> Any:
    principal = _staff(request)
    dispute = services.dispute_review(dispute=dispute_get(principal=principal, dispute_id=dispute_id),
                                      actor=principal.actor)
    return _dispute_detail(dispute, principal)


@router.post(
    "/{int:dispute_id}/resolve",
    response={200: DisputeDetailOut, **ERRORS},
    summary="Resolve with an adjustment (staff with finance rights)",
)
def resolve_dispute(request: HttpRequest, dispute_id: PathId, payload: ResolveIn) -> Any:
    principal = _staff(request)
    principal.require(Ability.FINANCE)
    dispute = services.dispute_resolve(
        dispute=dispute_get(principal=principal, dispute_id=dispute_id),
        adjustment_amount=payload.adjustment_amount,
        resolution=payload.resolution,
        actor=principal.actor,
    )
    return _dispute_detail(dispute, principal)


@router.post("/{int:dispute_id}/reject", response={200: DisputeDetailOut, **ERRORS}, summary="Reject (staff)")
def reject_dispute(request: HttpRequest, dispute_id: PathId, payload: ReasonIn) -> Any:
    principal = _staff(request)
    dispute = services.dispute_reject(
        dispute=dispute_get(principal=principal, dispute_id=dispute_id), reason=payload.reason, actor=principal.actor
    )
    return _dispute_detail(dispute, principal)
