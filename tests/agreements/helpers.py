"""Builders for agreement tests (through the real services)."""

from __future__ import annotations

from datetime import date
from typing import Any

from parceria.agreements.models import Agreement
from parceria.agreements.services import AgreementFields, agreement_create, agreement_move
from parceria.partners.models import Partner
from tests.factories import ACTOR


def make_agreement(partner: Partner, type: str = "channel_partner", *, active: bool = True, **data: Any) -> Agreement:
    data.setdefault("start_date", date(2025, 1, 1))
    data.setdefault("signed_on", data["start_date"])
    agreement = agreement_create(partner=partner, fields=AgreementFields(type=type, **data), actor=ACTOR)
    if active:
        agreement = agreement_move(agreement=agreement, status="active", actor=ACTOR)
    return agreement
