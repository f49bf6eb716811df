"""The demo's calendar: a window of whole months ending in a given month, and local times per country.

Months are numbered relative to the window: 0 is its first month, `months - 1` its last (the end month);
negative numbers are months before the window (when earlier customers and partners joined).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

#: The time zone each country's customers and partners live in (used for event times).
TIME_ZONES = {
    "BR": ZoneInfo("America/Sao_Paulo"),
    "MX": ZoneInfo("America/Mexico_City"),
    "CO": ZoneInfo("America/Bogota"),
    "AR": ZoneInfo("America/Argentina/Buenos_Aires"),
    "CL": ZoneInfo("America/Santiago"),
}


def previous_month(today: date) -> date:
    """The first day of the last full month before `today`."""
    first = today.replace(day=1)
    return date(first.year - 1, 12, 1) if first.month == 1 else date(first.year, first.month - 1, 1)


@dataclass(frozen=True)
class DemoCalendar:
    """`months` whole months ending with the month of `end_month`."""

    end_month: date
    months: int

    def _year_month(self, m: int) -> tuple[int, int]:
        serial = self.end_month.year * 12 + self.end_month.month - 1 - (self.months - 1) + m
        return serial // 12, serial % 12 + 1

    def first_day(self, m: int) -> date:
        year, month = self._year_month(m)
        return date(year, month, 1)

    def days_in(self, m: int) -> int:
        year, month = self._year_month(m)
        return calendar.monthrange(year, month)[1]

    def last_day(self, m: int) -> date:
        return self.first_day(m).replace(day=self.days_in(m))

    def day(self, m: int, day: int) -> date:
        """Day `day` of month `m`, capped at the month's last day."""
        return self.first_day(m).replace(day=min(day, self.days_in(m)))

    def label(self, m: int) -> str:
        return self.first_day(m).strftime("%Y-%m")

    def compact(self, m: int) -> str:
        return self.first_day(m).strftime("%Y%m")

    @property
    def window_end(self) -> date:
        return self.last_day(self.months - 1)


def local_iso(country: str, day: date, hour: int, minute: int) -> str:
    """An ISO 8601 time with the country's UTC offset on that day, e.g. '2026-03-31T14:05:00-03:00'."""
    return datetime.combine(day, time(hour, minute), tzinfo=TIME_ZONES[country]).isoformat()
