"""The onboarding check-in schedule (pure): weekly for the first 13 weeks after the start, then monthly
(counted from the start, so a start on the 31st gives the last day of shorter months and never drifts)."""

from __future__ import annotations

from datetime import date, timedelta

from parceria.common.months import add_months

WEEKLY_CHECK_INS = 13  # the first three months
FIRST_MONTHLY = 4  # the first monthly check-in is four months after the start


def check_in_dates(started_on: date, until: date) -> list[date]:
    """Every scheduled check-in date after `started_on` up to and including `until`."""
    dates = [started_on + timedelta(weeks=k) for k in range(1, WEEKLY_CHECK_INS + 1)]
    month = FIRST_MONTHLY
    while (monthly := add_months(started_on, months=month)) <= until:
        dates.append(monthly)
        month += 1
    return [d for d in dates if d <= until]
