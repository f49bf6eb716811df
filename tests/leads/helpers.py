"""Builders for the lead routing tests (through the real services)."""

from __future__ import annotations

from typing import Any

from stdnum.br import cnpj

from parceria.deals.services import DealFields
from parceria.leads.models import Lead
from parceria.leads.services import lead_create
from tests.factories import ACTOR

ROOT = "61238412"
LEAD_CNPJ = ROOT + "0001" + cnpj.calc_check_digits(ROOT + "0001")


def lead_fields(**overrides: Any) -> DealFields:
    data = {"company_name": "Mercado Bom Preço Ltda", "country": "BR", "tax_id": LEAD_CNPJ,
            "domain": "bompreco.com.br", "contact_name": "Rita Alves", "contact_email": "rita@bompreco.com.br",
            "estimated_value": "48000.00", "currency": "BRL", "vertical": "retail", "region": "SP"}
    data.update(overrides)
    return DealFields(**data)


def make_lead(external_id: str = "", **overrides: Any) -> Lead:
    lead, _created = lead_create(fields=lead_fields(**overrides), external_id=external_id, actor=ACTOR)
    return lead


def other_company(n: int, **overrides: Any) -> DealFields:
    """A company unlike the lead's (for a partner's other registrations)."""
    data = {"company_name": f"Empresa Distinta {n:03d} Zeta", "country": "BR", "domain": f"distinta{n}.com.br",
            "contact_name": "Ana", "contact_email": f"ana@distinta{n}.com.br", "estimated_value": "1000",
            "currency": "BRL"}
    data.update(overrides)
    return DealFields(**data)
