"""Where the recruiting app keeps personal data, for data-subject requests (privacy/registry.py, docs/privacy.md)."""

from __future__ import annotations

from typing import Any

from parceria.privacy.registry import PersonalData, declare, mentions


def register() -> None:
    declare(
        PersonalData(
            model="recruiting.Application",
            category="applicant",
            find={"email": "contact_email", "user": "admin_user_id", "partner": "partner_id"},
            reveals={"email": "contact_email"},
            reveal=_applicant_is_the_payee,
            fields=("contact_name", "contact_email", "contact_phone"),
            mentions=("customers_served", "kind_answer", "motivation", "decision_reason", "website"),
        ),
        # A directory message keeps a keyed hash of the sender's network address; the message itself is a lead.
        PersonalData(model="recruiting.DirectoryContact", category="directory_contact"),
        mentions("recruiting.DirectoryListing", "headline", "description"),
    )


def _applicant_is_the_payee(applications: list[Any]) -> dict[str, list[Any]]:
    """An individual who applied (a CPF) is the prospect partner the application created."""
    return {"tax_id": [a.partner.tax_id for a in applications if a.partner.tax_id_kind == "cpf"]}
