"""Portal benchmark setup (not measured): one partner admin user and one partner-scoped API key per partner,
through the accounts services (argon2 password hashes, audit records), as a person would get them.

Run as `python bench/_portal_seed.py 12,40,7` with the database chosen by the environment (DATABASE_URL).
Prints {"accounts": [{"partner_id", "username", "password", "api_key"}, ...]} as one JSON line on stdout.
"""

from __future__ import annotations

import argparse
import os
import secrets
from typing import Any

import django
import orjson


def create_account(partner_id: int) -> dict[str, Any]:
    from parceria.accounts.services import api_key_create, user_create
    from parceria.common.audit import Actor
    from parceria.partners.models import Partner

    actor = Actor.system("bench:portal")
    partner = Partner.objects.get(pk=partner_id)
    username, password = f"bench-portal-{partner_id}", secrets.token_urlsafe(18)
    user_create(username=username, password=password, role="partner_admin", partner=partner, actor=actor)
    issued = api_key_create(name=f"bench portal {partner_id}", scope="partner", partner_id=partner_id, actor=actor)
    return {"partner_id": partner_id, "username": username, "password": password, "api_key": issued.raw_key}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("partners", help="comma-separated partner ids")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parceria.config.settings")
    django.setup()
    accounts = [create_account(int(p)) for p in args.partners.split(",")]
    print(orjson.dumps({"accounts": accounts}).decode())


if __name__ == "__main__":
    main()
