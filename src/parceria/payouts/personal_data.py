"""Where the payouts app keeps personal data, for data-subject requests (privacy/registry.py, docs/privacy.md)."""

from __future__ import annotations

from parceria.privacy.registry import PersonalData, declare, mentions, not_personal


def register() -> None:
    declare(
        PersonalData(
            model="payouts.Payout",
            category="pf_payee_tax",
            find={"partner": "partner_id", "tax_id": "payee_tax_id", "email": "pix_key"},
            fields=("payee_name", "payee_tax_id", "pix_key", "account"),
            fiscal="payment_date",
        ),
        mentions("payouts.PayoutWithholding", "explanation"),
        mentions("payouts.PayoutEmployerContribution", "explanation"),
        mentions("payouts.BatchExport", "content"),
        mentions("payouts.PayoutStatusChange", "reference"),
        mentions("payouts.CarriedBalance", "reason"),
    )
    not_personal("payouts.WithholdingRule", "tax rules as data")
    not_personal(
        "payouts.ReimbursementSnapshot", "sums of payouts' marketing fund reimbursements per partner id and currency"
    )
