"""Where the customers app keeps personal data, for data-subject requests (privacy/registry.py, docs/privacy.md)."""

from __future__ import annotations

from parceria.privacy.registry import PersonalData, declare, mentions, not_personal


def register() -> None:
    declare(
        PersonalData(
            model="customers.Customer",
            category="customer_contact",
            find={"tax_id": "tax_id"},
            fields=("name", "normalised_name", "tax_id"),
        ),
        mentions("customers.Event", "payload"),
        mentions("customers.EventBatch", "rejected"),
    )
    not_personal(
        "customers.AttributionClaim", "a code claimed for a customer (declared)"
    )
