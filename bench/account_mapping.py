"""Account mapping benchmark: a partner's list of 100,000 rows mapped against 1,000,000 customers (and 50,000 open
opportunities of the direct-sales pipeline) on PostgreSQL. Target: < 10 s for the whole mapping (reading the CSV,
normalising and validating every row, keyed hashes of both sides, the comparison, storing the 100,000 digests and
the audit record), through `mapping.services.mapping_create`, as the portal and the API call it.

Setup (not measured): a scratch database in the DATABASE_URL server (bench/_database.py), migrated in-process, the
customers and opportunities loaded with COPY (valid CNPJs; every other customer with a web domain), VACUUM
(ANALYZE). The list: 40 % of its rows are our customers (half by another branch of the CNPJ, half by domain only),
10 % are open opportunities, the rest nobody's; segments customer/prospect; 1 % invalid tax ids, 1 % repeated rows.

Baselines measured in the same run, on the same data:
- `hash_only_s`: reading and hashing the same 100,000 rows alone (mapping.upload.parse and the digests), no database;
- `sql_join_s`: the comparison done in the clear, the way it would be without keyed hashes: the list's CNPJ roots
  and domains COPYed into a temporary table and joined with the customers in SQL.
The mapping's counts are checked against the numbers the generator put in the list.

One JSON line on stdout; progress on stderr. Without a PostgreSQL DATABASE_URL it says so and exits 0.

    scripts/with-postgres.sh .venv/bin/python bench/account_mapping.py [--quick]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import time
from dataclasses import dataclass
from typing import Any

from stdnum.br import cnpj

from _common import emit, log
from _database import _admin_connect, is_postgres_url, scratch_postgres

TARGET_S = 10.0


@dataclass(frozen=True)
class Size:
    customers: int
    opportunities: int
    rows: int


FULL = Size(customers=1_000_000, opportunities=50_000, rows=100_000)
QUICK = Size(customers=100_000, opportunities=5_000, rows=10_000)


def company_cnpj(k: int, branch: str = "0001") -> str:
    base = f"{10_000_000 + k:08d}{branch}"
    return base + cnpj.calc_check_digits(base)


def seed(url: str, size: Size) -> None:
    """Customers 0..n-1 (CNPJ of company k; domain c<k>.com.br for even k) and opportunities of companies n.. ."""
    started = time.perf_counter()
    with _admin_connect(url) as conn, conn.cursor() as cur:
        with cur.copy("COPY customers_customer (external_id, name, normalised_name, tax_id, domain, country, vertical, "
                      "status, created_at, updated_at) FROM STDIN") as copy:
            for k in range(size.customers):
                copy.write_row((f"bench-{k}", f"Cliente {k}", f"cliente {k}", company_cnpj(k),
                                f"c{k}.com.br" if k % 2 == 0 else "", "BR", "", "active", "2026-01-01T00:00:00Z",
                                "2026-01-01T00:00:00Z"))
        with cur.copy("COPY deals_opportunity (external_id, company_name, normalised_name, country, tax_id, "
                      "cnpj_root, domain, stage, owner_label, currency, created_at, updated_at) FROM STDIN") as copy:
            for j in range(size.opportunities):
                k = size.customers + j
                tax = company_cnpj(k)
                copy.write_row((f"opp-{j}", f"Prospect {k}", f"prospect {k}", "BR", tax, tax[:8], f"p{k}.com.br",
                                "open", "", "", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"))
        cur.execute("VACUUM (ANALYZE)")
    log(f"seeded {size.customers:,} customers and {size.opportunities:,} opportunities in "
        f"{time.perf_counter() - started:.1f}s")


@dataclass(frozen=True)
class PartnerList:
    data: bytes
    expected: dict[str, int]


def invalid_cnpj(k: int) -> str:
    """Company k's CNPJ with its last check digit wrong."""
    valid = company_cnpj(k)
    return valid[:-1] + str((int(valid[-1]) + 1) % 10)


def partner_list(size: Size) -> PartnerList:
    """The partner's CSV and the counts a correct mapping finds. Every row names a company no other row names,
    except the repeated rows (each a copy of the row before it)."""
    lines = ["tax_id,domain,segment"]
    customers = opportunities = invalid = repeated = 0
    fresh = size.customers + size.opportunities
    for i in range(size.rows):
        segment = "customer" if i % 3 else "prospect"
        bucket = i % 100
        if bucket < 20:  # our customer, by another branch of its CNPJ (customers 0 … rows-1)
            lines.append(f"{cnpj.format(company_cnpj(i, '0002'))},,{segment}")
            customers += 1
        elif bucket < 40:  # our customer, by its domain only (even customers from `rows` on)
            lines.append(f",https://www.c{size.rows + 2 * i}.com.br/,{segment}")
            customers += 1
        elif bucket < 50:  # an open opportunity
            lines.append(f"{company_cnpj(size.customers + opportunities)},,{segment}")
            opportunities += 1
        elif bucket == 50:  # an invalid tax id and no domain: reported twice (the tax id; no key), skipped
            lines.append(f"{invalid_cnpj(fresh + i)},,{segment}")
            invalid += 1
        elif bucket == 61:  # the row before, again: reported as a duplicate
            lines.append(lines[-1])
            repeated += 1
        else:  # nobody's
            lines.append(f"{company_cnpj(fresh + i)},n{fresh + i}.com.br,{segment}")
    assert opportunities <= size.opportunities and size.rows * 3 < size.customers
    return PartnerList(("\n".join(lines) + "\n").encode(), {
        "accounts": size.rows - invalid - repeated, "our_customers": customers,
        "our_open_opportunities": opportunities, "issues": 2 * invalid + repeated})


def sql_join_baseline(url: str, data: bytes) -> tuple[float, int]:
    """The comparison in the clear: the list's CNPJ roots and domains in a temporary table, joined in SQL."""
    from parceria.customers.services import normalise_domain

    rows = []
    for line in data.decode().splitlines()[1:]:
        tax, domain, _ = line.split(",")
        digits = "".join(c for c in tax if c.isdigit())
        rows.append((digits[:8] if len(digits) == 14 else "", normalise_domain(domain) if domain else ""))
    with _admin_connect(url) as conn, conn.cursor() as cur:
        started = time.perf_counter()
        cur.execute("CREATE TEMPORARY TABLE bench_list (id serial, root text, domain text)")
        with cur.copy("COPY bench_list (root, domain) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute("ANALYZE bench_list")
        cur.execute(
            "SELECT COUNT(*) FROM (SELECT l.id FROM bench_list l JOIN customers_customer c ON l.root <> '' "
            "AND c.country = 'BR' AND length(c.tax_id) = 14 AND left(c.tax_id, 8) = l.root UNION "
            "SELECT l.id FROM bench_list l JOIN customers_customer c ON l.domain <> '' AND c.domain = l.domain) m")
        matched = int(cur.fetchone()[0])
        seconds = time.perf_counter() - started
        cur.execute("DROP TABLE bench_list")
    return seconds, matched


def measure(url: str, size: Size, *, profile: bool = False) -> dict[str, Any]:
    import django

    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parceria.config.settings")
    os.environ.setdefault("PARCERIA_SECRET_KEY", secrets.token_urlsafe(48))
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    seed(url, size)

    from parceria.common.audit import Actor
    from parceria.mapping import keys
    from parceria.mapping.models import MappedAccount
    from parceria.mapping.selectors import mapping_counts
    from parceria.mapping.services import mapping_create
    from parceria.mapping.upload import parse
    from parceria.partners.services import PartnerFields, partner_create

    actor = Actor.system("bench:account-mapping")
    partner = partner_create(actor=actor, fields=PartnerFields(
        name="Bench Parceira", legal_name="Bench Parceira Ltda", country="BR", tax_id=company_cnpj(9_999_999),
        currency="BRL", tax_regime="pj", category="consulting_agency", subcategory="digital_agency", status="active"))
    listed = partner_list(size)
    log(f"list of {size.rows:,} rows, {len(listed.data):,} bytes")

    started = time.perf_counter()
    parsed = parse(listed.data, default_country="BR")
    secret = keys.mapping_secret(keys.new_salt())
    for a in parsed.accounts:
        keys.digest(secret, a.tax)
        keys.digest(secret, a.domain)
    hash_only = time.perf_counter() - started
    log(f"baseline: reading and hashing the list alone {hash_only:.2f}s")

    sql_join, sql_matched = sql_join_baseline(url, listed.data)
    log(f"baseline: the comparison in the clear in SQL {sql_join:.2f}s ({sql_matched:,} matched)")

    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    mapping = mapping_create(partner=partner, data=listed.data, actor=actor)
    seconds = time.perf_counter() - started
    if profiler:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    log(f"mapping {seconds:.2f}s")

    _, total = mapping_counts(mapping)
    found = {"accounts": total.accounts, "our_customers": total.our_customers,
             "our_open_opportunities": total.our_open_opportunities, "issues": mapping.issue_count}
    correct = found == listed.expected and sql_matched == listed.expected["our_customers"]
    stored = MappedAccount.objects.filter(mapping=mapping).count()
    return {
        "bench": "account_mapping", "db": "postgresql", "customers": size.customers,
        "opportunities": size.opportunities, "rows": size.rows, "seconds": round(seconds, 3), "target_s": TARGET_S,
        "met": seconds < TARGET_S and correct, "baseline_hash_only_s": round(hash_only, 3),
        "baseline_sql_join_s": round(sql_join, 3), "ratio_to_sql_join": round(seconds / sql_join, 2),
        "counts": found, "expected": listed.expected, "correct": correct, "stored_digests": stored,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100,000 customers and a 10,000-row list")
    parser.add_argument("--profile", action="store_true", help="profile the mapping (cProfile, on stderr)")
    args, _ = parser.parse_known_args()  # `make bench` passes every benchmark the same BENCH_ARGS
    url = os.environ.get("DATABASE_URL")
    if not is_postgres_url(url):
        log("account mapping benchmark: PostgreSQL only (set DATABASE_URL, e.g. scripts/with-postgres.sh); skipped")
        return
    assert url is not None
    size = QUICK if args.quick else FULL
    with scratch_postgres(url) as bench_url:
        record = measure(bench_url, size, profile=args.profile)
        from django.db import connections

        connections.close_all()
    emit(record)
    if not record["met"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
