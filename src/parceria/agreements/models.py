"""Agreements with partners (SPEC §10.1): their types, terms in months, renewals, notice periods,
documents, and the terms they grant (exclusivity, commission-rate overrides)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parceria.agreements.dates import TermRule
from parceria.common.storage import MediaFolderStorage
from parceria.partners.models import Partner


class AgreementType(models.TextChoices):
    LETTER_OF_INTENT = "letter_of_intent", _("Letter of intent")
    CHANNEL_PARTNER = "channel_partner", _("Channel partner agreement")
    TECHNOLOGY_INTEGRATION = "technology_integration", _("Technology integration agreement")
    JOINT_BUSINESS_PLAN = "joint_business_plan", _("Joint business plan")
    DPA = "dpa", _("Data processing agreement (DPA)")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    TERMINATED = "terminated", _("Terminated")
    EXPIRED = "expired", pgettext_lazy("agreement status", "Expired")


#: Allowed status moves (DESIGN rule 8). Terminated and expired are final.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    AgreementStatus.DRAFT: frozenset({AgreementStatus.ACTIVE, AgreementStatus.TERMINATED}),
    AgreementStatus.ACTIVE: frozenset({AgreementStatus.TERMINATED, AgreementStatus.EXPIRED}),
    AgreementStatus.TERMINATED: frozenset(),
    AgreementStatus.EXPIRED: frozenset(),
}


class PlanApproval(models.TextChoices):
    """The approval of a joint business plan (other types stay `not_applicable`)."""

    NOT_APPLICABLE = "not_applicable", _("Not applicable")
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", pgettext_lazy("plan approval", "Approved")
    REJECTED = "rejected", pgettext_lazy("plan approval", "Rejected")


#: Defaults per type, copied onto each agreement when it is created (the agreement then keeps its own).
TYPE_DEFAULTS: dict[str, dict[str, Any]] = {
    AgreementType.LETTER_OF_INTENT: {
        "initial_term_months": 6, "auto_renewal": False, "renewal_term_months": None, "notice_days": 0,
    },
    AgreementType.CHANNEL_PARTNER: {
        "initial_term_months": 24, "auto_renewal": True, "renewal_term_months": 12, "notice_days": 90,
    },
    AgreementType.TECHNOLOGY_INTEGRATION: {
        "initial_term_months": 24, "auto_renewal": True, "renewal_term_months": 12, "notice_days": 90,
    },
    AgreementType.JOINT_BUSINESS_PLAN: {
        "initial_term_months": 12, "auto_renewal": False, "renewal_term_months": None, "notice_days": 0,
    },
    AgreementType.DPA: {
        "initial_term_months": None, "auto_renewal": False, "renewal_term_months": None, "notice_days": 30,
    },
}


def agreement_storage() -> MediaFolderStorage:
    """Signed documents live under MEDIA_ROOT/agreements; they are served only to signed-in users."""
    return MediaFolderStorage("agreements")


class Agreement(models.Model):
    """A signed (or draft) agreement with a partner. The dates that follow from the term (end of the
    current term, renewal, notice deadline) are computed by `parceria.agreements.dates`, never stored."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="agreements")
    type = models.CharField(max_length=30, choices=AgreementType.choices)
    title = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT)
    start_date = models.DateField()
    initial_term_months = models.PositiveIntegerField(
        null=True, blank=True, help_text="Length of the first term; blank: open-ended (or a fixed end date)."
    )
    end_date = models.DateField(null=True, blank=True, help_text="A fixed end instead of a term in months.")
    auto_renewal = models.BooleanField(default=False)
    renewal_term_months = models.PositiveIntegerField(null=True, blank=True)
    notice_days = models.PositiveIntegerField(default=0, help_text="Termination notice period in days.")
    signed_on = models.DateField(null=True, blank=True)
    terminated_on = models.DateField(null=True, blank=True)
    renewed_through = models.DateField(
        null=True,
        blank=True,
        help_text="End of the latest term whose automatic renewal was recorded (by `parceria agreements-expire`); "
        "the dates themselves are always computed from the start.",
    )
    plan_approval = models.CharField(
        max_length=16, choices=PlanApproval.choices, default=PlanApproval.NOT_APPLICABLE
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["partner", "type", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="agreement_end_not_before_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} — {self.partner_id} ({self.start_date.isoformat()})"

    @property
    def rule(self) -> TermRule:
        return TermRule(
            start=self.start_date,
            initial_term_months=self.initial_term_months,
            auto_renewal=self.auto_renewal,
            renewal_term_months=self.renewal_term_months,
            notice_days=self.notice_days,
            end_date=self.end_date,
        )

    def in_force_on(self, on: date) -> bool:
        from parceria.agreements.dates import current_term_end

        if self.status == AgreementStatus.DRAFT or on < self.start_date:
            return False
        if self.terminated_on is not None and on >= self.terminated_on:
            return False
        end = current_term_end(self.rule, on)
        return end is None or on <= end


class AgreementDocument(models.Model):
    """A PDF attached to an agreement (the signed copy, an annex)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(storage=agreement_storage, upload_to="%Y/%m/")
    name = models.CharField(max_length=255, help_text="The file name as uploaded.")
    size = models.PositiveIntegerField()
    uploaded_by = models.CharField(max_length=200)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.name


class TermKind(models.TextChoices):
    TERRITORY_EXCLUSIVITY = "territory_exclusivity", _("Territory exclusivity")
    VERTICAL_EXCLUSIVITY = "vertical_exclusivity", _("Vertical exclusivity")
    REFERRAL_RATE_OVERRIDE = "referral_rate_override", _("Referral rate override")


class AgreementTerm(models.Model):
    """A term an agreement grants: an exclusive territory or vertical (`value`), or a referral commission
    rate (`rate`, e.g. 0.27) that replaces the tier rate from `effective_from` (recorded in PartnerTerms)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="terms")
    kind = models.CharField(max_length=30, choices=TermKind.choices)
    value = models.CharField(max_length=100, blank=True, help_text="Territory or vertical, for exclusivity.")
    rate = models.DecimalField(
        max_digits=6, decimal_places=4, null=True, blank=True, help_text="Referral rate of an override (0–1)."
    )
    effective_from = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=200)

    class Meta:
        ordering = ["agreement_id", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.value or self.rate}"
