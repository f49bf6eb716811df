"""The quarterly marketing development fund of each tier, as data (docs/mdf.md).

Only tiers whose benefits say ``mdf_eligible`` (partners/tier_data.py, the TierDefinition in force) get a budget.
The amounts are in reais per quarter; a partner paid in another currency gets its budget converted at the FX rate
of the quarter's first day (common.fx.fx_quote), the rate stored on the budget. These are starting values: staff
change them with a new version (a later ``effective_from``), and override one partner's budget with a reason.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

#: (tier, effective_from, quarterly amount in BRL); the latest version on or before a quarter's first day applies.
QUARTERLY_BUDGETS: tuple[tuple[str, date, Decimal], ...] = (
    ("preferred", date(2020, 1, 1), Decimal("5000.00")),
    ("strategic", date(2020, 1, 1), Decimal("15000.00")),
)

BUDGET_CURRENCY = "BRL"


def quarterly_amount(tier: str, quarter: date) -> Decimal | None:
    """The tier's quarterly budget in BRL in force on `quarter` (its first day), or None."""
    found = [(start, amount) for t, start, amount in QUARTERLY_BUDGETS if t == tier and start <= quarter]
    return max(found)[1] if found else None
