"""Where the deals app keeps personal data, for data-subject requests (privacy/registry.py, docs/privacy.md)."""

from __future__ import annotations

from parceria.privacy.registry import PersonalData, declare, mentions


def register() -> None:
    declare(
        PersonalData(
            model="deals.DealRegistration",
            category="customer_contact",
            find={"email": "contact_email", "tax_id": "tax_id"},
            fields=("contact_name", "contact_email"),
            mentions=("notes", "conflict", "reason"),
        ),
        PersonalData(
            model="deals.Opportunity",
            category="customer_contact",
            find={"tax_id": "tax_id"},
            fields=("company_name", "normalised_name", "tax_id"),
        ),
    )
    declare(mentions("deals.DealRegistration", "company_name", "normalised_name"))
