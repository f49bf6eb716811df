"""Where the commissions app keeps personal data, for data-subject requests (privacy/registry.py, docs/privacy.md)."""

from __future__ import annotations

from parceria.privacy.registry import declare, mentions, not_personal


def register() -> None:
    declare(mentions("commissions.LedgerLine", "explanation"), mentions("commissions.CommissionPlan", "name"))
    not_personal("commissions.BalanceSnapshot", "sums of ledger amounts per partner id, kind and currency")
