"""The dispute response SLA: the first staff response is due a number of business days after opening.

Business days are Monday to Friday in the platform's time zone, less Brazil's national holidays (Lei 662/1949,
Lei 6.802/1980, Lei 14.759/2023 for 20 November, and Good Friday). Carnival and Corpus Christi are optional
days off (pontos facultativos), not holidays, and count as business days. The deadline keeps the wall-clock
time of the opening: opened on Monday at 10:00, due five business days later at 10:00.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache

from django.conf import settings
from django.utils import timezone

#: Business days staff have to answer a new dispute; settings.PARCERIA["DISPUTE_RESPONSE_BUSINESS_DAYS"] overrides.
RESPONSE_BUSINESS_DAYS = 5

_FIXED_HOLIDAYS = ((1, 1), (4, 21), (5, 1), (9, 7), (10, 12), (11, 2), (11, 15), (12, 25))


def response_business_days() -> int:
    return int(getattr(settings, "PARCERIA", {}).get("DISPUTE_RESPONSE_BUSINESS_DAYS", RESPONSE_BUSINESS_DAYS))


def easter(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


@cache
def national_holidays(year: int) -> frozenset[date]:
    days = {date(year, month, day) for month, day in _FIXED_HOLIDAYS}
    if year >= 2024:
        days.add(date(year, 11, 20))  # Dia Nacional de Zumbi e da Consciência Negra
    days.add(easter(year) - timedelta(days=2))  # Good Friday
    return frozenset(days)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in national_holidays(day.year)


def add_business_days(moment: datetime, days: int) -> datetime:
    """`moment` moved forward by `days` business days, keeping its local wall-clock time."""
    local = timezone.localtime(moment)
    day, left = local.date(), days
    while left > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            left -= 1
    naive = datetime.combine(day, local.time().replace(tzinfo=None))
    return timezone.make_aware(naive, timezone.get_current_timezone())


def response_due(opened_at: datetime) -> datetime:
    return add_business_days(opened_at, response_business_days())
