"""The analytics benchmark's program (setup, not measured): partners, customers, 24 months of paid invoices,
refunds, CSAT scores, ledger lines, FX rates and the program figures, written by INSERT … SELECT generate_series
into a migrated scratch PostgreSQL database, as one bulk load.

Shape (deterministic; every "random" choice is a hash of the row number):
* partners: tiers spread as the demo spreads them (none 25 %, certified 40 %, preferred 24 %, strategic 11 %), the
  four categories and their subcategories in rotation, 96 % active, 2 % suspended, 2 % terminated.
* customers: one in four direct (no partner); the others attributed with a skew (customer k goes to partner
  1 + ⌊P · u²⌋ for a hash u in [0, 1)), so a few partners are large and many small, as concentration needs. Half
  were customers before the window (they start in its first month), the rest start evenly over the 24 months;
  each stays 8 to 67 months (so many are still paying at the end). One in twenty pays in MXN (FX to R$ by the
  day's rate), the others in BRL, on a plan of R$ 199 to 4,999 growing 0.4 % a month.
* invoices: one per customer per month it is active, paid on its billing day at 10:00 in São Paulo.
* refunds: about 1 % of invoices, five days after payment (a third in full, the others half), each with its
  event; CSAT scores: two for one customer in ten, each with its event; ledger lines: the referral accrual (20 %)
  of the BRL invoices of one attributed customer in six.
* program figures (analytics.inputs): the five program-wide inputs for every month; per partner, support tickets
  and cost, joint marketing activities every month, MDF for preferred and strategic partners, the satisfaction
  survey at the end of each quarter.

The loaded tables' foreign keys and non-unique indexes are dropped during the load and re-created afterwards
from their own definitions (bench/_close_load.py), identity sequences moved past the loaded ids, then VACUUM
(ANALYZE). One shortcut, documented where the figures are reported: invoices are not given an `invoice.paid`
event each (15–20 M more rows that no analytic reads), so the invoice → event foreign key is re-created NOT VALID.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg

from _close_load import _drop_deferred
from _common import log

MONTHS = 24
TIME_ZONE = "America/Sao_Paulo"
TABLES = ["partners_partner", "customers_customer", "customers_event", "customers_invoice", "customers_refund",
          "customers_csatscore", "commissions_ledgerline", "common_fxrate", "analytics_programfigure"]
IDENTITY_TABLES = ["partners_partner", "customers_customer", "commissions_ledgerline", "common_fxrate",
                   "analytics_programfigure"]
NOT_VALIDATED = ("customers_invoice", "event_id")  # the one foreign key re-created NOT VALID (no invoice events)
CATEGORIES = (
    ("technology_integration", ("crm", "ecommerce", "accounting", "social_media")),
    ("consulting_agency", ("digital_agency", "management_consultancy", "accelerator")),
    ("industry_vertical", ("healthcare", "food_beverage", "fashion_beauty", "professional_services")),
    ("international", ("distributor", "joint_venture")),
)


@dataclass(frozen=True)
class Size:
    partners: int
    customers: int


def _hash(expr: str, salt: int) -> str:
    """A deterministic pseudo-random integer in [0, 1,000,003) from an integer SQL expression."""
    return f"((({expr})::bigint * {2654435761 + 2 * salt}) % 1000003)"


def _partners_sql(size: Size) -> str:
    pairs = [(c, s) for c, subs in CATEGORIES for s in subs]
    cats = ", ".join(f"'{c}'" for c, _ in pairs)
    subs = ", ".join(f"'{s}'" for _, s in pairs)
    tier = (f"CASE WHEN {_hash('p', 1)} % 100 < 25 THEN NULL WHEN {_hash('p', 1)} % 100 < 65 THEN 'certified' "
            f"WHEN {_hash('p', 1)} % 100 < 89 THEN 'preferred' ELSE 'strategic' END")
    status = "CASE WHEN p % 50 = 7 THEN 'suspended' WHEN p % 50 = 23 THEN 'terminated' ELSE 'active' END"
    return f"""
INSERT INTO partners_partner (id, name, legal_name, country, tax_id, tax_id_kind, currency, tax_regime, category,
    subcategory, status, tier, integration_share_rate, verticals, territories, created_at, updated_at, pix_key,
    pix_key_type, payout_method, payout_account)
SELECT p, 'Bench Partner ' || p, 'Bench Partner ' || p || ' Ltda', 'BR', '9' || lpad(p::text, 13, '0'), 'cnpj',
       'BRL', 'pj', (ARRAY[{cats}])[1 + p % {len(pairs)}], (ARRAY[{subs}])[1 + p % {len(pairs)}], {status}, {tier},
       NULL, '[]'::jsonb, '[]'::jsonb, %(first)s::timestamptz - make_interval(months => 1 + p % 36), now(), '', '',
       '', '{{}}'::jsonb
FROM generate_series(1, {size.partners}) AS p;
"""


def _plan_sql(size: Size) -> str:
    """One row per customer: its partner, first and last active month (window months 0–23), price, currency."""
    u = f"({_hash('k', 2)} / 1000003.0)"
    return f"""
CREATE UNLOGGED TABLE bench_plan AS
SELECT k,
       CASE WHEN k % 4 = 0 THEN NULL ELSE 1 + floor({size.partners} * {u} * {u})::int END AS partner,
       s, LEAST({MONTHS - 1}, s + 8 + {_hash('k', 3)} % 60)::int AS e,
       s + 8 + {_hash('k', 3)} % 60 <= {MONTHS - 1} AS churns,
       (ARRAY[199, 449, 899, 1790, 2990, 4999])[1 + {_hash('k', 4)} % 6]::numeric AS price,
       CASE WHEN k % 20 = 7 THEN 'MXN' ELSE 'BRL' END AS currency
FROM (SELECT k, (CASE WHEN {_hash('k', 5)} % 100 < 50 THEN 0 ELSE {_hash('k', 6)} % {MONTHS} END)::int AS s
      FROM generate_series(1, {size.customers}) AS k) AS drawn;
CREATE UNLOGGED TABLE bench_invoice AS
SELECT b.k, m, b.partner, b.currency,
       'inv-' || lpad(b.k::text, 7, '0') || '-' || lpad(m::text, 2, '0') AS invoice_id,
       round(b.price * (CASE WHEN b.currency = 'MXN' THEN 3.5 ELSE 1 END) * (1 + 0.004 * m), 2) AS amount,
       (%(first)s::date + make_interval(months => m))::date AS period_start,
       ((%(first)s::date + make_interval(months => m, days => b.k % 28)) + time '10:00') AT TIME ZONE '{TIME_ZONE}'
           AS paid_at
FROM bench_plan b, generate_series(b.s, b.e) AS m;
"""


_CUSTOMERS_SQL = """
INSERT INTO customers_customer (id, external_id, name, normalised_name, tax_id, domain, country, vertical,
    attributed_at, status, churned_at, created_at, updated_at, partner_id)
SELECT k, 'bench-' || k, 'Bench Customer ' || k || ' Ltda', 'bench customer ' || k, lpad(k::text, 8, '0') || '000100',
       'c' || k || '.example.com.br', CASE WHEN currency = 'MXN' THEN 'MX' ELSE 'BR' END, '',
       CASE WHEN partner IS NULL THEN NULL ELSE %(first)s::timestamptz + make_interval(months => s) END,
       CASE WHEN churns THEN 'churned' ELSE 'active' END,
       CASE WHEN churns THEN %(first)s::timestamptz + make_interval(months => e + 1) END,
       %(first)s::timestamptz + make_interval(months => s), now(), partner
FROM bench_plan ORDER BY k;
"""

_INVOICES_SQL = """
INSERT INTO customers_invoice (invoice_id, amount, currency, period_start, period_end, paid_at, customer_id, event_id)
SELECT invoice_id, amount, currency, period_start, (period_start + interval '1 month - 1 day')::date, paid_at, k,
       'paid-' || substr(invoice_id, 5)
FROM bench_invoice ORDER BY invoice_id;
"""

_REFUNDS_SQL = f"""
CREATE UNLOGGED TABLE bench_refund AS
SELECT 'rfd-' || substr(invoice_id, 5) AS event_id, invoice_id, k, currency,
       CASE WHEN (k + m) % 3 = 0 THEN amount ELSE round(amount / 2, 2) END AS amount,
       LEAST(paid_at + interval '5 days', now() - interval '1 hour') AS refunded_at
FROM bench_invoice WHERE {_hash('k + 31 * m', 7)} % 100 = 0;
INSERT INTO customers_event (event_id, type, occurred_at, payload, payload_hash, received_at, customer_id)
SELECT event_id, 'invoice.refunded', refunded_at, '{{}}'::jsonb, md5(event_id), refunded_at, k FROM bench_refund;
INSERT INTO customers_refund (event_id, amount, currency, refunded_at, invoice_id)
SELECT event_id, amount, currency, refunded_at, invoice_id FROM bench_refund;
"""

_CSAT_SQL = """
CREATE UNLOGGED TABLE bench_csat AS
SELECT 'csat-' || lpad(k::text, 7, '0') || '-' || n AS event_id, k,
       LEAST(5, 2 + ((k * 7 + n) % 7) / 2) AS score,
       ((%(first)s::date + make_interval(months => CASE WHEN n = 1 THEN s ELSE (s + e) / 2 END, days => 14))
        + time '15:00') AT TIME ZONE 'America/Sao_Paulo' AS occurred_at
FROM bench_plan, generate_series(1, 2) AS n WHERE k % 10 = 3;
INSERT INTO customers_event (event_id, type, occurred_at, payload, payload_hash, received_at, customer_id)
SELECT event_id, 'customer.csat', occurred_at, '{}'::jsonb, md5(event_id), occurred_at, k FROM bench_csat;
INSERT INTO customers_csatscore (event_id, score, occurred_at, customer_id)
SELECT event_id, score, occurred_at, k FROM bench_csat;
"""

_LEDGER_SQL = """
INSERT INTO commissions_ledgerline (kind, rule, amount, currency, rate, base, share, fx_rate, fx_source, explanation,
    dedupe_key, occurred_at, period, created_at, created_by, customer_id, event_id, invoice_id, partner_id)
SELECT 'accrual', 'referral', round(amount * 0.2, 4), 'BRL', 0.2, amount, '', NULL, '', 'bench referral accrual',
       'bench:' || invoice_id, paid_at, period_start, paid_at, 'bench', k, NULL, invoice_id, partner
FROM bench_invoice WHERE partner IS NOT NULL AND currency = 'BRL' AND k % 6 = 1 ORDER BY invoice_id;
"""

_FX_SQL = """
INSERT INTO common_fxrate (base, quote, on_date, rate, source, created_at)
SELECT 'MXN', 'BRL', d::date, round((0.27 + 0.02 * sin(extract(epoch FROM d) / 8640000.0))::numeric, 6), 'bench', now()
FROM generate_series(%(first)s::date - 10, current_date, interval '1 day') AS d;
"""


def _figures_sql() -> str:
    program = (("direct_cac", "2200 + 10 * m", "'BRL'"), ("direct_deal_size", "9000 + 50 * m", "'BRL'"),
               ("direct_ltv", "45000 + 100 * m", "'BRL'"), ("direct_retention_12m", "84 + (m % 3)", "''"),
               ("partner_program_cost", "400000 + 5000 * m", "'BRL'"))
    rows = " UNION ALL ".join(
        f"SELECT '{key}', m, NULL::bigint, ({value})::numeric, {currency} FROM generate_series(0, {MONTHS - 1}) m"
        for key, value, currency in program)
    per_partner = (
        ("support_tickets", f"{_hash('pt.id + 17 * m', 8)} % 40", "''", "true"),
        ("support_cost", f"45 * ({_hash('pt.id + 17 * m', 8)} % 40)", "'BRL'", "true"),
        ("joint_marketing_activities", f"{_hash('pt.id + 19 * m', 9)} % 3", "''", "true"),
        ("mdf_spent", f"1000 + {_hash('pt.id + 23 * m', 10)} % 9000", "'BRL'", "pt.tier IN ('preferred', 'strategic')"),
        ("partner_satisfaction", f"3 + ({_hash('pt.id + 29 * m', 11)} % 21) / 10.0", "''",
         "extract(month FROM %(first)s::date + make_interval(months => m))::int % 3 = 0"),
    )
    rows += " UNION ALL " + " UNION ALL ".join(
        f"SELECT '{key}', m, pt.id, ({value})::numeric, {currency} FROM partners_partner pt, "
        f"generate_series(0, {MONTHS - 1}) m WHERE {where}"
        for key, value, currency, where in per_partner)
    return f"""
INSERT INTO analytics_programfigure (key, month, partner_id, value, currency, source, updated_by_label, created_at,
    updated_at)
SELECT key, (%(first)s::date + make_interval(months => m))::date, partner, value, currency, 'bench', 'bench', now(),
       now()
FROM ({rows}) AS f (key, m, partner, value, currency);
"""


def _restore(conn: psycopg.Connection[Any], indexes: list[str], foreign_keys: list[tuple[str, str, str]]) -> None:
    for statement in indexes:
        conn.execute(statement)
    for table, name, definition in foreign_keys:
        loose = table == NOT_VALIDATED[0] and f"({NOT_VALIDATED[1]})" in definition.split("REFERENCES")[0]
        conn.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}' + (" NOT VALID" if loose else ""))


def seed(conn: psycopg.Connection[Any], size: Size, first_month: date) -> dict[str, Any]:
    """Load the program into a migrated database (`conn` in autocommit); answers row counts and seconds per step."""
    first = f"'{first_month.isoformat()}'"
    steps: dict[str, float] = {}

    def step(name: str, sql: str) -> None:
        started = time.perf_counter()
        with conn.transaction():
            conn.execute(sql.replace("%(first)s", first))  # no parameters: `%` is SQL's modulo here
        steps[name] = round(time.perf_counter() - started, 1)
        log(f"seed: {name} ({steps[name]:.1f}s)")

    conn.execute("SET maintenance_work_mem = '1GB'")
    conn.execute("SET work_mem = '256MB'")
    deferred = _drop_deferred(conn, TABLES)
    step("partners", _partners_sql(size))
    step("plan", _plan_sql(size))
    step("customers", _CUSTOMERS_SQL)
    step("invoices", _INVOICES_SQL)
    step("refunds", _REFUNDS_SQL)
    step("csat", _CSAT_SQL)
    step("ledger lines", _LEDGER_SQL)
    step("fx rates", _FX_SQL)
    step("program figures", _figures_sql())
    started = time.perf_counter()
    _restore(conn, deferred.indexes, deferred.foreign_keys)
    steps["indexes and foreign keys"] = round(time.perf_counter() - started, 1)
    log(f"seed: re-created {len(deferred.indexes)} indexes and {len(deferred.foreign_keys)} foreign keys "
        f"({steps['indexes and foreign keys']:.1f}s)")
    _reset_identities_of(conn)
    conn.execute("DROP TABLE bench_plan, bench_invoice, bench_refund, bench_csat")
    started = time.perf_counter()
    conn.execute("VACUUM (ANALYZE)")
    steps["vacuum analyze"] = round(time.perf_counter() - started, 1)
    counts = {table: int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])  # type: ignore[index]
              for table in TABLES}
    return {"rows": counts, "steps_s": steps}


def _reset_identities_of(conn: psycopg.Connection[Any]) -> None:
    for table in IDENTITY_TABLES:
        conn.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) "
                     "+ 1, false)", [table])

