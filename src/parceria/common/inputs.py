"""Cleaning what people and systems send to the services: text with a length limit, rates and amounts.

Partial updates take a frozen dataclass of changes whose fields default to `UNSET` (not given); `given`
lists the fields that were.

One function per kind of input, keyword-only, each raising InvalidInput (a 422) that names the field, so bad
input never becomes a 500 and every service words the same problem the same way. Months (`YYYY-MM`) are in
`parceria.common.months`; event payloads are checked by their schemas (parceria.customers.event_schemas).

Rates: a rate is a decimal string (or an int or Decimal; never a float, which is not exact) checked against
its kind's range and number of decimal places. Each kind of rate has one range, here:

* commission: a plan's referral or entry rate, 0 to 1, at most 4 places;
* referral_override: an agreement's referral rate, above 0 and below 1, at most 4 places;
* integration_share: a partner's integration revenue share, 0.10 to 0.25, at most 4 places;
* withholding: a tax rate of a withholding rule, 0 to 1, at most 10 places.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from django.utils.translation import gettext as _

from parceria.common.errors import InvalidInput
from parceria.common.money import MoneyError, parse_amount


class Unset(enum.Enum):
    """The type of `UNSET`: a field of a partial update that was not given (None may be a value)."""

    UNSET = "unset"


UNSET: Final = Unset.UNSET


def given(changes: Any) -> dict[str, Any]:
    """The fields of a frozen dataclass of changes that were given (not UNSET), by name."""
    return {f.name: value for f in fields(changes) if (value := getattr(changes, f.name)) is not UNSET}


def clean_text(value: object, *, field: str, max_length: int, required: bool = True) -> str:
    """`value` stripped, sent with at most `max_length` characters (white space around it included: the API's
    document states `maxLength` of the text as sent). Optional text may be missing (None or blank: "")."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(_("%(field)s is required") % {"field": field}, code="invalid_field",
                               details={"field": field})
        return ""
    if not isinstance(value, str):
        raise InvalidInput(_("%(field)s must be text") % {"field": field}, details={"field": field})
    text = value.strip()
    if len(value) > max_length:
        raise InvalidInput(_("%(field)s must have at most %(n)s characters") % {"field": field, "n": max_length},
                           details={"field": field})
    return text


def clean_amount(value: object, *, field: str, allow_negative: bool = False, allow_zero: bool = True) -> Decimal:
    """A decimal amount with at most 4 places (parceria.common.money.parse_amount's rule)."""
    try:
        return parse_amount(value, allow_negative=allow_negative, allow_zero=allow_zero)
    except MoneyError as exc:
        raise InvalidInput(f"{field}: {exc}", code="invalid_amount", details={"field": field}) from None


@dataclass(frozen=True)
class RateKind:
    """The range of one kind of rate: from `low` to `high`, each end included or not, with at most `places`
    decimal places; `example` is shown in the message."""

    name: str
    low: Decimal
    high: Decimal
    places: int
    example: str
    low_included: bool = True
    high_included: bool = True

    def admits(self, rate: Decimal) -> bool:
        above = rate >= self.low if self.low_included else rate > self.low
        below = rate <= self.high if self.high_included else rate < self.high
        return above and below

    def describe(self) -> str:
        if self.low_included and self.high_included:
            between = f"between {self.low} and {self.high}"
        else:
            low = "from" if self.low_included else "above"
            between = f"{low} {self.low} and {'up to' if self.high_included else 'below'} {self.high}"
        return f'a decimal string {between} with at most {self.places} places, e.g. "{self.example}"'


COMMISSION_RATE = RateKind("commission", Decimal(0), Decimal(1), 4, "0.25")
REFERRAL_OVERRIDE_RATE = RateKind("referral_override", Decimal(0), Decimal(1), 4, "0.27", low_included=False,
                                  high_included=False)
INTEGRATION_SHARE_RATE = RateKind("integration_share", Decimal("0.10"), Decimal("0.25"), 4, "0.15")
WITHHOLDING_RATE = RateKind("withholding", Decimal(0), Decimal(1), 10, "0.015")


def parse_rate(value: object, *, field: str, kind: RateKind) -> Decimal:
    """`value` as a rate of `kind`: a decimal string (or int or Decimal) within the kind's range and places.
    A malformed value is `invalid`, a number outside the range `out_of_range`."""
    problem = f"{field} must be {kind.describe()}"
    if isinstance(value, bool | float) or not isinstance(value, str | int | Decimal):
        raise InvalidInput(problem, details={"field": field})
    try:
        rate = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise InvalidInput(problem, details={"field": field}) from None
    exponent = rate.as_tuple().exponent
    if not rate.is_finite() or not isinstance(exponent, int) or exponent < -kind.places:
        raise InvalidInput(problem, details={"field": field})
    if not kind.admits(rate):
        raise InvalidInput(problem, code="out_of_range", details={"field": field})
    return rate.copy_abs() if rate == 0 else rate
