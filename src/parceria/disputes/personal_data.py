"""Where the disputes app keeps personal data, for data-subject requests (privacy/registry.py, docs/privacy.md)."""

from __future__ import annotations

from parceria.privacy.registry import PersonalData, declare, mentions


def register() -> None:
    declare(
        PersonalData(
            model="disputes.Dispute",
            category="partner_user",
            find={"user": "opened_by_user_id"},
            mentions=("customer_name", "description", "resolution"),
        ),
        PersonalData(
            model="disputes.DisputeComment",
            category="partner_user",
            find={"user": "author_user_id"},
            mentions=("text",),
        ),
        mentions("disputes.Adjustment", "reason", "rejection_reason"),
        mentions("disputes.DisputeAttachment", "filename"),
    )
