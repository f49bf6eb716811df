"""The onboarding check-in schedule (pure): weekly for the first 13 weeks after the start, then monthly
(counted from the start, so a start on the 31st gives the last day of shorter months and never drifts)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

WEEKLY_CHECK_INS = 13  # the first three months
FIRST_MONTHLY = 4  # the first monthly check-in is four months after the start


def add_months(day: date, months: int) -> date:
    """`day` moved by `months`, clamped to the last day of the target month (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def check_in_dates(started_on: date, until: date) -> list[date]:
    """Every scheduled check-in date after `started_on` up to and including `until`."""
    dates = [started_on + timedelta(weeks=k) for k in range(1, WEEKLY_CHECK_INS + 1)]
    month = FIRST_MONTHLY
    while (monthly := add_months(started_on, month)) <= until:
        dates.append(monthly)
        month += 1
    return [d for d in dates if d <= until]
