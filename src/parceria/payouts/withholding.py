"""Withholding taxes on payouts (SPEC §7.2), computed from rules stored as data (WithholdingRule).

The calculator is pure: the rules in force, the payout's gross and what the same payer already paid the
same beneficiary in the same month (`EarlierInMonth`) go in; lines come out. Nothing here reads the
database; the close loads the month's earlier payouts (`payouts.selectors.earlier_in_month`).

Which month: the payment month (regime de caixa). A payout's payment date (`Payout.payment_date`) is
the date of the close that makes it, the day its gross is paid or credited to the partner; the month of
that date (`payment_month`) is the month whose payments are summed and the month the income statement
reports the payout in, and the rule versions in force on that date apply.

Each rule kind, per payout:

* `flat`: rate × the payout's gross. Each payment stands alone (IRRF on payments to companies:
  RIR/2018 art. 718; the R$ 10.00 dispensation of Lei 9.430/96 art. 67 looks at each payment on its own).
* `capped`: rate × min(the month's gross, ceiling), for the month (INSS withheld from an individual:
  the contribution ceiling applies to the month's remuneration).
* `progressive`: the table applied to the month's base (the month's gross less the deductions) and
  less the reduction (IRRF of individuals: Lei 7.713/88 art. 7 §1 sums the month's payments).

The month's tax of a `capped` or `progressive` rule is computed on the month's totals and rounded once;
the payout withholds the difference to what the month's earlier payouts withheld under the same code.
So the taxes withheld by any split of a month's payments add up to the tax on their total. The
difference is never below zero (a month whose tax fell, because a payout failed or a rule changed, is
settled in the beneficiary's annual adjustment) and never more than what is left of the payout's gross
(the rest is withheld by the month's next payout).

Deductions (`progressive` rules, `params["deductions"]`): the legal deductions are the month's amounts
withheld under the listed codes (INSS: Lei 9.250/95 art. 4 IV); the simplified monthly discount
(Lei 9.250/95 art. 4 §2) replaces them when it is larger.

Minimum to withhold (`Rule.minimum`, Lei 9.430/96 art. 67): an amount, rounded to the minor unit, at or
below the minimum is not withheld: the payout's tax for `flat` rules; the month's tax for monthly rules
(withheld in full by the payout that takes it above the minimum).

Rounding: half-even to the currency's minor unit (1.5 % of 667.00 = 10.005 → 10.00, so not withheld
under a R$ 10.00 minimum). net = gross − Σ taxes.

Employer contributions (`params["employer"]` of a rule): what the company pays on top of the payout,
never withheld from it (the company's 20 % on remuneration paid to individuals, Lei 8.212/91 art. 22
III), computed on the month's gross like the monthly taxes.

Which rules apply to a payee (`rules_in_force`): the versions of the payee's country and tax regime in force
on the payment date. A rule of country "*" (`ANY_COUNTRY`) is the default for the payees of every country
that has no version of its own in force that day: for payees abroad, the domestic rate of a country without a
tax treaty. A country's own versions replace the default as a whole, so a treaty country whose version has a
rate of 0 withholds nothing, and a country listed on its own (a tax haven at its higher rate) never gets the
default's rate; once the last of a country's own versions ends, its payees fall back to the default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from parceria.common.money import get_currency

ZERO = Decimal(0)
MONTHLY_KINDS = frozenset({"capped", "progressive"})


@dataclass(frozen=True)
class Rule:
    id: int
    code: str
    name: str
    kind: str
    params: dict[str, Any]
    minimum: Decimal = ZERO


@dataclass(frozen=True)
class WithholdingLine:
    """A tax withheld from one payout. `base` is what the tax was computed on: the payout's gross for
    a flat rule, the month's base for a monthly one."""

    rule_id: int
    code: str
    base: Decimal
    amount: Decimal
    explanation: str


@dataclass(frozen=True)
class ContributionLine:
    """A contribution the company pays on a payout, on top of it (not withheld)."""

    rule_id: int
    code: str
    base: Decimal
    amount: Decimal
    explanation: str


@dataclass(frozen=True)
class EarlierInMonth:
    """What the payer already paid the beneficiary in the payment month, in the payout's currency:
    Σ gross, Σ withheld per code and Σ employer contributions per code of the payouts not failed."""

    gross: Decimal = ZERO
    withheld: Mapping[str, Decimal] = field(default_factory=dict)
    contributed: Mapping[str, Decimal] = field(default_factory=dict)

    def plus(
        self, gross: Decimal, lines: Sequence[WithholdingLine], contributions: Sequence[ContributionLine] = ()
    ) -> EarlierInMonth:
        """The month so far once a payout of `gross` with these lines is added to it."""
        withheld, contributed = dict(self.withheld), dict(self.contributed)
        for line in lines:
            withheld[line.code] = withheld.get(line.code, ZERO) + line.amount
        for c in contributions:
            contributed[c.code] = contributed.get(c.code, ZERO) + c.amount
        return EarlierInMonth(self.gross + gross, withheld, contributed)


NOTHING_EARLIER = EarlierInMonth()


def payment_month(payment_date: date) -> date:
    """The month of a payment on `payment_date` for tax (its first day): the month whose payments are summed
    with it, and the month (and year) the income statement reports it in (parceria.payouts.informe)."""
    return payment_date.replace(day=1)


def _minor(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(get_currency(currency).minor_unit, rounding=ROUND_HALF_EVEN)


def _pct(rate: Decimal) -> str:
    return f"{rate * 100:.2f}%"


def _flat(rule: Rule, gross: Decimal, currency: str) -> WithholdingLine | None:
    rate = Decimal(rule.params["rate"])
    tax = _minor(gross * rate, currency)
    if tax <= rule.minimum or tax <= 0:
        return None
    text = f"{rule.name}: {_pct(rate)} × {gross} {currency} = {tax} {currency}"
    return WithholdingLine(rule.id, rule.code, gross, tax, text)


def _month_difference(
    rule: Rule, month_tax: Decimal, earlier: EarlierInMonth, room: Decimal, base: Decimal, text: str, currency: str
) -> WithholdingLine | None:
    """The line withholding the month's tax less what the month's earlier payouts withheld."""
    if month_tax <= rule.minimum:
        month_tax = ZERO
        text += f"; at most {rule.minimum}: not withheld"
    before = _minor(earlier.withheld.get(rule.code, ZERO), currency)
    amount = min(max(ZERO, month_tax - before), room)
    if amount <= 0:
        return None
    text += f"; tax for the month {month_tax} − {before} withheld earlier in the month"
    if amount < month_tax - before:
        text += f"; limited to what is left of the payout, {room}"
    return WithholdingLine(rule.id, rule.code, base, amount, f"{text} = {amount} {currency}")


def _capped(
    rule: Rule, gross: Decimal, currency: str, earlier: EarlierInMonth, room: Decimal
) -> WithholdingLine | None:
    rate, ceiling = Decimal(rule.params["rate"]), Decimal(rule.params["ceiling"])
    month_gross = _minor(earlier.gross + gross, currency)
    base = min(month_gross, ceiling)
    month_tax = _minor(base * rate, currency)
    text = f"{rule.name}: {_pct(rate)} × min(month's gross {month_gross}, ceiling {ceiling})"
    return _month_difference(rule, month_tax, earlier, room, base, text, currency)


def _bracket(brackets: Sequence[dict[str, Any]], base: Decimal) -> dict[str, Any]:
    for bracket in brackets:
        if bracket["up_to"] is None or base <= Decimal(bracket["up_to"]):
            return bracket
    raise ValueError("a progressive table needs an open-ended last bracket")


def _reduction(params: dict[str, Any], income: Decimal, tax: Decimal) -> Decimal:
    """The monthly reduction of the tax (Lei 15.270/2025), on the month's taxable income (the gross)."""
    reduction = params.get("reduction")
    if not reduction:
        return ZERO
    if income <= Decimal(reduction["zero_up_to"]):
        cap = reduction.get("zero_max")
        return tax if cap is None else min(tax, Decimal(cap))
    if income <= Decimal(reduction["up_to"]):
        return min(tax, max(ZERO, Decimal(reduction["constant"]) - Decimal(reduction["factor"]) * income))
    return ZERO


def _deduction(
    params: dict[str, Any], earlier: EarlierInMonth, this_payout: Mapping[str, Decimal], currency: str
) -> tuple[Decimal, str]:
    """The month's deduction from the base: the legal deductions (the month's amounts withheld under the
    listed codes) or the simplified discount when that is larger; and how it was chosen."""
    deductions = params.get("deductions") or {}
    codes = deductions.get("withheld", [])
    legal = _minor(sum((earlier.withheld.get(c, ZERO) + this_payout.get(c, ZERO) for c in codes), ZERO), currency)
    simplified = Decimal(deductions.get("simplified", "0"))
    if simplified > legal:
        return simplified, f"simplified discount {simplified}"
    if legal:
        return legal, f"{' + '.join(codes)} {legal}"
    return ZERO, "no deduction"


def _progressive(
    rule: Rule, gross: Decimal, currency: str, earlier: EarlierInMonth, room: Decimal,
    this_payout: Mapping[str, Decimal],
) -> WithholdingLine | None:
    month_gross = _minor(earlier.gross + gross, currency)
    deduction, how = _deduction(rule.params, earlier, this_payout, currency)
    base = max(ZERO, month_gross - deduction)
    bracket = _bracket(rule.params["brackets"], base)
    rate, parcel = Decimal(bracket["rate"]), Decimal(bracket["deduction"])
    tax = max(ZERO, base * rate - parcel)
    reduction = _reduction(rule.params, month_gross, tax)
    month_tax = _minor(tax - reduction, currency)
    text = f"{rule.name}: month's gross {month_gross} − {how} = base {base}; {_pct(rate)} × {base} − {parcel}"
    if reduction:
        text += f" − reduction {_minor(reduction, currency)}"
    return _month_difference(rule, month_tax, earlier, room, base, text, currency)


def _referenced_first(rules: Sequence[Rule]) -> list[Rule]:
    """Rules whose codes other rules deduct (INSS for IRRF) are computed first."""
    deducted = {c for r in rules for c in (r.params.get("deductions") or {}).get("withheld", [])}
    return sorted(rules, key=lambda r: r.code not in deducted)


def compute_withholdings(
    rules: Sequence[Rule], gross: Decimal, currency: str, earlier: EarlierInMonth = NOTHING_EARLIER
) -> list[WithholdingLine]:
    """The taxes withheld from a payout of `gross` under the rules in force, given what the payer already
    paid the same beneficiary in the payment month (`earlier`)."""
    lines: list[WithholdingLine] = []
    withheld: dict[str, Decimal] = {}
    for rule in _referenced_first(rules):
        room = gross - sum(withheld.values(), ZERO)
        if rule.kind == "flat":
            line = _flat(rule, gross, currency)
            if line and line.amount > room:
                line = None if room <= 0 else WithholdingLine(rule.id, rule.code, gross, room, line.explanation)
        elif rule.kind == "capped":
            line = _capped(rule, gross, currency, earlier, room)
        else:
            line = _progressive(rule, gross, currency, earlier, room, withheld)
        if line:
            lines.append(line)
            withheld[line.code] = withheld.get(line.code, ZERO) + line.amount
    order = {rule.code: n for n, rule in enumerate(rules)}
    return sorted(lines, key=lambda line: order[line.code])


def employer_contributions(
    rules: Sequence[Rule], gross: Decimal, currency: str, earlier: EarlierInMonth = NOTHING_EARLIER
) -> list[ContributionLine]:
    """What the company pays on top of a payout of `gross` (never withheld from it), for the rules that
    carry `params["employer"] = {"code", "rate"}`: rate × the month's gross less what the month's earlier
    payouts contributed under the same code."""
    result = []
    for rule in rules:
        employer = rule.params.get("employer")
        if not employer:
            continue
        code, rate = employer["code"], Decimal(employer["rate"])
        month_gross = _minor(earlier.gross + gross, currency)
        month_amount = _minor(month_gross * rate, currency)
        before = _minor(earlier.contributed.get(code, ZERO), currency)
        amount = max(ZERO, month_amount - before)
        if amount > 0:
            text = (
                f"{rule.name}, company's contribution (not withheld): {_pct(rate)} × month's gross {month_gross} "
                f"= {month_amount} − {before} earlier in the month = {amount} {currency}"
            )
            result.append(ContributionLine(rule.id, code, month_gross, amount, text))
    return result


#: The country of the default rules: they apply to the payees of any country with no rule version of its own in force.
ANY_COUNTRY = "*"


def rule_countries(country: str) -> tuple[str, str]:
    """The rule countries whose rows `rules_in_force` may take for a payee of `country` (to filter a query)."""
    return (country, ANY_COUNTRY)


def _versions_in_force(rows: Sequence[Any], country: str, tax_regime: str, on: date) -> list[Any]:
    chosen: dict[str, Any] = {}
    for row in rows:
        if row.country != country or row.tax_regime != tax_regime:
            continue
        if row.effective_from <= on and (row.effective_to is None or on < row.effective_to):
            current = chosen.get(row.code)
            if current is None or row.effective_from > current.effective_from:
                chosen[row.code] = row
    return list(chosen.values())


def rules_in_force(rows: Sequence[Any], *, country: str, tax_regime: str, on: date) -> list[Rule]:
    """From WithholdingRule rows, the version of each code in force on `on` for a payee of `country` and regime:
    the country's own versions when any is in force that day, else those of the default country "*" for the
    same regime (`ANY_COUNTRY`; see the module's docstring)."""
    chosen = _versions_in_force(rows, country, tax_regime, on)
    if not chosen and country != ANY_COUNTRY:
        chosen = _versions_in_force(rows, ANY_COUNTRY, tax_regime, on)
    return [
        Rule(r.pk, r.code, r.name, r.kind, r.params, Decimal(r.minimum_to_withhold or 0))
        for r in sorted(chosen, key=lambda r: r.code)
    ]
