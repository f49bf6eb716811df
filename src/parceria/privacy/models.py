"""LGPD by design (docs/privacy.md): the consent ledger, data-subject requests, the log of what is shared with third
parties, legal holds and the identities kept sealed under a hold after an anonymisation. The record of processing is
versioned data (processing_data.py), not a table."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy

from parceria.common.append_only import AppendOnlyModel


class LegalBasis(models.TextChoices):
    """The legal bases of LGPD art. 7 that Parceria's processing rests on."""

    CONTRACT = "contract", pgettext_lazy("legal basis", "Performance of a contract (art. 7 V)")
    LEGAL_OBLIGATION = "legal_obligation", pgettext_lazy("legal basis", "Legal or regulatory obligation (art. 7 II)")
    LEGITIMATE_INTEREST = "legitimate_interest", pgettext_lazy("legal basis", "Legitimate interest (art. 7 IX)")
    CONSENT = "consent", pgettext_lazy("legal basis", "Consent (art. 7 I)")
    EXERCISE_OF_RIGHTS = (
        "exercise_of_rights",
        pgettext_lazy("legal basis", "Exercise of rights in proceedings (art. 7 VI)"),
    )


class ConsentPurpose(models.TextChoices):
    """What a person can consent to. Every feature that needs consent asks privacy.consent.has_consent."""

    MARKETING_EMAILS = "marketing_emails", pgettext_lazy("consent purpose", "Marketing e-mails")
    DIRECTORY_LISTING = "directory_listing", pgettext_lazy("consent purpose", "Listing in the public directory")
    ACCOUNT_MAPPING = "account_mapping", pgettext_lazy("consent purpose", "Sharing matched accounts (account mapping)")


class ConsentRecord(AppendOnlyModel):
    """One grant or withdrawal of consent (LGPD art. 8 §2: the controller proves consent). Append-only: a person's
    consent to a purpose is the latest record; a withdrawal is a new record with `granted` false."""

    append_only_update = "record a new grant or withdrawal"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consent_records")
    partner_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The partner on whose behalf the user consented (directory, mapping)."
    )
    purpose = models.CharField(max_length=30, choices=ConsentPurpose.choices)
    granted = models.BooleanField(help_text="True: consent given; false: withdrawn (or refused).")
    text_version = models.CharField(max_length=40, help_text="The version of the consent text the person saw.")
    source = models.CharField(max_length=40, help_text="Where it was given: portal, apply form, console, …")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    recorded_by_label = models.CharField(max_length=200, help_text="Who recorded it (the person, or staff).")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "purpose", "at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.purpose} {'granted' if self.granted else 'withdrawn'} at {self.at:%Y-%m-%d}"


class RequestKind(models.TextChoices):
    """The rights of LGPD art. 18 a request exercises."""

    ACCESS = "access", pgettext_lazy("data-subject request", "Access (confirmation and copy)")
    PORTABILITY = "portability", pgettext_lazy("data-subject request", "Portability")
    CORRECTION = "correction", pgettext_lazy("data-subject request", "Correction")
    ANONYMISATION = "anonymisation", pgettext_lazy("data-subject request", "Anonymisation")
    SHARING = "sharing", pgettext_lazy("data-subject request", "Information on sharing")
    WITHDRAWAL = "withdrawal", pgettext_lazy("data-subject request", "Withdrawal of consent")


class RequestStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("data-subject request", "Open")
    ANSWERED = "answered", pgettext_lazy("data-subject request", "Answered")
    REFUSED = "refused", pgettext_lazy("data-subject request", "Refused")


class DataSubjectRequest(models.Model):
    """A data-subject request (LGPD art. 18–19): answered within 15 days of `received_at` (`due_on`)."""

    kind = models.CharField(max_length=16, choices=RequestKind.choices)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    subject_email = models.CharField(max_length=254, blank=True)
    subject_tax_id = models.CharField(max_length=40, blank=True, help_text="CPF, compact form.")
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_ref = models.CharField(
        max_length=40, blank=True, help_text="The subject's stable pseudonym once anonymised (what stays of them)."
    )
    channel = models.CharField(max_length=10, help_text="console (registered by staff) or portal (the user).")
    details = models.TextField(blank=True, help_text="What the person asked, e.g. which data to correct.")
    received_at = models.DateTimeField()
    due_on = models.DateField(help_text="15 days after receipt (LGPD art. 19 II).")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    found = models.JSONField(default=dict, blank=True, help_text="{category: number of records} found.")
    answer = models.TextField(blank=True, help_text="The answer given (or why nothing was found).")
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by_label = models.CharField(max_length=200, blank=True)
    export_name = models.CharField(max_length=200, blank=True, help_text="The export file in the media folder.")
    downloaded_at = models.DateTimeField(null=True, blank=True, help_text="An export is downloadable once.")
    downloaded_by_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["status", "due_on", "id"]

    def __str__(self) -> str:
        return f"DSR #{self.pk} {self.kind} due {self.due_on}"


class SharingRecord(AppendOnlyModel):
    """Personal data that left Parceria for a third party (a bank file, a statement, a webhook delivery, …)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    recipient = models.CharField(max_length=200, help_text="Who received it: the bank, a partner, an endpoint's host.")
    channel = models.CharField(max_length=40, help_text="cnab_file, statement, informe, webhook, account_mapping, …")
    legal_basis = models.CharField(max_length=24, choices=LegalBasis.choices)
    categories = models.JSONField(default=list, help_text="The kinds of personal data shared (processing_data keys).")
    description = models.CharField(max_length=300, help_text="What was shared, in a sentence.")
    partner_id = models.PositiveBigIntegerField(null=True, blank=True, help_text="The partner it concerned, if one.")
    subjects = models.PositiveIntegerField(default=1, help_text="How many people's data it carried.")
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=80, blank=True)
    actor_label = models.CharField(max_length=200)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["partner_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.channel} → {self.recipient}"


class LegalHold(models.Model):
    """A hold staff place on a partner's records (litigation, an authority's request): while it is in force,
    retention and anonymisation remove nothing of that partner. The fiscal hold is data (holds.py), not a row."""

    partner_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject_email = models.CharField(max_length=254, blank=True)
    reason = models.CharField(max_length=300)
    placed_at = models.DateTimeField(auto_now_add=True)
    placed_by_label = models.CharField(max_length=200)
    until = models.DateField(null=True, blank=True, help_text="Blank: until released.")
    released_at = models.DateTimeField(null=True, blank=True)
    released_by_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]

    def __str__(self) -> str:
        return f"hold #{self.pk} partner {self.partner_id or '-'} {self.subject_email}: {self.reason}"


class SealedIdentity(models.Model):
    """The identifiers an anonymisation replaced in records under the fiscal hold (a payee's CPF and name on its
    payouts and income statements), encrypted, kept only until the hold ends and readable only by an audited
    disclosure to an authority. `parceria retention --apply` deletes it once `hold_until` has passed."""

    request = models.ForeignKey(DataSubjectRequest, on_delete=models.PROTECT, related_name="sealed")
    pseudonym = models.CharField(max_length=40, db_index=True)
    sealed = models.TextField(help_text="The identifiers, encrypted (Fernet).")
    hold_until = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["hold_until", "id"]

    def __str__(self) -> str:
        return f"sealed {self.pseudonym} until {self.hold_until}"
