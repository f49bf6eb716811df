"""Where the safeguards app keeps personal data, for data-subject requests (privacy/registry.py, docs/privacy.md)."""

from __future__ import annotations

from parceria.privacy.registry import declare, mentions


def register() -> None:
    declare(mentions("safeguards.SafeguardFlag", "evidence", "clear_note"))
