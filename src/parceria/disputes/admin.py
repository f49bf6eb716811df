"""Read-only admin views: disputes and adjustments change only through their services (audit, approvals,
ledger), so the admin may look but not touch."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from parceria.common.admin import ReadOnlyAdmin
from parceria.disputes.models import Adjustment, AdjustmentApproval, Dispute, DisputeAttachment, DisputeComment


class CommentInline(admin.TabularInline):
    model = DisputeComment
    extra = 0
    can_delete = False
    readonly_fields = ("author_label", "is_staff", "is_internal", "text", "created_at")
    exclude = ("author_user",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AttachmentInline(admin.TabularInline):
    model = DisputeAttachment
    extra = 0
    can_delete = False
    readonly_fields = ("filename", "content_type", "size", "sha256", "uploaded_by_label", "is_staff", "created_at")
    exclude = ("file",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ("id", "partner", "subject", "status", "opened_at", "response_due_at", "first_staff_response_at")
    list_filter = ("status", "subject")
    search_fields = ("id", "partner__name", "customer_external_id", "customer_name")
    raw_id_fields = ("partner", "ledger_line", "payout", "opened_by_user")
    inlines = (CommentInline, AttachmentInline)


class ApprovalInline(admin.TabularInline):
    model = AdjustmentApproval
    extra = 0
    can_delete = False
    readonly_fields = ("approver_label", "approved_at")
    exclude = ("approver_user", "approver_key")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Adjustment)
class AdjustmentAdmin(ReadOnlyAdmin):
    list_display = ("id", "partner", "amount", "currency", "status", "requested_by_label", "requested_at")
    list_filter = ("status", "currency")
    search_fields = ("id", "partner__name", "reason")
    raw_id_fields = ("partner", "dispute", "ledger_line", "requested_by_user", "requested_by_key")
    inlines = (ApprovalInline,)
