"""The portal benchmark's data (setup, not measured): the close benchmark's generator and COPY loader
(bench/_close_data.py, bench/_close_load.py) scaled to the portal's target, and the sample of partners whose
users the clients sign in as, with what their pages must show, read with plain SQL.

The close generator earns one referral accrual per paid invoice of an attributed customer (90% of customers)
plus clawbacks for ~1% refunds and a few manual adjustments, so ~1,000,000 ledger lines need ~1.1M invoices.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import psycopg

from _close_data import ATTRIBUTED_SHARE, REFUND_SHARE, Scale, build_dataset
from _close_load import load, standard_plan_id
from _common import log
from _cpu import parent_of
from _database import _admin_connect
from _server import PARCERIA, migrate, run

# Active partners with ledger lines, largest first, with the newest line (the ledger page's first row under its
# default sort, "-date": occurred_at DESC, id DESC) and the balance in the payout currency (the amounts of the lines
# in that currency: the API's first balance).
_PARTNERS_SQL = """
SELECT p.id, p.name, p.currency, COUNT(*) AS lines,
       COALESCE(SUM(l.amount) FILTER (WHERE l.currency = p.currency), 0) AS balance,
       (SELECT n.id FROM commissions_ledgerline n WHERE n.partner_id = p.id ORDER BY n.occurred_at DESC, n.id DESC
        LIMIT 1) AS first_line
FROM partners_partner p JOIN commissions_ledgerline l ON l.partner_id = p.id
WHERE p.status = 'active'
GROUP BY p.id ORDER BY lines DESC, p.id
"""


@dataclass(frozen=True)
class SampledPartner:
    partner_id: int
    name: str
    currency: str
    lines: int
    balance: Decimal
    first_line_id: int
    rank: int  # 1 = most ledger lines among the active partners


def invoices_for(lines: int) -> int:
    """Paid invoices that earn about `lines` ledger lines under the close generator's shares."""
    return math.ceil(lines / (ATTRIBUTED_SHARE * (1 + REFUND_SHARE)))


def set_up(env: Mapping[str, str], url: str, scale: Scale) -> tuple[dict[str, int], float]:
    """Migrate the scratch database and COPY the data set into it (then VACUUM (ANALYZE), by `load`). The lines
    bypass the ledger writer, so the ledger-totals projection is then rebuilt and checked the way an operator
    would after loading lines from elsewhere: `parceria ledger-totals --rebuild`."""
    started = time.perf_counter()
    log(f"setup: migrating; then {scale.partners:,} partners, {scale.customers:,} customers, "
        f"{scale.invoices:,} paid invoices by COPY")
    migrate(env)
    with _admin_connect(url) as conn:
        counts = load(conn, build_dataset(scale, standard_plan_id(conn)))
    rebuilt = time.perf_counter()
    run([PARCERIA, "ledger-totals", "--rebuild"], env)
    log(f"setup: ledger totals rebuilt and checked in {time.perf_counter() - rebuilt:.1f}s")
    return counts, time.perf_counter() - started


def _spread(total: int, wanted: int) -> list[int]:
    """`wanted` ranks (0-based) out of `total`: the largest quarter first, then evenly over the rest."""
    wanted = min(wanted, total)
    top = max(1, wanted // 4)
    rest = wanted - top
    if rest <= 0:
        return list(range(top))
    span = total - 1 - top
    return list(range(top)) + sorted({top + round(j * span / max(1, rest - 1)) for j in range(rest)})


def sample_partners(conn: psycopg.Connection[Any], wanted: int) -> list[SampledPartner]:
    rows = conn.execute(_PARTNERS_SQL).fetchall()
    if len(rows) < wanted:
        raise RuntimeError(f"only {len(rows)} active partners have ledger lines; {wanted} clients need as many")
    picked = [(i, rows[i]) for i in _spread(len(rows), wanted)]
    return [SampledPartner(int(r[0]), str(r[1]), str(r[2]), int(r[3]), Decimal(r[4]), int(r[5]), i + 1)
            for i, r in picked]


def ledger_total(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT COUNT(*) FROM commissions_ledgerline").fetchone()
    return int(row[0]) if row else 0


def postmaster_pid(url: str) -> int | None:
    """The PostgreSQL server's main process (the parent of our backend), read while the backend still exists.
    (_database.postmaster_pid reads it after closing the connection, when the backend may be gone already.)"""
    with _admin_connect(url) as conn:
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
        return parent_of(int(row[0])) if row else None
