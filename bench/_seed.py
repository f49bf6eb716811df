"""Benchmark setup (not measured): partners through the partner service, customers in bulk.

Run as `python bench/_seed.py --partners 100 --integration 10 --customers 20000` with the database chosen
by the environment (DATABASE_URL / PARCERIA_VAR_DIR). Prints {"referrers": [...], "integrators": [...]}
as one JSON line on stdout.
"""

from __future__ import annotations

import argparse
import os
from datetime import datetime
from typing import Any

import django
import orjson

from _common import ATTRIBUTED_AT, INTEGRATION_SHARE_RATE, customer_external_id, referrer_of


def _partner_data(n: int, *, integration: bool) -> dict[str, Any]:
    from parceria.common.taxids import synthetic_tax_id

    data: dict[str, Any] = {
        "name": f"Bench Partner {n:03d}", "legal_name": f"Bench Partner {n:03d} Ltda", "country": "BR",
        "tax_id": synthetic_tax_id("BR", 900_000 + n), "currency": "BRL", "tax_regime": "pj",
        "category": "consulting_agency", "subcategory": "digital_agency", "status": "active", "tier": "preferred",
    }
    if integration:
        data.update(category="technology_integration", subcategory="crm", tier=None,
                    integration_share_rate=INTEGRATION_SHARE_RATE)
    return data


def create_partners(total: int, integration: int) -> tuple[list[int], list[int]]:
    from parceria.common.audit import Actor
    from parceria.partners.services import PartnerFields, partner_create

    actor = Actor.system("bench:seed")
    referrers: list[int] = []
    integrators: list[int] = []
    for n in range(total):
        is_integration = n < integration
        partner = partner_create(fields=PartnerFields(**_partner_data(n, integration=is_integration)), actor=actor)
        (integrators if is_integration else referrers).append(partner.pk)
    return referrers, integrators


def create_customers(count: int, referrers: list[int]) -> None:
    from parceria.customers.models import Customer

    attributed_at = datetime.fromisoformat(ATTRIBUTED_AT)
    rows = []
    for k in range(count):
        partner_id = referrer_of(k, referrers)
        rows.append(Customer(
            external_id=customer_external_id(k), name=f"Bench Customer {k}", country="BR", partner_id=partner_id,
            attributed_at=attributed_at if partner_id else None,
        ))
    Customer.objects.bulk_create(rows, batch_size=2000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partners", type=int, default=100)
    parser.add_argument("--integration", type=int, default=10)
    parser.add_argument("--customers", type=int, default=20_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parceria.config.settings")
    django.setup()
    referrers, integrators = create_partners(args.partners, args.integration)
    create_customers(args.customers, referrers)
    print(orjson.dumps({"referrers": referrers, "integrators": integrators}).decode())


if __name__ == "__main__":
    main()
