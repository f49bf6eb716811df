"""What a close pays, withholds and carries, summed: the totals per currency (gross, taxes withheld per code,
net, the company's contributions per code) and the close as the API and the `close` command answer it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from parceria.common.money import ledger_str
from parceria.payouts.close import ClosePlan, PlannedPayout


@dataclass(frozen=True)
class CloseTotals:
    """The close's summary in one currency: what it pays, withholds (per tax code) and sends, and what the
    company contributes on top of the payouts (per code; a cost of the company, not withheld)."""

    currency: str
    payouts: int
    gross: Decimal
    withheld: dict[str, Decimal]
    net: Decimal
    employer_contributions: dict[str, Decimal]

    @property
    def withheld_total(self) -> Decimal:
        return sum(self.withheld.values(), Decimal(0))


def plan_totals(plan: ClosePlan) -> list[CloseTotals]:
    """The close's summary per currency, in currency order."""
    groups: dict[str, list[PlannedPayout]] = {}
    for p in plan.payouts:
        groups.setdefault(p.currency, []).append(p)
    result = []
    for currency, payouts in sorted(groups.items()):
        withheld: dict[str, Decimal] = {}
        employer: dict[str, Decimal] = {}
        for p in payouts:
            for t in p.withholdings:
                withheld[t.code] = withheld.get(t.code, Decimal(0)) + t.amount
            for c in p.employer_contributions:
                employer[c.code] = employer.get(c.code, Decimal(0)) + c.amount
        result.append(
            CloseTotals(
                currency,
                len(payouts),
                sum((p.gross for p in payouts), Decimal(0)),
                dict(sorted(withheld.items())),
                sum((p.net for p in payouts), Decimal(0)),
                dict(sorted(employer.items())),
            )
        )
    return result


def plan_as_dict(plan: ClosePlan) -> dict[str, Any]:
    """The close as the API and the `close` command answer it (amounts as decimal strings)."""
    def lines(amounts: Any) -> list[dict[str, str]]:
        return [{"code": code, "amount": ledger_str(amount)} for code, amount in amounts]

    return {
        "period": f"{plan.period:%Y-%m}",
        "batch_id": plan.batch_id,
        "payment_date": plan.payment_date.isoformat() if plan.payment_date else None,
        "payouts": [
            {
                "partner_id": p.partner_id,
                "currency": p.currency,
                "gross": ledger_str(p.gross),
                "withholdings": lines((t.code, t.amount) for t in p.withholdings),
                "net": ledger_str(p.net),
                "employer_contributions": lines((c.code, c.amount) for c in p.employer_contributions),
            }
            for p in plan.payouts
        ],
        "totals": [
            {
                "currency": t.currency,
                "payouts": t.payouts,
                "gross": ledger_str(t.gross),
                "withheld": lines(t.withheld.items()),
                "net": ledger_str(t.net),
                "employer_contributions": lines(t.employer_contributions.items()),
            }
            for t in plan_totals(plan)
        ],
        "carried": [
            {"partner_id": c.partner_id, "currency": c.currency, "balance": ledger_str(c.balance), "reason": c.reason}
            for c in plan.carried
        ],
        "warnings": plan.warnings,
    }
