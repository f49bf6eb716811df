"""Money arithmetic: Decimal only, never float, always with an ISO 4217 currency.

The rounding rule, written down once (docs/money.md repeats it):

* Ledger amounts carry 4 decimal places. Every computed amount (an accrual, a clawback, a converted
  amount) is rounded **half-even to 4 places** once, at the moment it is written to the ledger.
* A payout pays the balance **rounded down to the currency's minor unit** (cents for BRL, whole pesos
  for CLP); the remainder (< one minor unit) stays in the balance for the next payout.
* A partial refund claws back cumulatively: after refunds totalling R of an invoice of amount A, the
  total clawed back from an accrual C is round4(C × R / A); each refund posts the difference to what
  was clawed back before. A full refund therefore claws back exactly C, so rounding never creates or
  loses money.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Context, Decimal, InvalidOperation

LEDGER_PLACES = Decimal("0.0001")

#: Precision used for intermediate products (rate × amount × share) before the single final rounding.
CALC_CONTEXT = Context(prec=50, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Currency:
    """An ISO 4217 currency that Parceria can pay in."""

    code: str
    minor_units: int
    name: str

    @property
    def minor_unit(self) -> Decimal:
        return Decimal(1).scaleb(-self.minor_units)


CURRENCIES: dict[str, Currency] = {
    c.code: c
    for c in (
        Currency("BRL", 2, "Brazilian real"),
        Currency("MXN", 2, "Mexican peso"),
        Currency("COP", 2, "Colombian peso"),
        Currency("ARS", 2, "Argentine peso"),
        Currency("CLP", 0, "Chilean peso"),
        Currency("USD", 2, "US dollar"),
    )
}
CURRENCY_CHOICES = [(code, f"{code} — {c.name}") for code, c in CURRENCIES.items()]


@dataclass(frozen=True)
class FxQuote:
    """Units of `quote` for one unit of `base`, as published by `source` on `on_date` (plain data: the engine
    converts with it; parceria.common.fx stores and looks up the rates)."""

    base: str
    quote: str
    rate: Decimal
    source: str
    on_date: date


class MoneyError(ValueError):
    """An amount or currency that cannot be used."""


def get_currency(code: str) -> Currency:
    try:
        return CURRENCIES[code]
    except KeyError:
        raise MoneyError(f"unknown currency {code!r}; supported: {', '.join(CURRENCIES)}") from None


def parse_amount(value: object, *, allow_negative: bool = False, allow_zero: bool = True) -> Decimal:
    """Parse a decimal string (or int/Decimal) into a Decimal. Floats are refused: they are not exact."""
    if isinstance(value, bool | float):
        raise MoneyError('amounts must be decimal strings such as "123.45", not floating-point numbers')
    if isinstance(value, int | Decimal):
        amount = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise MoneyError("amount is empty")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise MoneyError(f"amount {value!r} is not a decimal number") from None
    else:
        raise MoneyError(f"amount must be a decimal string, got {type(value).__name__}")
    if not amount.is_finite():
        raise MoneyError(f"amount {value!r} is not a finite number")
    if amount < 0 and not allow_negative:
        raise MoneyError(f"amount {value!r} must not be negative")
    if amount == 0 and not allow_zero:
        raise MoneyError("amount must be greater than zero")
    if amount.as_tuple().exponent < -4:  # type: ignore[operator]
        raise MoneyError(f"amount {value!r} has more than 4 decimal places")
    if abs(amount) >= Decimal(10) ** 15:
        raise MoneyError(f"amount {value!r} is too large")
    return amount


def round_ledger(amount: Decimal) -> Decimal:
    """Round half-even to the 4 places the ledger stores."""
    return amount.quantize(LEDGER_PLACES, rounding=ROUND_HALF_EVEN, context=CALC_CONTEXT)


def round_down_minor(amount: Decimal, currency: str) -> Decimal:
    """Round towards zero to the currency's minor unit (the part of a balance a payout can pay)."""
    return amount.quantize(get_currency(currency).minor_unit, rounding=ROUND_DOWN)


def round_minor(amount: Decimal, currency: str) -> Decimal:
    """Round half-even to the currency's minor unit (an amount converted into `currency`)."""
    return amount.quantize(get_currency(currency).minor_unit, rounding=ROUND_HALF_EVEN, context=CALC_CONTEXT)


def multiply(*factors: Decimal) -> Decimal:
    """Exact-enough product of several decimals (50 significant digits), not yet rounded."""
    result = Decimal(1)
    for factor in factors:
        result = CALC_CONTEXT.multiply(result, factor)
    return result


def divide(numerator: Decimal, denominator: Decimal) -> Decimal:
    return CALC_CONTEXT.divide(numerator, denominator)


def ledger_str(amount: Decimal) -> str:
    """The API's representation of a ledger amount: a decimal string with the 4 stored places."""
    return str(round_ledger(amount))
