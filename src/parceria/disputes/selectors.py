"""Reads of disputes and adjustments. Every partner-facing query starts from `scope_disputes` (DESIGN rule 6).

Overdue is computed here, never stored: an active dispute that has had no staff response by its
`response_due_at` is overdue from the first instant after that deadline. Functions take an optional `now`
so tests can place themselves on either side of the deadline.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Principal
from parceria.common.errors import InvalidInput, NotFound
from parceria.disputes.models import (
    ACTIVE_DISPUTE_STATUSES,
    Adjustment,
    AdjustmentStatus,
    Dispute,
    DisputeAttachment,
    DisputeComment,
    DisputeStatus,
)


def scope_disputes(principal: Principal, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The disputes `principal` may see: a partner's own only; staff see all."""
    qs = queryset if queryset is not None else Dispute.objects.all()
    return qs.filter(partner_id=principal.partner_id or 0) if principal.is_partner else qs


def overdue_q(now: datetime) -> Q:
    return Q(
        status__in=[s.value for s in ACTIVE_DISPUTE_STATUSES],
        first_staff_response_at__isnull=True,
        response_due_at__lt=now,
    )


def dispute_is_overdue(dispute: Dispute, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        dispute.status in ACTIVE_DISPUTE_STATUSES
        and dispute.first_staff_response_at is None
        and now > dispute.response_due_at
    )


def dispute_list(
    *,
    principal: Principal,
    status: str | None = None,
    overdue: bool | None = None,
    partner_id: int | None = None,
    now: datetime | None = None,
) -> QuerySet[Dispute]:
    qs = scope_disputes(principal).order_by("-opened_at", "-id")
    if status is not None:
        if status not in DisputeStatus.values:
            raise InvalidInput(f"status must be one of {', '.join(DisputeStatus.values)}", details={"field": "status"})
        qs = qs.filter(status=status)
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    if overdue is not None:
        condition = overdue_q(now or timezone.now())
        qs = qs.filter(condition) if overdue else qs.exclude(condition)
    return qs


def dispute_get(*, principal: Principal, dispute_id: int) -> Dispute:
    dispute = scope_disputes(principal).filter(pk=dispute_id).first()
    if dispute is None:
        raise NotFound(_("dispute %(id)s not found") % {"id": dispute_id})
    return dispute


def dispute_comments(dispute: Dispute, *, include_internal: bool) -> list[DisputeComment]:
    comments = dispute.comments.order_by("created_at", "id")
    return list(comments if include_internal else comments.filter(is_internal=False))


def dispute_attachments(dispute: Dispute) -> list[DisputeAttachment]:
    return list(dispute.attachments.order_by("created_at", "id"))


def dispute_attachment_get(dispute: Dispute, attachment_id: int) -> DisputeAttachment:
    attachment = dispute.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound(_("attachment %(id)s not found") % {"id": attachment_id})
    return attachment


def dispute_adjustments(dispute: Dispute) -> list[Adjustment]:
    return list(dispute.adjustments.filter(partner_id=dispute.partner_id).order_by("requested_at", "id"))


def adjustment_list(*, status: str | None = None, partner_id: int | None = None) -> QuerySet[Adjustment]:
    """Adjustments for finance staff, newest first."""
    qs = Adjustment.objects.order_by("-requested_at", "-id")
    if status is not None:
        if status not in AdjustmentStatus.values:
            raise InvalidInput(
                f"status must be one of {', '.join(AdjustmentStatus.values)}", details={"field": "status"}
            )
        qs = qs.filter(status=status)
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    return qs


def adjustment_get(adjustment_id: int) -> Adjustment:
    adjustment = Adjustment.objects.filter(pk=adjustment_id).first()
    if adjustment is None:
        raise NotFound(_("adjustment %(id)s not found") % {"id": adjustment_id})
    return adjustment
