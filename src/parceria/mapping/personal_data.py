"""Where the mapping app keeps personal data, for data-subject requests (privacy/registry.py, docs/privacy.md)."""

from __future__ import annotations

from parceria.privacy.registry import declare, mentions, not_personal


def register() -> None:
    declare(mentions("mapping.AccountMapping", "issues"))
    not_personal("mapping.MappedAccount", "keyed digests of a company's tax id and domain, never the values")
