"""Lead routing (SPEC §4.3): staff hold a lead (a company that asked to buy), rank the partners that fit it and offer
it to one; the partner accepts it (which registers the deal in its name) or declines it before a deadline, after which
the lead is back with staff. Every offer is kept, so a lead's history is its list of offers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy

from parceria.common.money import CURRENCY_CHOICES


class LeadStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("lead status", "With staff")
    OFFERED = "offered", pgettext_lazy("lead status", "Offered")
    ACCEPTED = "accepted", pgettext_lazy("lead status", "Accepted")


class OfferStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("lead offer status", "Waiting for an answer")
    ACCEPTED = "accepted", pgettext_lazy("lead offer status", "Accepted")
    DECLINED = "declined", pgettext_lazy("lead offer status", "Declined")
    EXPIRED = "expired", pgettext_lazy("lead offer status", "Expired")


class Lead(models.Model):
    """A company staff route to a partner. Its identity (tax id, CNPJ root, domain) is cleaned as a deal
    registration's is (deals.services.clean_fields), so accepting it registers exactly this company."""

    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True,
                                   help_text="The id the sender gave (API): sending it again answers the same lead.")
    company_name = models.CharField(max_length=300)
    normalised_name = models.CharField(max_length=300,
                                       help_text="The name without accents, case, punctuation or legal suffixes.")
    country = models.CharField(max_length=2)
    tax_id = models.CharField(max_length=40, blank=True, help_text="Compact, validated per country.")
    cnpj_root = models.CharField(max_length=8, blank=True)
    domain = models.CharField(max_length=253, blank=True)
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField(max_length=254)
    estimated_value = models.DecimalField(max_digits=20, decimal_places=4,
                                          help_text="The deal's estimated value, in `currency`.")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    vertical = models.CharField(max_length=60, blank=True)
    region = models.CharField(max_length=60, blank=True)
    notes = models.TextField(max_length=2000, blank=True)
    status = models.CharField(max_length=8, choices=LeadStatus.choices, default=LeadStatus.OPEN)
    created_by_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.company_name} ({self.get_status_display()})"


class LeadOffer(models.Model):
    """A lead offered to one partner until `deadline`. At most one offer of a lead waits for an answer; an answered
    or expired one stays as history. `ranking` is the partner's place in the ranking when it was offered (staff
    only): its points and every reason with its weight."""

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="offers")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="lead_offers")
    status = models.CharField(max_length=8, choices=OfferStatus.choices, default=OfferStatus.PENDING)
    deadline = models.DateTimeField(help_text="The partner answers before this moment; after it the lead is staff's.")
    ranking = models.JSONField(null=True, blank=True, help_text="Staff only: the candidate's points and reasons.")
    offered_by_label = models.CharField(max_length=200)
    offered_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by_label = models.CharField(max_length=200, blank=True)
    decline_reason = models.CharField(max_length=300, blank=True)
    registration = models.ForeignKey("deals.DealRegistration", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="lead_offers",
                                     help_text="The deal registration the acceptance made.")

    class Meta:
        ordering = ["-offered_at", "-id"]
        indexes = [models.Index(fields=["partner", "status"]), models.Index(fields=["status", "deadline"])]
        constraints = [models.UniqueConstraint(fields=["lead"], condition=models.Q(status="pending"),
                                               name="lead_one_pending_offer")]

    def __str__(self) -> str:
        return f"lead {self.lead_id} → partner {self.partner_id} ({self.status})"
