"""Marketing development funds (docs/mdf.md): a quarterly budget per eligible partner, requests for funds that staff
approve or decline, claims with proof files that staff approve into a reimbursement, paid by the monthly close as a
ledger line of kind `mdf`."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import pgettext_lazy

from parceria.common.money import CURRENCY_CHOICES
from parceria.common.storage import MediaFolderStorage


class Budget(models.Model):
    """A partner's marketing fund for one quarter, in the partner's payout currency. `amount_brl` is the tier's
    amount (budget_data.py); `amount` is it converted at `fx_rate` of the quarter's first day, or staff's override."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="mdf_budgets")
    quarter = models.DateField(help_text="First day of the quarter.")
    tier = models.CharField(max_length=12)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    amount_brl = models.DecimalField(max_digits=20, decimal_places=4, help_text="The tier's amount in BRL.")
    fx_rate = models.DecimalField(max_digits=20, decimal_places=10, help_text="BRL → currency, quarter's first day.")
    fx_source = models.CharField(max_length=120, blank=True)
    amount = models.DecimalField(max_digits=20, decimal_places=4, help_text="The budget, in `currency`.")
    override_reason = models.CharField(max_length=300, blank=True)
    expires_on = models.DateField(help_text="Last day a request may be made: quarter's end plus the grace days.")
    expired_at = models.DateTimeField(null=True, blank=True, help_text="When mdf-expire found it expired.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-quarter", "partner_id"]
        constraints = [models.UniqueConstraint(fields=["partner", "quarter"], name="mdf_budget_once_per_quarter")]

    def __str__(self) -> str:
        return f"MDF {self.quarter:%Y-%m} partner {self.partner_id}: {self.amount} {self.currency}"

    @property
    def tier_label(self) -> str:
        """The tier's name in the reader's language."""
        from parceria.partners.models import Tier

        return str(Tier(self.tier).label) if self.tier in Tier.values else self.tier

    @property
    def quarter_label(self) -> str:
        return f"{self.quarter.year}Q{(self.quarter.month - 1) // 3 + 1}"


class ActivityKind(models.TextChoices):
    EVENT = "event", pgettext_lazy("mdf kind", "Event")
    DIGITAL = "digital", pgettext_lazy("mdf kind", "Digital campaign")
    CONTENT = "content", pgettext_lazy("mdf kind", "Content")
    TRADE_SHOW = "trade_show", pgettext_lazy("mdf kind", "Trade show")
    OTHER = "other", pgettext_lazy("mdf kind", "Other")


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("mdf status", "Requested")
    APPROVED = "approved", pgettext_lazy("mdf status", "Approved")
    DECLINED = "declined", pgettext_lazy("mdf status", "Declined")
    CLAIMED = "claimed", pgettext_lazy("mdf status", "Claimed")
    REIMBURSED = "reimbursed", pgettext_lazy("mdf status", "Reimbursed")
    CLAIM_REJECTED = "claim_rejected", pgettext_lazy("mdf status", "Claim rejected")
    EXPIRED = "expired", pgettext_lazy("mdf status", "Expired")


class FundRequest(models.Model):
    """A request for marketing funds for one activity, and its claim. Amounts in the budget's currency."""

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="requests")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="mdf_requests")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=ActivityKind.choices)
    planned_on = models.DateField()
    amount = models.DecimalField(max_digits=20, decimal_places=4, help_text="Requested.")
    description = models.TextField()
    expected_results = models.TextField()
    status = models.CharField(max_length=16, choices=RequestStatus.choices, default=RequestStatus.REQUESTED)
    approved_amount = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    decision_reason = models.CharField(max_length=300, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=200, blank=True)
    claimed_amount = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    reimbursement = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    claim_reason = models.CharField(max_length=300, blank=True, help_text="Why less was reimbursed, or rejected.")
    claim_decided_at = models.DateTimeField(null=True, blank=True)
    claim_decided_by = models.CharField(max_length=200, blank=True)
    ledger_key = models.CharField(max_length=250, blank=True, help_text="Dedupe key of the reimbursement line.")
    expired_at = models.DateTimeField(null=True, blank=True)
    deals = models.ManyToManyField("deals.DealRegistration", blank=True, related_name="mdf_requests")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=200)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "budget"])]

    def __str__(self) -> str:
        return f"MDF request {self.pk}: {self.title} ({self.status})"

    @property
    def currency(self) -> str:
        return self.budget.currency

    @property
    def committed(self) -> Decimal:
        """What the request takes from its budget now."""
        if self.status == RequestStatus.REQUESTED:
            return self.amount
        if self.status in (RequestStatus.APPROVED, RequestStatus.CLAIMED):
            return self.approved_amount or Decimal(0)
        if self.status == RequestStatus.REIMBURSED:
            return self.reimbursement or Decimal(0)
        return Decimal(0)


proof_storage = MediaFolderStorage("mdf")


class ProofFile(models.Model):
    """An invoice or receipt of a claim: a PDF or an image, checked by content on upload."""

    request = models.ForeignKey(FundRequest, on_delete=models.PROTECT, related_name="proofs")
    file = models.FileField(storage=proof_storage, upload_to="proofs/%Y/%m")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename

