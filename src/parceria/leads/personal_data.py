"""Where the leads app keeps personal data, for data-subject requests (privacy/registry.py, docs/privacy.md)."""

from __future__ import annotations

from parceria.privacy.registry import PersonalData, declare, mentions


def register() -> None:
    declare(
        PersonalData(
            model="leads.Lead",
            category="customer_contact",
            find={"email": "contact_email", "tax_id": "tax_id"},
            fields=("contact_name", "contact_email"),
            mentions=("notes", "company_name", "normalised_name"),
        ),
        mentions("leads.LeadOffer", "ranking", "decline_reason"),
    )
