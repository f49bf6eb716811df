"""Where the mdf app keeps personal data, for data-subject requests (privacy/registry.py, docs/privacy.md)."""

from __future__ import annotations

from parceria.privacy.registry import declare, mentions


def register() -> None:
    declare(
        mentions("mdf.FundRequest", "title", "description", "expected_results", "decision_reason", "claim_reason"),
        mentions("mdf.Budget", "override_reason"),
        mentions("mdf.ProofFile", "filename"),
    )
