"""The community's pure rules: quarters, the NPS arithmetic, the 0–10 → 1–5 conversion, SLA due times, meeting due
dates. No database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from django.utils import timezone

CENT = Decimal("0.01")


def quarter_of(day: date) -> str:
    """date(2026, 5, 3) → "2026-Q2"."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_now(now: datetime | None = None) -> str:
    return quarter_of(timezone.localdate(now or timezone.now()))


def quarter_months(quarter: str) -> list[date]:
    """"2026-Q2" → [2026-04-01, 2026-05-01, 2026-06-01]."""
    year, q = int(quarter[:4]), int(quarter[-1])
    return [date(year, 3 * (q - 1) + m, 1) for m in (1, 2, 3)]


@dataclass(frozen=True)
class NpsSummary:
    answers: int
    promoters: int
    passives: int
    detractors: int
    nps: Decimal | None  # points, −100..100, to two decimals
    mean: Decimal | None  # 0–10, to two decimals


def is_detractor(score: int) -> bool:
    return score <= 6


def nps_summary(scores: Iterable[int]) -> NpsSummary:
    """NPS = % promoters (9–10) − % detractors (0–6), in points; the mean score. Both exact, rounded half-even to
    two decimals at the end."""
    values = list(scores)
    promoters = sum(1 for s in values if s >= 9)
    detractors = sum(1 for s in values if is_detractor(s))
    if not values:
        return NpsSummary(0, 0, 0, 0, None, None)
    n = Decimal(len(values))
    nps = (Decimal(100) * (promoters - detractors) / n).quantize(CENT, ROUND_HALF_EVEN)
    mean = (Decimal(sum(values)) / n).quantize(CENT, ROUND_HALF_EVEN)
    return NpsSummary(len(values), promoters, len(values) - promoters - detractors, detractors, nps, mean)


def to_satisfaction(mean_score: Decimal) -> Decimal:
    """A 0–10 survey score on the scorecard's 1–5 satisfaction scale: 1 + score × 0.4 (0 → 1, 10 → 5), linear so
    that the order and the distances of answers are kept; two decimals, half-even."""
    return (Decimal(1) + mean_score * Decimal("0.4")).quantize(CENT, ROUND_HALF_EVEN)


def due_after(moment: datetime, hours: int) -> datetime:
    """`moment` plus `hours` clock hours (SLA hours run round the clock)."""
    return moment + timedelta(hours=hours)


def next_meeting_due(last_held: date | None, interval_days: int, *, since: date) -> date:
    """When the next meeting of a kind is due: `interval_days` after the last one held, or, never held, `interval_days`
    after `since` (the partner joined the program or the cadence began)."""
    return (last_held or since) + timedelta(days=interval_days)
