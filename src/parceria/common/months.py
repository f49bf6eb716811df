"""Months: the one parser of `YYYY-MM` and the one month arithmetic.

A month is represented by its first day (`date(2026, 3, 1)`). `add_months` moves a day by whole months; when
the target month has no such day (31 January + 1 month) the caller says which rule applies:

* ``last_day``: the last day of the target month (31 Jan + 1 → 28/29 Feb): schedules and validity periods;
* ``first_of_next_month``: the first day of the month after it (31 Jan + 1 → 1 Mar): the expiry of a term
  of N months under the Brazilian Civil Code, art. 132 §3, which counts forward only.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Literal

from django.utils.translation import gettext as _

from parceria.common.errors import InvalidInput

Overflow = Literal["last_day", "first_of_next_month"]
_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")


def parse_month(text: str, *, field: str = "period") -> date:
    """'2026-03' → date(2026, 3, 1); anything else is an InvalidInput (invalid_period) naming `field`."""
    match = _MONTH.fullmatch(text) if isinstance(text, str) else None
    if match is None or match.group(1) == "0000":
        raise InvalidInput(_("%(field)s must be YYYY-MM, got %(text)r") % {"field": field, "text": text},
                           code="invalid_period", details={"field": field})
    return date(int(match.group(1)), int(match.group(2)), 1)


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    """The last day of the month of `month`."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(day: date, *, months: int, overflow: Overflow = "last_day") -> date:
    """`day` moved by `months` (negative: back), the same day of the month when the target month has it, else
    as `overflow` says (see the module docstring)."""
    if overflow == "first_of_next_month" and months < 0:
        raise ValueError("a term counts forward: months must not be negative")
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    if day.day <= last:
        return date(year, month + 1, day.day)
    if overflow == "last_day":
        return date(year, month + 1, last)
    return add_months(date(year, month + 1, 1), months=1)


def next_month(month: date) -> date:
    """The first day of the month after the month of `month`."""
    return add_months(month_start(month), months=1)
