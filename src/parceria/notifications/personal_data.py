"""Where the notifications app keeps personal data, for data-subject requests (privacy/registry.py, docs/privacy.md)."""

from __future__ import annotations

from parceria.privacy.registry import PersonalData, declare, not_personal


def register() -> None:
    declare(
        PersonalData(
            model="notifications.Notification",
            category="partner_user",
            find={"user": "user_id"},
            mentions=("subject", "last_error"),
        ),
        PersonalData(model="notifications.Preference", category="partner_user", find={"user": "user_id"}),
    )
    not_personal("notifications.ChatWebhook", "a partner's chat webhook address")
