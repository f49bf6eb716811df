"""Outbound webhooks (SPEC §14.4): the endpoints that listen, the outbox of events written in the same transaction
as the change that caused them, one delivery per event and endpoint, and every attempt at it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    DEAL_DECIDED = "deal.decided", _("Deal registration decided")
    DEAL_CONVERTED = "deal.converted", _("Deal converted")
    COMMISSION_ACCRUED = "commission.accrued", _("Commissions accrued")
    COMMISSION_CLAWED_BACK = "commission.clawed_back", _("Commission clawed back")
    PAYOUT_APPROVED = "payout.approved", _("Payout approved")
    PAYOUT_PAID = "payout.paid", _("Payout paid")
    PAYOUT_FAILED = "payout.failed", _("Payout failed")
    TIER_CHANGED = "tier.changed", _("Tier changed")
    DISPUTE_UPDATED = "dispute.updated", _("Dispute updated")
    AGREEMENT_RENEWAL_DUE = "agreement.renewal_due", _("Agreement renewal due")
    MDF_DECIDED = "mdf.decided", _("Marketing fund request decided")
    PING = "ping", _("Ping")


class Endpoint(models.Model):
    """A URL that receives the events of the types it asks for. A partner's endpoint (partner set) receives only
    that partner's events; a staff endpoint (partner empty) receives every partner's. The signing secret is shown
    once and kept sealed (webhooks/secrets.py)."""

    partner = models.ForeignKey("partners.Partner", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list, help_text="The event types it receives.")
    secret_sealed = models.TextField(help_text="The signing secret, sealed with a key derived from SECRET_KEY.")
    secret_hint = models.CharField(max_length=12, help_text="The secret's last characters, to recognise it.")
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True,
                                         help_text="Set when a delivery failed its last retry; cleared on success.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return event_type in self.event_types


class OutboxEvent(models.Model):
    """An event, written in the transaction of the change that caused it (outbox.emit). Kept after delivery."""

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=40, choices=EventType.choices)
    partner = models.ForeignKey("partners.Partner", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    payload = models.JSONField(help_text="The body sent, with its schema version.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    once_key = models.CharField(max_length=120, blank=True,
                                help_text="Set for an event sent once per occasion (a renewal date): type and key "
                                          "are unique.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["type", "once_key"], condition=~models.Q(once_key=""),
                                               name="webhook_event_once")]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Delivery(models.Model):
    """One event to one endpoint. Due when pending and `next_attempt_at` has passed; a claim sets `leased_until`,
    and a claim not finished by then (a worker killed) makes it due again."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=12, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_once")]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class Attempt(models.Model):
    """One POST of a delivery: the answer's status (none on a timeout or a refused connection), how long it took,
    the first KB of the answer and the error."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_rows")
    at = models.DateTimeField(auto_now_add=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    response = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status or self.error}"

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300
