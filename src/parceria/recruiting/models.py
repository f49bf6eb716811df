"""Recruiting (SPEC §9.0): applications from the public "Become a partner" page, each of which is a prospect in the
lifecycle's first stage, and the partners' listings in the public directory."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parceria.common.storage import MediaFolderStorage


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("application status", "Received")
    IN_REVIEW = "in_review", pgettext_lazy("application status", "In review")
    ACCEPTED = "accepted", pgettext_lazy("application status", "Accepted")
    DECLINED = "declined", pgettext_lazy("application status", "Declined")


OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW)


class Application(models.Model):
    """A company's application to the programme. The organisation itself (name, tax id, country, category) is the
    prospect partner it created; the application keeps what only the application says and its decision.
    The applicant follows it through a signed link (services.status_token), never by its number."""

    partner = models.OneToOneField("partners.Partner", on_delete=models.PROTECT, related_name="application")
    kind = models.CharField(max_length=20, help_text="recruiting.data.KINDS")
    website = models.URLField(max_length=300, blank=True)
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField(max_length=254)
    contact_phone = models.CharField(max_length=40, blank=True)
    language = models.CharField(max_length=10, help_text="The applicant's language: e-mails are written in it.")
    customers_served = models.TextField(max_length=2000, help_text="Who the applicant serves.")
    kind_answer = models.TextField(max_length=2000, blank=True, help_text="The answer to the kind's own question.")
    motivation = models.TextField(max_length=2000, help_text="Why the applicant wants to partner.")
    status = models.CharField(max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED)
    address_hash = models.CharField(max_length=64, help_text="The HMAC of the sender's address (rate limit, audit).")
    submitted_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by_label = models.CharField(max_length=200, blank=True)
    decision_reason = models.TextField(max_length=2000, blank=True,
                                       help_text="Shown to the applicant on the status page and in the e-mail.")
    admin_user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", help_text="The partner admin invited on acceptance.")

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"application {self.pk} ({self.status})"


def logo_storage() -> MediaFolderStorage:
    return MediaFolderStorage("directory")


class DirectoryListing(models.Model):
    """How a partner appears in the public directory: only when `opted_in` and the partner is active."""

    partner = models.OneToOneField("partners.Partner", on_delete=models.PROTECT, related_name="directory_listing")
    opted_in = models.BooleanField(default=False)
    slug = models.SlugField(max_length=80, unique=True)
    headline = models.CharField(max_length=160, blank=True)
    description = models.TextField(max_length=3000, blank=True)
    website = models.URLField(max_length=300, blank=True)
    regions = models.JSONField(default=list, blank=True, help_text="Regions served, as shown.")
    logo = models.FileField(storage=logo_storage, upload_to="logos/", max_length=300, blank=True)
    logo_type = models.CharField(max_length=40, blank=True, help_text="The logo's content type, read from it.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["opted_in"])]

    def __str__(self) -> str:
        return f"listing of partner {self.partner_id} ({'listed' if self.opted_in else 'not listed'})"

    @property
    def label(self) -> str:
        return str(_("Listed")) if self.opted_in else str(_("Not listed"))


class DirectoryContact(models.Model):
    """A message sent to a partner through its directory page; it became `lead` (offered to the partner)."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="directory_contacts")
    lead = models.ForeignKey("leads.Lead", on_delete=models.PROTECT, related_name="directory_contacts")
    offered = models.BooleanField(help_text="Whether the lead went to the partner (else it stayed with staff).")
    address_hash = models.CharField(max_length=64)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["address_hash", "sent_at"])]

    def __str__(self) -> str:
        return f"contact to partner {self.partner_id} → lead {self.lead_id}"
