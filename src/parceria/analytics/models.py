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


class MonthFact(models.Model):
    """The facts of one month for one partner (null: the direct customers), kept by `analytics.rollup` for the
    months that are over so that the scorecard, benchmarks and forecasts read a few rows per partner and month
    instead of every invoice. Derived data: `parceria analytics-rollup --check` compares it with the invoices,
    refunds and ledger it comes from, `--rebuild` recomputes it. Money is R$ to 4 places (analytics.facts)."""

    month = models.DateField(help_text="The month (its first day).")
    partner = models.ForeignKey("partners.Partner", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")  # derived data: never what keeps a partner
    revenue = models.DecimalField(max_digits=24, decimal_places=4, default=0, help_text="Net revenue, R$.")
    revenue_unconverted = models.PositiveIntegerField(default=0, help_text="Amounts left out for want of a rate.")
    new_customers = models.PositiveIntegerField(default=0, help_text="Customers whose first invoice was paid in it.")
    first_value = models.DecimalField(max_digits=24, decimal_places=4, default=0,
                                      help_text="Σ of the new customers' first invoices, R$.")
    first_known = models.PositiveIntegerField(default=0, help_text="New customers whose first invoice converted.")
    first_paid_on = models.DateField(null=True, blank=True, help_text="The earliest new customer's first payment.")
    last_first_paid_on = models.DateField(null=True, blank=True,
                                          help_text="The latest new customer's first payment.")
    paying_customers = models.PositiveIntegerField(default=0, help_text="Customers with an invoice paid in it.")
    retained_12m = models.PositiveIntegerField(
        default=0, help_text="Customers new twelve months before that paid an invoice in it.")
    churned = models.PositiveIntegerField(default=0, help_text="Customers that churned in it.")
    commissions = models.DecimalField(max_digits=24, decimal_places=4, default=0,
                                      help_text="Commission lines of the accounting month, R$.")
    commissions_unconverted = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["month", "partner_id"]
        constraints = [  # two partial indexes: SQLite cannot make NULL partners equal in one
            models.UniqueConstraint(fields=["month", "partner"], condition=models.Q(partner__isnull=False),
                                    name="month_fact_once_per_partner"),
            models.UniqueConstraint(fields=["month"], condition=models.Q(partner__isnull=True),
                                    name="month_fact_once_for_direct"),
        ]
        indexes = [models.Index(fields=["partner", "month"])]

    def __str__(self) -> str:
        return f"facts of {self.month:%Y-%m} for {self.partner_id or 'direct'}"


class RollupState(models.Model):
    """The one row that says which months `MonthFact` holds and up to which write it has seen: the newest event
    batch, audit record (customers re-attributed), ledger line and FX rate when it was last brought up to date."""

    name = models.CharField(max_length=20, unique=True, default="months")
    first_month = models.DateField(null=True, blank=True, help_text="The first month built (its first day).")
    last_month = models.DateField(null=True, blank=True, help_text="The last month built: the last one over.")
    seen_batch = models.BigIntegerField(default=0)
    seen_audit = models.BigIntegerField(default=0)
    seen_ledger = models.BigIntegerField(default=0)
    seen_fx = models.BigIntegerField(default=0)
    version = models.PositiveIntegerField(default=0, help_text="Raised each time a built month changes.")
    built_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"roll-up {self.first_month}..{self.last_month} v{self.version}"


class BenchmarkSnapshot(models.Model):
    """A partner's scorecard against its peers for one period, as `analytics.benchmarks` computed it, kept so that
    the portal reads one row. Valid while `version` (the roll-up's version and the newest audit record) is the
    current one; otherwise computed again."""

    period = models.CharField(max_length=7, help_text="2026-11 or 2026-Q4.")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    version = models.CharField(max_length=60)
    score = models.JSONField(help_text="The partner's metrics and percentiles (analytics.benchmarks).")
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "partner"], name="benchmark_snapshot_once")]

    def __str__(self) -> str:
        return f"benchmarks of {self.partner_id} for {self.period}"
