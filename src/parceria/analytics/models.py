"""Figures the platform cannot know, imported as dated data (docs/analytics.md): the direct-sales team's CAC and
deal sizes, marketing spend, support tickets and costs, partners' NPS answers. Each is a value for one month, for
the whole program or for one partner; a KPI that needs one says "no data" and what to import until it is there.
Which keys exist, their unit and whether they are per partner is `analytics.inputs.INPUTS`."""

from __future__ import annotations

from django.db import models

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
