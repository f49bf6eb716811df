"""Calendar quarters, as the tier rules count them (in the platform's time zone)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def next_quarter(start: date) -> date:
    return date(start.year + 1, 1, 1) if start.month == 10 else date(start.year, start.month + 3, 1)


def last_full_quarter(on: date) -> tuple[date, date]:
    """The last calendar quarter that ended before `on`: (first day, last day)."""
    end = quarter_start(on)
    prev = end - timedelta(days=1)
    return quarter_start(prev), prev


def demotion_due(below_since: date) -> date:
    """The first day a partner below its tier since `below_since` may be demoted: after a whole calendar quarter
    below (the quarter starting on `below_since` if it is a quarter's first day, else the next one)."""
    first_full = below_since if below_since == quarter_start(below_since) else next_quarter(quarter_start(below_since))
    return next_quarter(first_full)


def local_start(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=timezone.get_default_timezone())
