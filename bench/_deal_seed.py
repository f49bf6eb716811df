"""Deal conflicts benchmark setup (not measured): partners through the partners service, and one partner-scoped API
key for each of the first `keys` of them, through the accounts service.

Run as `python bench/_deal_seed.py PARTNERS KEYS` with the database chosen by the environment (DATABASE_URL).
Prints {"partners": [ids...], "keys": [{"partner_id", "api_key"}, ...]} as one JSON line on stdout.
"""

from __future__ import annotations

import argparse
import os

import django
import orjson


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("partners", type=int)
    parser.add_argument("keys", type=int)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parceria.config.settings")
    django.setup()
    from parceria.accounts.services import api_key_create
    from parceria.common.audit import Actor
    from parceria.common.taxids import synthetic_tax_id
    from parceria.partners.services import PartnerFields, partner_create

    actor = Actor.system("bench:deal-conflicts")
    ids = []
    for n in range(1, args.partners + 1):
        partner = partner_create(actor=actor, fields=PartnerFields(
            name=f"Bench Partner {n}", legal_name=f"Bench Partner {n} Ltda", country="BR",
            tax_id=synthetic_tax_id("BR", 900_000 + n), currency="BRL", tax_regime="pj",
            category="consulting_agency", subcategory="digital_agency", status="active"))
        ids.append(partner.pk)
    keys = [{"partner_id": pid, "api_key": api_key_create(name=f"bench deals {pid}", scope="partner", partner_id=pid,
                                                          actor=actor).raw_key} for pid in ids[: args.keys]]
    print(orjson.dumps({"partners": ids, "keys": keys}).decode())


if __name__ == "__main__":
    main()
