"""Cross-cutting records: the audit log and FX rates."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from parceria.common.append_only import AppendOnlyModel
from parceria.common.money import CURRENCY_CHOICES


class AuditRecord(AppendOnlyModel):
    """Who changed what, when, with the state before and after (SPEC §10.2, DESIGN rule 9)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200, help_text="User name, API key name or 'system'.")
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=80)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"])]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"


class FxRate(AppendOnlyModel):
    """A conversion rate from one currency to another on one date, with its source.

    `rate` is how many units of `quote` one unit of `base` buys (1 USD = 5.4321 BRL: base USD, quote BRL).
    """

    base = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    quote = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    on_date = models.DateField()
    rate = models.DecimalField(max_digits=20, decimal_places=10, help_text="Units of quote per one unit of base.")
    source = models.CharField(max_length=80, help_text="Where the rate came from, e.g. 'BCB PTAX sell'.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["base", "quote", "on_date"], name="fx_rate_unique_per_day")]
        ordering = ["-on_date", "base", "quote"]

    def __str__(self) -> str:
        return f"1 {self.base} = {self.rate} {self.quote} on {self.on_date} ({self.source})"
