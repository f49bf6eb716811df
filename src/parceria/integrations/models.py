"""What the integrations received: each Stripe event acted on or ignored, by Stripe's event id."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StripeEventStatus(models.TextChoices):
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")


class StripeEvent(models.Model):
    """A Stripe event Parceria answered 200 to: a delivery of the same event id again gets `answer` again and
    changes nothing. An event refused (4xx: an unknown customer or invoice, bad data) is not kept here, so Stripe's
    next retry of it is judged afresh."""

    event_id = models.CharField(max_length=200, primary_key=True, help_text="Stripe's event id (evt_…).")
    type = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=StripeEventStatus.choices)
    answer = models.JSONField(help_text="The answer sent to Stripe, sent again to a replay.")
    livemode = models.BooleanField(default=False)
    created_at = models.DateTimeField(help_text="When Stripe created the event.")
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-received_at", "event_id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type} ({self.status})"
