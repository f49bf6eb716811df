"""Checks for withholding rules that staff add or change (a rule is data: it must be well formed)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q

from parceria.common.errors import InvalidInput
from parceria.common.inputs import WITHHOLDING_RATE, parse_rate
from parceria.payouts.models import WithholdingKind, WithholdingRule
from parceria.payouts.withholding import ANY_COUNTRY


class RuleError(ValueError):
    """A withholding rule that cannot be used, with the field it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _decimal(value: Any, what: str) -> Decimal:
    """A limit, deduction or factor of the rule: a number from 0 up."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise RuleError("params", f"{what} must be a decimal number, got {value!r}") from None
    if not number.is_finite() or number < 0:
        raise RuleError("params", f"{what} must be between 0 and ∞")
    return number


def _rate(value: Any, what: str) -> Decimal:
    """A tax rate of the rule: the withholding kind of rate (parceria.common.inputs)."""
    try:
        return parse_rate(value, field=what, kind=WITHHOLDING_RATE)
    except InvalidInput as exc:
        raise RuleError("params", exc.message) from None


def _check_flat(params: dict[str, Any]) -> None:
    if "rate" not in params:
        raise RuleError("params", 'a flat rule needs {"rate": "0.015"}')
    _rate(params["rate"], "rate")


def _check_capped(params: dict[str, Any]) -> None:
    for key in ("rate", "ceiling"):
        if key not in params:
            raise RuleError("params", 'a capped rule needs {"rate": "0.11", "ceiling": "8475.55"}')
    _rate(params["rate"], "rate")
    _decimal(params["ceiling"], "ceiling")
    if "employer" in params:
        employer = params["employer"]
        if not isinstance(employer, dict) or not isinstance(employer.get("code"), str) or not employer["code"]:
            raise RuleError("params", 'employer must be {"code": "inss_cpp", "rate": "0.20"}')
        if len(employer["code"]) > 10:
            raise RuleError("params", "employer code must be at most 10 characters")
        _rate(employer.get("rate"), "employer rate")


def _check_deductions(params: dict[str, Any], code: str) -> None:
    deductions = params["deductions"]
    if not isinstance(deductions, dict):
        raise RuleError("params", 'deductions must be {"simplified": "607.20", "withheld": ["inss"]}')
    _decimal(deductions.get("simplified", "0"), "deductions simplified")
    withheld = deductions.get("withheld", [])
    if not isinstance(withheld, list) or not all(isinstance(c, str) and c for c in withheld):
        raise RuleError("params", 'deductions withheld must be a list of tax codes, e.g. ["inss"]')
    if code in withheld:
        raise RuleError("params", "a rule cannot deduct its own tax")


def _check_progressive(params: dict[str, Any], code: str) -> None:
    brackets = params.get("brackets")
    if not isinstance(brackets, list) or not brackets:
        raise RuleError("params", 'a progressive rule needs "brackets": [{"up_to", "rate", "deduction"}, …]')
    previous = Decimal(-1)
    for n, bracket in enumerate(brackets, start=1):
        if not isinstance(bracket, dict):
            raise RuleError("params", f"bracket {n} must be an object")
        _rate(bracket.get("rate"), f"bracket {n} rate")
        _decimal(bracket.get("deduction"), f"bracket {n} deduction")
        last = n == len(brackets)
        if bracket.get("up_to") is None:
            if not last:
                raise RuleError("params", f"only the last bracket may be open-ended (bracket {n} has no up_to)")
            continue
        limit = _decimal(bracket["up_to"], f"bracket {n} up_to")
        if limit <= previous:
            raise RuleError("params", f"bracket {n} must start above bracket {n - 1}")
        previous = limit
    if brackets[-1].get("up_to") is not None:
        raise RuleError("params", "the last bracket must be open-ended (up_to: null)")
    if "reduction" in params:
        reduction = params["reduction"]
        for key in ("zero_up_to", "up_to", "constant", "factor"):
            if not isinstance(reduction, dict) or key not in reduction:
                raise RuleError("params", f"a reduction needs {key}")
            _decimal(reduction[key], f"reduction {key}")
        if "zero_max" in reduction:
            _decimal(reduction["zero_max"], "reduction zero_max")
    if "deductions" in params:
        _check_deductions(params, code)


def check_rule(
    *, code: str, country: str, tax_regime: str, kind: str, params: Any, effective_from: date,
    effective_to: date | None, exclude_pk: int | None = None, minimum_to_withhold: Decimal = Decimal(0),
) -> None:
    """Raise RuleError if the rule is malformed or overlaps another version of the same tax."""
    if minimum_to_withhold < 0:
        raise RuleError("minimum_to_withhold", "the minimum to withhold cannot be negative")
    if country != ANY_COUNTRY and not (len(country) == 2 and country.isascii() and country.isalpha()
                                       and country.isupper()):
        raise RuleError("country", 'country must be a country code (BR, MX, …) or "*" for every other country')
    if not isinstance(params, dict):
        raise RuleError("params", "params must be a JSON object")
    if "minimum_tax" in params:
        raise RuleError("params", "minimum_tax is no longer a parameter: set the rule's minimum to withhold")
    if kind == WithholdingKind.FLAT:
        _check_flat(params)
    elif kind == WithholdingKind.PROGRESSIVE:
        _check_progressive(params, code)
    elif kind == WithholdingKind.CAPPED:
        _check_capped(params)
    else:
        raise RuleError("kind", f"kind must be flat, progressive or capped, got {kind!r}")
    if effective_to is not None and effective_to <= effective_from:
        raise RuleError("effective_to", "a version must end after it starts")
    overlapping = WithholdingRule.objects.filter(code=code, country=country, tax_regime=tax_regime).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=effective_from)
    )
    if effective_to is not None:
        overlapping = overlapping.filter(effective_from__lt=effective_to)
    if exclude_pk is not None:
        overlapping = overlapping.exclude(pk=exclude_pk)
    clash = overlapping.first()
    if clash is not None:
        raise RuleError(
            "effective_from",
            f"overlaps the version from {clash.effective_from} to {clash.effective_to or 'open-ended'}: "
            f"end that version first (set its effective_to) or choose other dates",
        )
