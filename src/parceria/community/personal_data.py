"""Where the community app keeps personal data, for data-subject requests (privacy/registry.py, docs/privacy.md)."""

from __future__ import annotations

from parceria.privacy.registry import PersonalData, declare, mentions, not_personal


def register() -> None:
    declare(
        PersonalData(
            model="community.NpsAnswer", category="survey_answer", find={"user": "user_id"}, fields=("comment",)
        ),
        PersonalData(model="community.AnnouncementRead", category="partner_user", find={"user": "user_id"}),
        mentions("community.NpsFollowUp", "notes"),
        mentions("community.Meeting", "attendees", "notes", "next_steps", "private_notes"),
        mentions("community.Ticket", "subject", "description"),
        mentions("community.TicketComment", "body"),
        mentions("community.Announcement", "title", "body"),
    )
    not_personal("community.MeetingCadence", "the meeting cadence of a tier")
