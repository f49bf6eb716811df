"""Notifications: what each person chose to be told (Preference), a partner's chat webhook (ChatWebhook), and one
row per (event, recipient, channel) with its delivery state (Notification, the delivery log)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Chat webhook")


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class Preference(models.Model):
    """A user's own choice for one event type: e-mail on or off. No row: the default of the user's role
    (notifications.rules.DEFAULTS)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    event_type = models.CharField(max_length=40)
    email = models.BooleanField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "event_type"], name="notification_pref_unique")]

    def __str__(self) -> str:
        return f"{self.event_type}: {'on' if self.email else 'off'}"


class ChatWebhook(models.Model):
    """A partner's Slack-compatible incoming webhook: receives a message {"text": ...} for each event of the types
    it asks for. The URL passed webhooks.urlrules when saved and passes it again before each message."""

    partner = models.OneToOneField("partners.Partner", on_delete=models.CASCADE, related_name="chat_webhook")
    url = models.URLField(max_length=500)
    event_types = models.JSONField(default=list, help_text="The event types it receives.")
    language = models.CharField(max_length=10, blank=True, default="", choices=settings.LANGUAGES,
                                help_text="The language of its messages; blank: the partner admins' most common one.")
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"chat webhook of partner {self.partner_id}"


class Notification(models.Model):
    """One event told to one recipient on one channel: a user by e-mail, or a partner's chat webhook. Written in
    the transaction of the event; delivered after the commit by the worker (or `parceria notifications-deliver`)."""

    event = models.ForeignKey("webhooks.OutboxEvent", on_delete=models.CASCADE, related_name="+")
    event_type = models.CharField(max_length=40, db_index=True)
    partner = models.ForeignKey("partners.Partner", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="notifications")
    chat_webhook = models.ForeignKey(ChatWebhook, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=10, blank=True, choices=settings.LANGUAGES,
                                help_text="The language it was composed in.")
    subject = models.CharField(max_length=300, blank=True, help_text="What was sent: the subject or the message.")
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="notification_one_recipient",
                condition=(models.Q(channel="email", user__isnull=False)
                           | models.Q(channel="chat", user__isnull=True)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.channel} {self.status}"

    @property
    def event_label(self) -> str:
        from parceria.webhooks.models import EventType

        return str(dict(EventType.choices).get(self.event_type, self.event_type))
