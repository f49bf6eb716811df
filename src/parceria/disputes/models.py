"""Disputes (SPEC §8) and manual ledger adjustments (SPEC §6.6).

A partner disputes one of its ledger lines, one of its payouts, or a customer it believes should be attributed
to it. Staff review and either reject the dispute or resolve it with an adjustment. An adjustment is a manual
ledger entry with a reason and an author; above a configurable amount it needs a second, different approver
before it is posted. Once posted, the ledger line's dedupe key is `adj:<adjustment id>`.

Statuses are TextChoices with their allowed transitions written out below (DESIGN rule 8); the services are
the only code that moves them, and every move writes an audit record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parceria.common.append_only import AppendOnlyModel
from parceria.common.money import CURRENCY_CHOICES
from parceria.common.storage import MediaFolderStorage

# --- adjustments ---------------------------------------------------------------------------------------------------


class AdjustmentStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("Waiting for a second approver")
    POSTED = "posted", _("Posted to the ledger")
    REJECTED = "rejected", pgettext_lazy("adjustment status", "Rejected")


ADJUSTMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    AdjustmentStatus.PENDING_APPROVAL: frozenset({AdjustmentStatus.POSTED, AdjustmentStatus.REJECTED}),
    AdjustmentStatus.POSTED: frozenset(),
    AdjustmentStatus.REJECTED: frozenset(),
}


class Adjustment(models.Model):
    """A manual correction of a partner's balance, with its reason, its author and its approvals.

    `amount` is signed (positive in the partner's favour) and in the partner's payout currency. An adjustment
    whose absolute amount is at most the configured threshold is approved by its requester alone and posted at
    once; above it, `required_approvals` is 2 and a second, different finance user or key must approve.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="adjustments")
    amount = models.DecimalField(
        max_digits=20, decimal_places=4, help_text="Signed, non-zero, in `currency` (at most 4 places)."
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, help_text="The partner's payout currency.")
    reason = models.TextField()
    status = models.CharField(
        max_length=20, choices=AdjustmentStatus.choices, default=AdjustmentStatus.PENDING_APPROVAL
    )
    required_approvals = models.PositiveSmallIntegerField(
        help_text="1 up to the threshold in force when requested, 2 above it."
    )
    requested_by_label = models.CharField(max_length=200)
    requested_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by_key = models.ForeignKey(
        "accounts.ApiKey", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    dispute = models.ForeignKey(
        "Dispute", null=True, blank=True, on_delete=models.PROTECT, related_name="adjustments"
    )
    ledger_line = models.ForeignKey(
        "commissions.LedgerLine",
        to_field="dedupe_key",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The posted ledger line (dedupe key adj:<id>).",
    )
    decided_at = models.DateTimeField(null=True, blank=True, help_text="When it was posted or rejected.")
    rejected_by_label = models.CharField(max_length=200, blank=True)
    rejection_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "requested_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="adjustment_amount_not_zero"),
            models.CheckConstraint(condition=Q(required_approvals__in=[1, 2]), name="adjustment_one_or_two_approvals"),
        ]

    def __str__(self) -> str:
        return f"adjustment #{self.pk} {self.amount} {self.currency} → partner {self.partner_id} ({self.status})"

    @property
    def ledger_key(self) -> str:
        return f"adj:{self.pk}"


class AdjustmentApproval(AppendOnlyModel):
    """One approval of an adjustment. The requester's own approval is recorded when it asks; a second one,
    by someone else, is needed above the threshold."""

    adjustment = models.ForeignKey(Adjustment, on_delete=models.PROTECT, related_name="approvals")
    approver_label = models.CharField(max_length=200)
    approver_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approver_key = models.ForeignKey(
        "accounts.ApiKey", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField()

    class Meta:
        ordering = ["approved_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["adjustment", "approver_label"], name="adjustment_approval_once_per_label")
        ]

    def __str__(self) -> str:
        return f"adjustment {self.adjustment_id} approved by {self.approver_label}"


# --- disputes ------------------------------------------------------------------------------------------------------


class DisputeSubject(models.TextChoices):
    LEDGER_LINE = "ledger_line", _("A ledger line")
    PAYOUT = "payout", _("A payout")
    MISSING_ATTRIBUTION = "missing_attribution", _("A customer not attributed to the partner")


class DisputeStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("dispute status", "Open")
    IN_REVIEW = "in_review", _("In review")
    RESOLVED_WITH_ADJUSTMENT = "resolved_with_adjustment", _("Resolved with an adjustment")
    REJECTED = "rejected", pgettext_lazy("dispute status", "Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn by the partner")


ACTIVE_DISPUTE_STATUSES = (DisputeStatus.OPEN, DisputeStatus.IN_REVIEW)

DISPUTE_TRANSITIONS: dict[str, frozenset[str]] = {
    DisputeStatus.OPEN: frozenset(
        {
            DisputeStatus.IN_REVIEW,
            DisputeStatus.RESOLVED_WITH_ADJUSTMENT,
            DisputeStatus.REJECTED,
            DisputeStatus.WITHDRAWN,
        }
    ),
    DisputeStatus.IN_REVIEW: frozenset(
        {DisputeStatus.RESOLVED_WITH_ADJUSTMENT, DisputeStatus.REJECTED, DisputeStatus.WITHDRAWN}
    ),
    DisputeStatus.RESOLVED_WITH_ADJUSTMENT: frozenset(),
    DisputeStatus.REJECTED: frozenset(),
    DisputeStatus.WITHDRAWN: frozenset(),
}

_ACTIVE = Q(status__in=[s.value for s in ACTIVE_DISPUTE_STATUSES])


class Dispute(models.Model):
    """A partner's claim that its ledger, a payout or an attribution is wrong.

    Exactly one subject is filled in: `ledger_line`, `payout`, or the customer's external id and/or name for a
    missing attribution. `response_due_at` is the first-response deadline fixed when the dispute is opened;
    whether a dispute is overdue is computed by the selectors, never stored.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="disputes")
    subject = models.CharField(max_length=20, choices=DisputeSubject.choices)
    ledger_line = models.ForeignKey(
        "commissions.LedgerLine", null=True, blank=True, on_delete=models.PROTECT, related_name="disputes"
    )
    payout = models.ForeignKey(
        "payouts.Payout", null=True, blank=True, on_delete=models.PROTECT, related_name="disputes"
    )
    customer_external_id = models.CharField(max_length=200, blank=True)
    customer_name = models.CharField(max_length=300, blank=True)
    description = models.TextField()
    status = models.CharField(max_length=30, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    opened_by_label = models.CharField(max_length=200)
    opened_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField()
    response_due_at = models.DateTimeField(help_text="First staff response due (business days after opening).")
    first_staff_response_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True, help_text="Staff's resolution or rejection reason, shown to the partner.")
    closed_by_label = models.CharField(max_length=200, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "status"]),
            models.Index(fields=["status", "response_due_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ledger_line"],
                condition=_ACTIVE & Q(ledger_line__isnull=False),
                name="dispute_line_once_active",
            ),
            models.UniqueConstraint(
                fields=["payout"], condition=_ACTIVE & Q(payout__isnull=False), name="dispute_payout_once_active"
            ),
            models.UniqueConstraint(
                fields=["partner", "customer_external_id"],
                condition=_ACTIVE & Q(subject="missing_attribution") & ~Q(customer_external_id=""),
                name="dispute_attribution_once_active",
            ),
        ]

    def __str__(self) -> str:
        return f"dispute #{self.pk} ({self.subject}, {self.status}) of partner {self.partner_id}"


class DisputeComment(AppendOnlyModel):
    """A message on a dispute. Staff may write internal notes (`is_internal`) that the partner never sees."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="comments")
    author_label = models.CharField(max_length=200)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_staff = models.BooleanField()
    is_internal = models.BooleanField(default=False, help_text="Staff-only note, hidden from the partner.")
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment #{self.pk} on dispute {self.dispute_id} by {self.author_label}"


def dispute_storage() -> MediaFolderStorage:
    """Attachments live under MEDIA_ROOT/disputes; they are served only through the authenticated API, never
    as public URLs."""
    return MediaFolderStorage("disputes")


class DisputeAttachment(AppendOnlyModel):
    """A file attached to a dispute (PDF, PNG, JPEG or CSV, at most 10 MB). The stored name is random; the
    partner's file name is kept in `filename` only for display."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(storage=dispute_storage, upload_to="%Y/%m/", max_length=300)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField(help_text="Bytes.")
    sha256 = models.CharField(max_length=64)
    uploaded_by_label = models.CharField(max_length=200)
    is_staff = models.BooleanField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.filename} on dispute {self.dispute_id}"
