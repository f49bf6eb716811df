"""Deal registrations (SPEC §4.1–4.2): a partner claims a prospect before it becomes a customer; the first valid
registration protects the partner's attribution until it expires."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parceria.common.money import CURRENCY_CHOICES


class DealStatus(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", pgettext_lazy("deal status", "Rejected")
    IN_REVIEW = "in_review", _("In review")
    EXPIRED = "expired", _("Expired")
    CONVERTED = "converted", _("Converted")


#: The statuses that hold a company for their partner until `expires_on`.
ACTIVE_DEAL_STATUSES = (DealStatus.APPROVED, DealStatus.IN_REVIEW)


class ExtensionStatus(models.TextChoices):
    """The one extension a partner may ask for, per registration (blank: never asked)."""

    NONE = "", pgettext_lazy("extension", "Not requested")
    REQUESTED = "requested", pgettext_lazy("extension", "Requested")
    APPROVED = "approved", pgettext_lazy("extension", "Approved")
    REFUSED = "refused", pgettext_lazy("extension", "Refused")


class DealRegistration(models.Model):
    """A prospect a partner registered. `reason` is what the partner may read; `conflict` names the conflicting
    record (another partner's registration, a customer) for staff only."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="deal_registrations")
    company_name = models.CharField(max_length=300)
    normalised_name = models.CharField(max_length=300, db_index=True,
                                       help_text="The name without accents, case, punctuation or legal suffixes.")
    country = models.CharField(max_length=2)
    tax_id = models.CharField(max_length=40, blank=True, db_index=True, help_text="Compact, validated per country.")
    cnpj_root = models.CharField(max_length=8, blank=True, db_index=True,
                                 help_text="A Brazilian CNPJ's first 8 characters: the company, whatever the branch.")
    domain = models.CharField(max_length=253, blank=True, db_index=True)
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField(max_length=254)
    estimated_value = models.DecimalField(max_digits=20, decimal_places=4,
                                          help_text="The deal's estimated value, in `currency`.")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    vertical = models.CharField(max_length=60, blank=True)
    region = models.CharField(max_length=60, blank=True)
    notes = models.TextField(max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=DealStatus.choices)
    reason = models.CharField(max_length=300, blank=True, help_text="Shown to the partner; names no other partner.")
    conflict = models.JSONField(null=True, blank=True, help_text="Staff only: the conflicting record and the match.")
    expires_on = models.DateField()
    created_by_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by_label = models.CharField(max_length=200, blank=True)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="deal_registrations", help_text="The customer it was converted into.")
    converted_at = models.DateTimeField(null=True, blank=True)
    expiry_warned_at = models.DateTimeField(null=True, blank=True,
                                            help_text="When the partner's admins were warned of the coming expiry.")
    extension_status = models.CharField(max_length=9, choices=ExtensionStatus.choices, blank=True, default="")
    extension_reason = models.CharField(max_length=300, blank=True, help_text="Why the partner asks for more time.")
    extension_requested_at = models.DateTimeField(null=True, blank=True)
    extension_requested_by_label = models.CharField(max_length=200, blank=True)
    extension_decided_at = models.DateTimeField(null=True, blank=True)
    extension_decided_by_label = models.CharField(max_length=200, blank=True)
    extension_decision_reason = models.CharField(max_length=300, blank=True, help_text="Shown to the partner.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["partner", "status"]), models.Index(fields=["status", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.company_name} ({self.get_status_display()})"


class OpportunityStage(models.TextChoices):
    OPEN = "open", pgettext_lazy("opportunity stage", "Open")
    WON = "won", pgettext_lazy("opportunity stage", "Won")
    LOST = "lost", pgettext_lazy("opportunity stage", "Lost")


class Opportunity(models.Model):
    """An opportunity of the company's direct-sales pipeline, imported from its CRM (by CSV or API, keyed by the
    CRM's `external_id`). An open one holds its company against partners' deal registrations."""

    external_id = models.CharField(max_length=100, unique=True, help_text="The opportunity's id in the CRM.")
    company_name = models.CharField(max_length=300)
    normalised_name = models.CharField(max_length=300, db_index=True,
                                       help_text="The name without accents, case, punctuation or legal suffixes.")
    country = models.CharField(max_length=2)
    tax_id = models.CharField(max_length=40, blank=True, db_index=True, help_text="Compact, validated per country.")
    cnpj_root = models.CharField(max_length=8, blank=True, db_index=True,
                                 help_text="A Brazilian CNPJ's first 8 characters: the company, whatever the branch.")
    domain = models.CharField(max_length=253, blank=True, db_index=True)
    stage = models.CharField(max_length=4, choices=OpportunityStage.choices, default=OpportunityStage.OPEN)
    owner_label = models.CharField(max_length=200, blank=True, help_text="The sales rep who owns it.")
    amount = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True,
                                 help_text="The expected value, in `currency`.")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, blank=True)
    expected_close_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["company_name", "id"]
        indexes = [models.Index(fields=["stage"])]
        verbose_name_plural = "opportunities"

    def __str__(self) -> str:
        return f"{self.company_name} ({self.get_stage_display()})"
