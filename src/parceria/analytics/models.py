"""Figures the platform cannot know, imported as dated data (docs/analytics.md): the direct-sales team's CAC and
deal sizes, marketing spend, support tickets and costs, partners' NPS answers. Each is a value for one month, for
the whole program or for one partner; a KPI that needs one says "no data" and what to import until it is there.
Which keys exist, their unit and whether they are per partner is `analytics.inputs.INPUTS`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from parceria.common.append_only import AppendOnlyModel
from parceria.common.money import CURRENCY_CHOICES


class ProgramFigure(models.Model):
    key = models.CharField(max_length=60, help_text="One of analytics.inputs.INPUTS.")
    month = models.DateField(help_text="The month the figure is about (its first day).")
    partner = models.ForeignKey("partners.Partner", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="program_figures",
                                help_text="The partner it is about; empty for a figure of the whole program.")
    value = models.DecimalField(max_digits=20, decimal_places=4)
    currency = models.CharField(max_length=3, blank=True, choices=CURRENCY_CHOICES,
                                help_text="The currency of a money figure; empty for counts and scores.")
    source = models.CharField(max_length=200, blank=True, help_text="Where the figure comes from (a file, a system).")
    updated_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key", "month", "partner_id"]
        constraints = [  # two partial indexes: SQLite cannot make NULL partners equal in one
            models.UniqueConstraint(fields=["key", "month", "partner"], condition=models.Q(partner__isnull=False),
                                    name="program_figure_once_per_partner"),
            models.UniqueConstraint(fields=["key", "month"], condition=models.Q(partner__isnull=True),
                                    name="program_figure_once_for_program"),
        ]
        indexes = [models.Index(fields=["key", "month"])]

    def __str__(self) -> str:
        return f"{self.key} {self.month:%Y-%m} {self.partner_id or 'program'}: {self.value}"


class CaseStudyKind(models.TextChoices):
    """Why a case study's version was written."""

    CREATED = "created", _("Created")
    EDITED = "edited", _("Edited")
    REFRESHED = "refreshed", _("Results refreshed")


class CaseStudy(models.Model):
    """A partner's case study (seed §7.1): its content lives in its versions, the latest being the current one
    (analytics.casestudies is the one writer)."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="case_studies")
    created_by_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name_plural = "case studies"

    def __str__(self) -> str:
        return f"case study {self.pk} of partner {self.partner_id}"


class CaseStudyVersion(AppendOnlyModel):
    """One saved state of a case study, never changed: its title, which names it shows, the featured customers,
    the sections' text (null: still the generated draft, marked "to edit") and the results as computed when the
    study was created or its results refreshed (money as decimal strings in R$)."""

    append_only_update = "save a new version instead"
    append_only_delete = "versions are kept"

    case_study = models.ForeignKey(CaseStudy, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=CaseStudyKind.choices)
    title = models.CharField(max_length=200)
    partner_named = models.BooleanField(default=True, help_text="Whether the document names the partner.")
    partner_label = models.CharField(max_length=200, blank=True,
                                     help_text="How the document calls the partner when it does not name it.")
    customers = models.JSONField(default=list, help_text="[{id, named, label}] of the featured customers.")
    sections = models.JSONField(default=dict, help_text="{section: text or null (the draft, to edit)}.")
    results = models.JSONField(default=dict, help_text="The figures computed at creation or at the last refresh.")
    author_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_study_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["case_study", "number"], name="case_study_version_once")]

    def __str__(self) -> str:
        return f"case study {self.case_study_id} v{self.number}"
