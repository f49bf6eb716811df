"""Where the enablement app keeps personal data, for data-subject requests (privacy/registry.py, docs/privacy.md)."""

from __future__ import annotations

from parceria.privacy.registry import PersonalData, declare, mentions, not_personal


def register() -> None:
    declare(
        PersonalData(model="enablement.Enrolment", category="partner_user", find={"user": "user_id"}),
        PersonalData(model="enablement.PartnerCertification", category="partner_user", find={"user": "earned_by_id"}),
        PersonalData(
            model="enablement.DemoConfirmation",
            category="partner_user",
            find={"user": "confirmed_by_id"},
            mentions=("note",),
        ),
        mentions("enablement.CheckIn", "notes"),
    )
    not_personal("enablement.Course", "course content")
    not_personal("enablement.Module", "course content")
    not_personal("enablement.Certification", "certification definitions")
