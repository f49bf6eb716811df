"""Plain-SQL side of the close benchmark: the bare aggregate it is compared with, the balances before the
close, and the check that the close paid and carried exactly those balances (PostgreSQL numeric is exact).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import psycopg

BARE_AGGREGATE = (
    "SELECT partner_id, SUM(amount) FROM commissions_ledgerline WHERE period <= %s GROUP BY partner_id"
)

# What the close should do, worked out in SQL from the same rules (SPEC §7.1): a partner's balance in a
# currency is paid, rounded down to the cent, when the partner is active or terminated and the balance reaches
# the minimum set in that currency; everything else, and the sub-cent remainder of a payout, is carried.
_EXPECTED = """
WITH balances AS (
    SELECT partner_id, currency, SUM(amount) AS balance FROM commissions_ledgerline
    WHERE period <= %(month)s GROUP BY partner_id, currency HAVING SUM(amount) <> 0
), paid AS (
    SELECT b.* FROM balances b
    JOIN partners_partner p ON p.id = b.partner_id
    JOIN payouts_payoutthreshold t ON t.currency = b.currency AND t.amount_currency = t.currency
    WHERE p.status IN ('active', 'terminated') AND b.balance >= t.amount
)
SELECT b.currency, COUNT(*), SUM(b.balance),
       (SELECT COUNT(*) FROM paid WHERE paid.currency = b.currency),
       (SELECT COALESCE(SUM(TRUNC(balance, 2)), 0) FROM paid WHERE paid.currency = b.currency),
       (SELECT COUNT(*) FROM paid WHERE paid.currency = b.currency AND balance <> TRUNC(balance, 2))
FROM balances b GROUP BY b.currency ORDER BY b.currency
"""

_WRITTEN = """
SELECT c.currency,
       (SELECT COUNT(*) FROM payouts_payout p WHERE p.batch_id = %(batch)s AND p.currency = c.currency),
       (SELECT COALESCE(SUM(gross), 0) FROM payouts_payout p WHERE p.batch_id = %(batch)s AND p.currency = c.currency),
       (SELECT COUNT(*) FROM payouts_carriedbalance k WHERE k.batch_id = %(batch)s AND k.currency = c.currency),
       (SELECT COALESCE(SUM(balance), 0) FROM payouts_carriedbalance k
         WHERE k.batch_id = %(batch)s AND k.currency = c.currency),
       (SELECT COALESCE(SUM(amount), 0) FROM commissions_ledgerline l
         WHERE l.period <= %(month)s AND l.currency = c.currency)
FROM (SELECT DISTINCT currency FROM commissions_ledgerline) c ORDER BY c.currency
"""

_NET_MISMATCHES = """
SELECT COUNT(*) FROM payouts_payout p
WHERE p.batch_id = %(batch)s
  AND p.net <> p.gross - COALESCE((SELECT SUM(w.amount) FROM payouts_payoutwithholding w WHERE w.payout_id = p.id), 0)
"""


@dataclass(frozen=True)
class Expected:
    """Per currency: balances, their sum, and what the close should pay and carry."""

    currency: str
    balances: int
    total: Decimal
    payouts: int
    gross: Decimal
    remainders: int

    @property
    def carried(self) -> int:
        return self.balances - self.payouts + self.remainders


def time_bare_aggregate(conn: psycopg.Connection[Any], month: str, *, repeats: int = 3) -> tuple[float, int]:
    """Best wall time of the bare grouped SUM (rows fetched to the client), and its number of groups."""
    best, groups = float("inf"), 0
    for _ in range(repeats):
        started = time.perf_counter()
        rows = conn.execute(BARE_AGGREGATE, [month]).fetchall()
        best = min(best, time.perf_counter() - started)
        groups = len(rows)
    return best, groups


def explain_bare_aggregate(conn: psycopg.Connection[Any], month: str) -> str:
    rows = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {BARE_AGGREGATE}", [month]).fetchall()
    return "\n".join(str(r[0]) for r in rows)


def expected_close(conn: psycopg.Connection[Any], month: str) -> list[Expected]:
    rows = conn.execute(_EXPECTED, {"month": month}).fetchall()
    return [Expected(str(r[0]), int(r[1]), r[2], int(r[3]), r[4], int(r[5])) for r in rows]


def batch_id(conn: psycopg.Connection[Any], month: str) -> int | None:
    row = conn.execute("SELECT id FROM payouts_payoutbatch WHERE period = %s", [month]).fetchone()
    return int(row[0]) if row else None


def carried_by_reason(conn: psycopg.Connection[Any], month: str) -> dict[str, int]:
    rows = conn.execute(
        "SELECT reason, COUNT(*) FROM payouts_carriedbalance c JOIN payouts_payoutbatch b ON b.id = c.batch_id "
        "WHERE b.period = %s GROUP BY reason ORDER BY reason",
        [month],
    ).fetchall()
    return {str(reason): int(count) for reason, count in rows}


def written_by_currency(conn: psycopg.Connection[Any], batch: int, month: str) -> dict[str, tuple[Any, ...]]:
    """Per currency, what the close of `month` wrote in `batch` and what the ledger holds up to that month since:
    (payouts, their gross, carried balances, their sum, the sum of the lines up to the month)."""
    return {str(r[0]): tuple(r[1:]) for r in conn.execute(_WRITTEN, {"batch": batch, "month": month}).fetchall()}


def check_close(conn: psycopg.Connection[Any], month: str, expected: list[Expected]) -> tuple[list[str], int, int]:
    """What does not add up (empty when the close is exact), and the payouts and carried balances written."""
    batch = batch_id(conn, month)
    if batch is None:
        return [f"no payout batch for {month}"], 0, 0
    written = written_by_currency(conn, batch, month)
    problems: list[str] = []
    for want in expected:
        payouts, gross, carried, carried_sum, ledger_after = written.get(want.currency, (0, 0, 0, 0, 0))
        checks = {
            "payouts": (payouts, want.payouts), "carried": (carried, want.carried), "gross": (gross, want.gross),
            "gross + carried = balances before": (gross + carried_sum, want.total),
            "ledger after = carried": (ledger_after, carried_sum),
        }
        problems += [f"{want.currency} {name}: got {got}, expected {exp}" for name, (got, exp) in checks.items()
                     if got != exp]
    net = conn.execute(_NET_MISMATCHES, {"batch": batch}).fetchone()
    if net and net[0]:
        problems.append(f"{net[0]} payouts whose net is not gross − withholdings")
    totals = [sum(int(v[i]) for v in written.values()) for i in (0, 2)]
    return problems, totals[0], totals[1]
