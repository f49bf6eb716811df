"""Withholding taxes on payouts (SPEC §7.2), computed from rules stored as data (WithholdingRule).

The calculator is pure: rule data in, lines out. Taxes are rounded half-even to the currency's minor
unit; net = gross − Σ taxes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from parceria.common.money import get_currency


@dataclass(frozen=True)
class Rule:
    id: int
    code: str
    name: str
    kind: str
    params: dict[str, Any]


@dataclass(frozen=True)
class WithholdingLine:
    rule_id: int
    code: str
    base: Decimal
    amount: Decimal
    explanation: str


def _minor(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(get_currency(currency).minor_unit, rounding=ROUND_HALF_EVEN)


def _flat(rule: Rule, gross: Decimal, currency: str) -> WithholdingLine | None:
    rate = Decimal(rule.params["rate"])
    tax = _minor(gross * rate, currency)
    minimum = Decimal(rule.params.get("minimum_tax", "0"))
    if tax <= minimum:
        return None
    text = f"{rule.name}: {rate * 100:.2f}% × {gross} {currency} = {tax} {currency}"
    return WithholdingLine(rule.id, rule.code, gross, tax, text)


def _bracket(brackets: Sequence[dict[str, Any]], base: Decimal) -> dict[str, Any]:
    for bracket in brackets:
        if bracket["up_to"] is None or base <= Decimal(bracket["up_to"]):
            return bracket
    raise ValueError("a progressive table needs an open-ended last bracket")


def _reduction(params: dict[str, Any], base: Decimal, tax: Decimal) -> Decimal:
    reduction = params.get("reduction")
    if not reduction:
        return Decimal(0)
    if base <= Decimal(reduction["zero_up_to"]):
        return tax
    if base <= Decimal(reduction["up_to"]):
        return min(tax, max(Decimal(0), Decimal(reduction["constant"]) - Decimal(reduction["factor"]) * base))
    return Decimal(0)


def _progressive(rule: Rule, gross: Decimal, currency: str) -> WithholdingLine | None:
    bracket = _bracket(rule.params["brackets"], gross)
    rate, deduction = Decimal(bracket["rate"]), Decimal(bracket["deduction"])
    tax = max(Decimal(0), gross * rate - deduction)
    reduced = tax - _reduction(rule.params, gross, tax)
    amount = _minor(reduced, currency)
    if amount <= 0:
        return None
    text = f"{rule.name}: {rate * 100:.2f}% × {gross} − {deduction}"
    if reduced != tax:
        text += f" − reduction {_minor(tax - reduced, currency)}"
    return WithholdingLine(rule.id, rule.code, gross, amount, f"{text} = {amount} {currency}")


def compute_withholdings(rules: Sequence[Rule], gross: Decimal, currency: str) -> list[WithholdingLine]:
    """The taxes withheld from a payout of `gross` under the rules in force."""
    lines = []
    for rule in rules:
        line = _flat(rule, gross, currency) if rule.kind == "flat" else _progressive(rule, gross, currency)
        if line:
            lines.append(line)
    return lines


def rules_in_force(rows: Sequence[Any], *, country: str, tax_regime: str, on: date) -> list[Rule]:
    """From WithholdingRule rows, the version of each code in force on `on` for a country and regime."""
    chosen: dict[str, Any] = {}
    for row in rows:
        if row.country != country or row.tax_regime != tax_regime:
            continue
        if row.effective_from <= on and (row.effective_to is None or on < row.effective_to):
            current = chosen.get(row.code)
            if current is None or row.effective_from > current.effective_from:
                chosen[row.code] = row
    return [Rule(r.pk, r.code, r.name, r.kind, r.params) for r in chosen.values()]
