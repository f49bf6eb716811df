"""Where the marketing app keeps personal data, for data-subject requests (privacy/registry.py, docs/privacy.md)."""

from __future__ import annotations

from parceria.privacy.registry import PersonalData, declare, mentions, not_personal


def register() -> None:
    declare(
        PersonalData(model="marketing.AssetDownload", category="partner_user", find={"user": "user_id"}),
        mentions("marketing.Activity", "title", "notes"),
        mentions("marketing.Asset", "title", "description"),
        mentions("marketing.AssetVersion", "file_name"),
    )
    not_personal("marketing.PartnerBrand", "a partner company's co-branding logo")
