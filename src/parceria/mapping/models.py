"""Account mapping (SPEC §11): a partner's customer list compared with ours through keyed hashes.

The uploaded list is never stored: each of its accounts is kept as the HMAC-SHA256 digests of its normalised keys
(tax id or CNPJ root, web domain), keyed with a secret derived from the server's secret key and the mapping's own
random `salt` (mapping.keys), with the partner's segment and what it matched on our side."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SharingLevel(models.TextChoices):
    """What a side agrees to show of a mapping, from least to most. The effective level of a mapping is the lower
    of the company's and the partner's."""

    COUNTS = "counts", _("Counts only")
    OVERLAPS = "overlaps", _("Overlapping customers")
    ALL = "all", _("All matches, including open opportunities")


#: The levels from least to most.
LEVEL_ORDER = (SharingLevel.COUNTS, SharingLevel.OVERLAPS, SharingLevel.ALL)


class ProgramSharing(models.Model):
    """The company's sharing level for every partner without one of its own (one row, pk 1)."""

    company_level = models.CharField(max_length=8, choices=SharingLevel.choices, default=SharingLevel.COUNTS)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by_label = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"program-wide: {self.company_level}"


class PartnerSharing(models.Model):
    """Both sides' sharing levels for one partner: the company's (blank: the program-wide level) and the
    partner's own."""

    partner = models.OneToOneField("partners.Partner", on_delete=models.PROTECT, related_name="account_sharing")
    company_level = models.CharField(max_length=8, choices=SharingLevel.choices, blank=True,
                                     help_text="Set by staff; blank follows the program-wide level.")
    partner_level = models.CharField(max_length=8, choices=SharingLevel.choices, default=SharingLevel.COUNTS,
                                     help_text="Set by the partner.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.partner_id}: company {self.company_level or 'program'}, partner {self.partner_level}"


class AccountMapping(models.Model):
    """One upload of a partner's customer list and its result. `salt` derives the mapping's key; it is never shown
    or exported. `issues` holds the first rows refused or skipped (line, column, code: never the cell's value)."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="account_mappings")
    salt = models.BinaryField(max_length=32, editable=False)
    rows = models.PositiveIntegerField(help_text="Rows read after the header (blank rows not counted).")
    accounts = models.PositiveIntegerField(help_text="Distinct accounts mapped (rows with a valid key, not repeated).")
    issue_count = models.PositiveIntegerField(default=0)
    issues = models.JSONField(default=list, help_text="The first rows refused or repeated: line, column, code.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by_label = models.CharField(max_length=200)
    matched_at = models.DateTimeField(help_text="When the accounts were last compared with ours.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["partner", "-created_at"])]

    def __str__(self) -> str:
        return f"mapping {self.pk} of partner {self.partner_id}"


class MappedAccount(models.Model):
    """One account of a partner's list: only the keyed digests of its keys (hex), its segment, and what it matched
    of ours (a customer, an open opportunity of the direct-sales pipeline)."""

    mapping = models.ForeignKey(AccountMapping, on_delete=models.CASCADE, related_name="mapped_accounts")
    line = models.PositiveIntegerField(help_text="The row's line in the uploaded file.")
    segment = models.CharField(max_length=40, blank=True, help_text="The partner's segment, e.g. customer, prospect.")
    tax_digest = models.CharField(max_length=64, blank=True)
    domain_digest = models.CharField(max_length=64, blank=True)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    opportunity = models.ForeignKey("deals.Opportunity", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["line", "id"]
        indexes = [models.Index(fields=["mapping", "segment"])]

    def __str__(self) -> str:
        return f"line {self.line} of mapping {self.mapping_id}"
