"""Referral redirect benchmark setup (not measured): partners through the partner service, referral links in bulk
and a click table in bulk (COPY on PostgreSQL, batched INSERTs on SQLite), then ANALYZE.

Run as `python bench/_referral_seed.py --partners 50 --links 5000 --clicks 1000000` with the database chosen by
the environment (DATABASE_URL / PARCERIA_VAR_DIR). Prints {"codes": [...], "clicks": N, "seconds": s} as one JSON
line on stdout.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import django
import orjson

LANDING = "https://loja.example.com/precos?utm_source=parceiro"
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def create_partners(total: int) -> list[int]:
    from parceria.common.audit import Actor
    from parceria.common.taxids import synthetic_tax_id
    from parceria.partners.services import PartnerFields, partner_create

    actor = Actor.system("bench:referrals")
    ids = []
    for n in range(total):
        partner = partner_create(fields=PartnerFields(
            name=f"Bench Referrer {n:03d}", legal_name=f"Bench Referrer {n:03d} Ltda", country="BR",
            tax_id=synthetic_tax_id("BR", 700_000 + n), currency="BRL", tax_regime="pj",
            category="consulting_agency", subcategory="digital_agency", status="active"), actor=actor)
        ids.append(partner.pk)
    return ids


def create_links(partners: list[int], count: int, rng: random.Random) -> tuple[list[str], list[int]]:
    from parceria.referrals.models import ReferralLink

    codes: set[str] = set()
    while len(codes) < count:
        codes.add("".join(rng.choice(CODE_ALPHABET) for _ in range(10)))
    ordered = sorted(codes)
    links = ReferralLink.objects.bulk_create(
        [ReferralLink(partner_id=partners[i % len(partners)], code=code, landing_url=LANDING)
         for i, code in enumerate(ordered)], batch_size=2000)
    return ordered, [link.pk for link in links]


def _click_rows(link_ids: list[int], count: int, rng: random.Random) -> Any:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    agents = ["Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5) Safari/604.1",
              "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/133.0"]
    for n in range(count):
        ip_hash = hashlib.sha256(f"10.{n % 250}.{n // 250 % 250}.{n % 97}".encode()).hexdigest()
        yield (rng.choice(link_ids), start + timedelta(seconds=n * 7), ip_hash, agents[n % 3],
               "https://blog.example.com/" if n % 4 == 0 else "")


def load_clicks(link_ids: list[int], count: int, rng: random.Random) -> None:
    from django.db import connection

    columns = "link_id, at, ip_hash, user_agent, referrer"
    rows = _click_rows(link_ids, count, rng)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
            with raw.copy(f"COPY referrals_referralclick ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute("ANALYZE referrals_referralclick")
            cursor.execute("ANALYZE referrals_referrallink")
        else:
            batch: list[tuple[Any, ...]] = []
            sql = f"INSERT INTO referrals_referralclick ({columns}) VALUES (%s, %s, %s, %s, %s)"
            for link_id, at, ip_hash, agent, referrer in rows:
                batch.append((link_id, at.replace(tzinfo=None).isoformat(sep=" "), ip_hash, agent, referrer))
                if len(batch) == 20_000:
                    cursor.executemany(sql, batch)
                    batch.clear()
            if batch:
                cursor.executemany(sql, batch)
            cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partners", type=int, default=50)
    parser.add_argument("--links", type=int, default=5_000)
    parser.add_argument("--clicks", type=int, default=1_000_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parceria.config.settings")
    django.setup()
    from django.db import transaction

    from parceria.referrals.models import ReferralClick

    started = time.perf_counter()
    rng = random.Random(20261204)
    partners = create_partners(args.partners)
    with transaction.atomic():
        codes, link_ids = create_links(partners, args.links, rng)
        load_clicks(link_ids, args.clicks, rng)
    print(orjson.dumps({"codes": codes, "clicks": ReferralClick.objects.count(),
                        "seconds": round(time.perf_counter() - started, 1)}).decode())


if __name__ == "__main__":
    main()
