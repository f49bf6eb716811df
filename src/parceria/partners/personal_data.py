"""Where the partners app keeps personal data, for data-subject requests (privacy/registry.py, docs/privacy.md)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from parceria.partners.models import Partner, PartnerStatus
from parceria.privacy.registry import PersonalData, declare, mentions, not_personal


def register() -> None:
    declare(
        PersonalData(
            model="partners.Partner",
            category="pf_payee_tax",
            find={"tax_id": "tax_id", "partner": "id"},
            identifies=True,
            fields=("name", "legal_name", "tax_id", "pix_key", "payout_account"),
            blocker=_contract_in_force,
        ),
        PersonalData(
            model="partners.PayoutMethodChange",
            category="pix_key",
            find={"partner": "partner_id"},
            fields=("account", "reason"),
            blocker=_contract_in_force_of_change,
        ),
        PersonalData(
            model="partners.Partner",
            category="pix_key",
            find={"email": "pix_key", "tax_id": "pix_key"},
            fields=("pix_key",),
            blocker=_contract_in_force,
        ),
        PersonalData(model="partners.Evaluation", category="activity_log", find={"user": "author_id"}),
        PersonalData(
            model="partners.StageTransition", category="activity_log", find={"user": "by_id"}, mentions=("reason",)
        ),
        mentions("partners.ChecklistTick", "evidence"),
        mentions("partners.TierAssessment", "evidence"),
        mentions("partners.EvaluationWeights", "note"),
    )
    not_personal("partners.TierDefinition", "the tier rules of the program")


def _contract_in_force_of_change(changes: QuerySet[Any]) -> str:
    return _contract_in_force(Partner.objects.filter(pk__in=changes.values("partner_id")))


def _contract_in_force(partners: QuerySet[Any]) -> str:
    """A payee whose agreement is in force keeps the data the contract needs (LGPD art. 7 V, art. 16)."""
    if partners.filter(status__in=[PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED]).exists():
        return _("the partner's contract is in force: terminate the partner first (LGPD art. 7 V)")
    return ""
