"""Attribution safeguards: flags raised on a partner when its attribution looks abused (docs/safeguards.md). An open
flag holds the partner's payouts at the close until a person clears it with a note."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FlagKind(models.TextChoices):
    SELF_REFERRAL = "self_referral", _("Self-referral")
    # Any payout account, a PIX key or a bank account: the stored value is the one of the flags raised on PIX keys only.
    SHARED_PAYOUT_ACCOUNT = "shared_pix_key", _("Payout account shared with another partner")
    REFUND_RATE = "refund_rate", _("Refund rate far above peers")
    CLICK_BURST = "click_burst", _("Burst of clicks from one address")


class FlagStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("safeguard flag", "Open")
    CLEARED = "cleared", pgettext_lazy("safeguard flag", "Cleared")


class SafeguardFlag(models.Model):
    """One piece of evidence against a partner's attribution. `evidence` holds the ids, values and comparison that
    raised it (per kind, see safeguards.detection); `evidence_key` identifies that evidence, so the same evidence is
    never flagged twice and a cleared flag stays cleared until different evidence appears."""

    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="safeguard_flags")
    evidence = models.JSONField()
    evidence_key = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the kind, partner and evidence.")
    status = models.CharField(max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    raised_at = models.DateTimeField()
    raised_by = models.CharField(max_length=200)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    cleared_by_label = models.CharField(max_length=200, blank=True)
    clear_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["partner", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} flag on partner {self.partner_id} ({self.status})"
