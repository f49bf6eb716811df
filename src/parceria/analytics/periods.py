"""The periods analytics report on: a month (`2026-03`) or a quarter (`2026-Q1`), each a run of whole months.

`parse_period` is the one parser (an InvalidInput `invalid_period` naming the field otherwise); `Period.previous(n)`
gives the n periods of the same kind ending with this one (a KPI's trend), oldest first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.utils.translation import gettext as _

from parceria.common.errors import InvalidInput
from parceria.common.months import add_months, month_end, month_start

Kind = Literal["month", "quarter"]
_QUARTER = re.compile(r"([0-9]{4})-Q([1-4])")
_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
#: The years a period may fall in (the API's month pattern's): a trend or look-back of a few years stays within the
#: calendar's years 1 to 9999.
FIRST_YEAR, LAST_YEAR = 1900, 9998


@dataclass(frozen=True, order=True)
class Period:
    first_month: date  # the first day of its first month
    kind: Kind

    @property
    def months(self) -> int:
        return 1 if self.kind == "month" else 3

    @property
    def last_month(self) -> date:
        return add_months(self.first_month, months=self.months - 1)

    @property
    def first_day(self) -> date:
        return self.first_month

    @property
    def last_day(self) -> date:
        return month_end(self.last_month)

    @property
    def key(self) -> str:
        """`2026-03` or `2026-Q1` (what `parse_period` reads)."""
        if self.kind == "month":
            return f"{self.first_month:%Y-%m}"
        return f"{self.first_month.year}-Q{(self.first_month.month - 1) // 3 + 1}"

    def month_list(self) -> list[date]:
        return [add_months(self.first_month, months=i) for i in range(self.months)]

    def shift(self, n: int) -> Period:
        """The period `n` periods later (earlier when negative)."""
        return Period(add_months(self.first_month, months=n * self.months), self.kind)

    def previous(self, n: int) -> list[Period]:
        """The `n` periods ending with this one, oldest first."""
        return [self.shift(-i) for i in range(n - 1, -1, -1)]

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def __str__(self) -> str:
        return self.key


def month_period(day: date) -> Period:
    return Period(month_start(day), "month")


def quarter_period(day: date) -> Period:
    return Period(date(day.year, 3 * ((day.month - 1) // 3) + 1, 1), "quarter")


def parse_period(text: object, *, field: str = "period") -> Period:
    """'2026-03' → that month; '2026-Q1' → that quarter; anything else an InvalidInput naming `field`."""
    value = text.strip().upper() if isinstance(text, str) else ""
    if (match := _MONTH.fullmatch(value)) and FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        return Period(date(int(match.group(1)), int(match.group(2)), 1), "month")
    if (match := _QUARTER.fullmatch(value)) and FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        return Period(date(int(match.group(1)), 3 * (int(match.group(2)) - 1) + 1, 1), "quarter")
    raise InvalidInput(_("%(field)s must be a month (YYYY-MM) or a quarter (YYYY-Q1 to YYYY-Q4), got %(text)r")
                       % {"field": field, "text": text}, code="invalid_period", details={"field": field})
