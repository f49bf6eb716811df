"""Agreement date rules, pure (no ORM): term ends, renewals and notice deadlines.

A term of N months follows the Brazilian Civil Code (art. 132 §3): it expires on the day of the same number
N months after the start, or on the first day of the following month when that month has no such day
(2024-02-29 + 24 months → 2026-03-01; 2025-01-31 + 1 month → 2025-03-01). Every term of an auto-renewal
chain is counted from the original start, so short months never make the chain drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from parceria.common.months import add_months


def _term_end(start: date, months: int) -> date:
    """The day a term of `months` counted from `start` expires (the Civil Code's rule, see above)."""
    return add_months(start, months=months, overflow="first_of_next_month")


@dataclass(frozen=True)
class TermRule:
    """What the dates of an agreement depend on."""

    start: date
    initial_term_months: int | None = None  # None: open-ended (unless `end_date`)
    auto_renewal: bool = False
    renewal_term_months: int | None = None
    notice_days: int = 0
    end_date: date | None = None  # a fixed end instead of a term in months


def _months_to_end(rule: TermRule, terms_done: int) -> int:
    assert rule.initial_term_months is not None
    return rule.initial_term_months + terms_done * (rule.renewal_term_months or rule.initial_term_months)


def current_term_end(rule: TermRule, on: date) -> date | None:
    """The end of the term in force on `on` (the term ending on `on` itself is still current). Without
    auto-renewal this is the end of the initial term, even after it passed; None for an open-ended agreement."""
    if rule.end_date is not None:
        return rule.end_date
    if rule.initial_term_months is None:
        return None
    end = _term_end(rule.start, _months_to_end(rule, 0))
    if not rule.auto_renewal:
        return end
    renewals = 0
    while end < on:
        renewals += 1
        end = _term_end(rule.start, _months_to_end(rule, renewals))
    return end


def renewals_passed(rule: TermRule, *, after: date | None, on: date) -> list[date]:
    """The ends of the terms of an auto-renewal chain that are over on `on` (each renewed the agreement the next
    day), later than `after` (None: from the first). Empty for an agreement that does not renew by itself."""
    if not rule.auto_renewal or rule.end_date is not None or rule.initial_term_months is None:
        return []
    ends = []
    terms_done = 0
    end = _term_end(rule.start, _months_to_end(rule, terms_done))
    while end < on:
        if after is None or end > after:
            ends.append(end)
        terms_done += 1
        end = _term_end(rule.start, _months_to_end(rule, terms_done))
    return ends


def expired_after(rule: TermRule, on: date) -> date | None:
    """The last day in force of an agreement that does not renew by itself and whose term is over on `on`
    (its end is before `on`); None while it is in force, if it is open-ended, or if it renews."""
    if rule.auto_renewal and rule.end_date is None:
        return None
    end = current_term_end(rule, on)
    return end if end is not None and end < on else None


def next_renewal_date(rule: TermRule, on: date) -> date | None:
    """The day the agreement renews by itself (the end of the current term), or None if it does not renew."""
    if not rule.auto_renewal or rule.end_date is not None:
        return None
    return current_term_end(rule, on)


def notice_deadline(rule: TermRule, on: date) -> date | None:
    """The last day to give notice before the current term ends: term end − notice days."""
    end = current_term_end(rule, on)
    if end is None:
        return None
    return end - timedelta(days=rule.notice_days)


def within_lead(day: date | None, today: date, lead_days: int) -> bool:
    """True when `day` falls from today up to `lead_days` days ahead (both ends included)."""
    return day is not None and today <= day <= today + timedelta(days=lead_days)
