"""The demo's clock: staff work of past months (closes, approvals, exports, bank returns, disputes) happens at
the time it would have happened, so every `created_at`, `approved_at` and status change carries its
historical date. The services read the time as they always do; `at()` moves the process's clock there for the
length of one call (time-machine, without ticking), never past the real present.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine

from parceria.demo.timeline import TIME_ZONES

#: Staff work in São Paulo.
OFFICE = TIME_ZONES["BR"]


class DemoClock:
    """Moments of the demo's history, each capped just before the real present (`now`, read once), so that a
    load on the 1st of a month still closes, pays and files the month that just ended."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._last = datetime.min.replace(tzinfo=ZoneInfo("UTC"))

    def moment(self, day: date, hour: int, minute: int = 0, zone: ZoneInfo = OFFICE) -> datetime:
        """`day` at `hour:minute` in `zone`, capped before the present and never before the previous moment
        (so capped moments keep their order)."""
        wanted = datetime.combine(day, time(hour, minute), tzinfo=zone)
        latest = self.now - timedelta(minutes=1)
        chosen = max(min(wanted, latest), self._last + timedelta(seconds=1))
        self._last = chosen
        return chosen

    def office(self, day: date, hour: int, minute: int = 0, zone: ZoneInfo = OFFICE) -> datetime:
        """`day` at `hour:minute` in `zone`, as planned (steps planned out of order; plans drop the ones that
        have not happened yet, and `at` never goes past the present)."""
        return datetime.combine(day, time(hour, minute), tzinfo=zone)

    @contextmanager
    def at(self, moment: datetime) -> Iterator[datetime]:
        """Run the block with the clock standing at `moment` (at the latest just before the present)."""
        moment = min(moment, self.now - timedelta(minutes=2))
        with time_machine.travel(moment, tick=False):
            yield moment
