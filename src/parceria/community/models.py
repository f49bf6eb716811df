"""The partner community: announcements and their read receipts, the quarterly partner NPS survey and its
follow-ups, the meeting cadence per tier and the meeting log, escalation tickets with their SLA (docs/community.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Announcement(models.Model):
    """A message from the program to its partners. Empty audience filters mean every active partner."""

    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Plain text with limited Markdown (paragraphs, **bold**, *italic*, links).")
    language = models.CharField(max_length=10, blank=True,
                                help_text="The language the text is written in; blank: every reader sees it.")
    tiers = models.JSONField(default=list, blank=True, help_text="Partner tiers it is for; empty: all.")
    categories = models.JSONField(default=list, blank=True, help_text="Partner categories it is for; empty: all.")
    countries = models.JSONField(default=list, blank=True, help_text="ISO country codes it is for; empty: all.")
    publish_at = models.DateTimeField()
    expire_at = models.DateTimeField(null=True, blank=True)
    pinned = models.BooleanField(default=False)
    created_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pinned", "-publish_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expire_at__isnull=True) | models.Q(expire_at__gt=models.F("publish_at")),
                name="announcement_expires_after_publish"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def excerpt(self) -> str:
        from parceria.community.markdown import plain_text

        return plain_text(self.body)


class AnnouncementRead(models.Model):
    """A read receipt: `user` opened `announcement` (once)."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="announcement_reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="announcement_reads")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["announcement", "user"], name="announcement_read_once")]

    def __str__(self) -> str:
        return f"{self.announcement_id} read by {self.user_id}"


class NpsAnswer(models.Model):
    """One partner user's answer to the quarterly survey: 0–10 and a comment. One per user and quarter; the
    partner's score of the quarter is the mean of its users' answers."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="nps_answers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="nps_answers")
    quarter = models.CharField(max_length=7, help_text="YYYY-Qn")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["-answered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "quarter"], name="nps_answer_once_per_quarter"),
            models.CheckConstraint(condition=models.Q(score__lte=10), name="nps_score_0_to_10"),
        ]

    def __str__(self) -> str:
        return f"{self.quarter} {self.partner_id}: {self.score}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("follow-up status", "Open")
    DONE = "done", pgettext_lazy("follow-up status", "Done")


class NpsFollowUp(models.Model):
    """The action a detractor's answer (0–6) opens: the partner's manager calls back by `due_on`."""

    answer = models.OneToOneField(NpsAnswer, on_delete=models.CASCADE, related_name="follow_up")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="nps_follow_ups")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="nps_follow_ups")
    due_on = models.DateField()
    status = models.CharField(max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["status", "due_on", "id"]

    def __str__(self) -> str:
        return f"follow-up of answer {self.answer_id}"


class MeetingKind(models.TextChoices):
    CHECK_IN = "check_in", _("Check-in")
    MBR = "mbr", _("Monthly business review")
    QBR = "qbr", _("Quarterly business review")


class MeetingCadence(models.Model):
    """How often a partner of `tier` meets us for a `kind` of meeting (data staff change in the admin)."""

    tier = models.CharField(max_length=12)
    kind = models.CharField(max_length=12, choices=MeetingKind.choices)
    interval_days = models.PositiveIntegerField()

    class Meta:
        ordering = ["tier", "interval_days"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "kind"], name="meeting_cadence_once"),
            models.CheckConstraint(condition=models.Q(interval_days__gt=0), name="meeting_cadence_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.tier} {self.kind}: {self.interval_days} d"


class Meeting(models.Model):
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField()
    kind = models.CharField(max_length=12, choices=MeetingKind.choices)
    attendees = models.TextField(blank=True)
    notes = models.TextField(blank=True, help_text="Shared with the partner.")
    next_steps = models.TextField(blank=True, help_text="Shared with the partner.")
    private_notes = models.TextField(blank=True, help_text="Staff only; never shown in the portal.")
    recorded_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["partner", "kind", "held_on"])]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.kind} {self.held_on}"


class TicketType(models.TextChoices):
    TECHNICAL = "technical", _("Technical")
    BUSINESS = "business", _("Business")


class Severity(models.TextChoices):
    CRITICAL = "critical", pgettext_lazy("ticket severity", "Critical")
    HIGH = "high", pgettext_lazy("ticket severity", "High")
    MEDIUM = "medium", pgettext_lazy("ticket severity", "Medium")
    LOW = "low", pgettext_lazy("ticket severity", "Low")


class TicketStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("ticket status", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("ticket status", "In progress")
    WAITING = "waiting", pgettext_lazy("ticket status", "Waiting on partner")
    RESOLVED = "resolved", pgettext_lazy("ticket status", "Resolved")
    CLOSED = "closed", pgettext_lazy("ticket status", "Closed")


TICKET_TRANSITIONS: dict[str, frozenset[str]] = {
    TicketStatus.OPEN: frozenset({TicketStatus.IN_PROGRESS, TicketStatus.WAITING, TicketStatus.RESOLVED,
                                  TicketStatus.CLOSED}),
    TicketStatus.IN_PROGRESS: frozenset({TicketStatus.WAITING, TicketStatus.RESOLVED, TicketStatus.CLOSED}),
    TicketStatus.WAITING: frozenset({TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED, TicketStatus.CLOSED}),
    TicketStatus.RESOLVED: frozenset({TicketStatus.IN_PROGRESS, TicketStatus.CLOSED}),
    TicketStatus.CLOSED: frozenset(),
}
OPEN_TICKET_STATUSES = frozenset({TicketStatus.OPEN, TicketStatus.IN_PROGRESS, TicketStatus.WAITING})


class TicketSla(models.Model):
    """The hours staff have to first respond to and to resolve a ticket of `severity` (data)."""

    severity = models.CharField(max_length=8, choices=Severity.choices, unique=True)
    first_response_hours = models.PositiveIntegerField()
    resolution_hours = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.severity}: {self.first_response_hours} h / {self.resolution_hours} h"


class Ticket(models.Model):
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="tickets")
    type = models.CharField(max_length=10, choices=TicketType.choices)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    subject = models.CharField(max_length=200)
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="owned_tickets")
    status = models.CharField(max_length=12, choices=TicketStatus.choices, default=TicketStatus.OPEN)
    opened_by_label = models.CharField(max_length=200, blank=True)
    opened_at = models.DateTimeField()
    first_response_due_at = models.DateTimeField()
    resolution_due_at = models.DateTimeField()
    first_responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["resolution_due_at", "id"]
        indexes = [models.Index(fields=["status", "resolution_due_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class TicketComment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author_label = models.CharField(max_length=200)
    by_staff = models.BooleanField(default=False)
    internal = models.BooleanField(default=False, help_text="Staff only; never shown in the portal.")
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment on ticket {self.ticket_id}"
