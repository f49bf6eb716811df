"""Agreement date rules: month ends, leap years, auto-renewal chains, notice deadlines (pure, no database)."""

from __future__ import annotations

from datetime import date

import pytest

from parceria.agreements.dates import (
    TermRule,
    current_term_end,
    next_renewal_date,
    notice_deadline,
    within_lead,
)
from parceria.common.months import add_months


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 2, 29), 24, date(2026, 3, 1)),  # no 29 Feb in 2026: the next day (Código Civil art. 132 §3)
        (date(2024, 2, 29), 48, date(2028, 2, 29)),  # leap year again: the same day
        (date(2024, 2, 29), 12, date(2025, 3, 1)),
        (date(2025, 1, 31), 1, date(2025, 3, 1)),  # no 31 Feb
        (date(2024, 1, 31), 1, date(2024, 3, 1)),  # leap February has 29 days, still no 31
        (date(2024, 1, 30), 1, date(2024, 3, 1)),
        (date(2023, 1, 29), 1, date(2023, 3, 1)),
        (date(2024, 1, 29), 1, date(2024, 2, 29)),
        (date(2025, 3, 31), 1, date(2025, 5, 1)),  # no 31 April
        (date(2025, 8, 31), 1, date(2025, 10, 1)),
        (date(2025, 12, 31), 2, date(2026, 3, 1)),  # 31 Feb 2026 → 1 March
        (date(2025, 11, 30), 3, date(2026, 3, 1)),  # 30 Feb 2026 → 1 March
        (date(2025, 12, 15), 1, date(2026, 1, 15)),  # across the year
        (date(2025, 6, 10), 0, date(2025, 6, 10)),
    ],
)
def test_add_months_on_month_ends_and_leap_years(start, months, expected):
    assert add_months(start, months=months, overflow="first_of_next_month") == expected


def test_add_months_refuses_negative_months():
    with pytest.raises(ValueError):
        add_months(date(2025, 1, 1), months=-1, overflow="first_of_next_month")


CPA = TermRule(start=date(2024, 2, 29), initial_term_months=24, auto_renewal=True, renewal_term_months=12,
               notice_days=90)


def test_channel_partner_agreement_from_a_leap_day():
    assert current_term_end(CPA, date(2024, 3, 1)) == date(2026, 3, 1)
    assert next_renewal_date(CPA, date(2024, 3, 1)) == date(2026, 3, 1)
    assert notice_deadline(CPA, date(2024, 3, 1)) == date(2025, 12, 1)  # 2026-03-01 − 90 days


def test_the_term_ending_today_is_still_current_and_the_next_day_moves_on():
    assert current_term_end(CPA, date(2026, 3, 1)) == date(2026, 3, 1)
    assert current_term_end(CPA, date(2026, 3, 2)) == date(2027, 3, 1)
    assert current_term_end(CPA, date(2027, 3, 2)) == date(2028, 2, 29)  # 48 months from the leap day
    assert notice_deadline(CPA, date(2027, 3, 2)) == date(2027, 12, 1)  # 2028-02-29 − 90 days (leap year)


def test_a_monthly_chain_from_31_january_never_drifts():
    rule = TermRule(start=date(2025, 1, 31), initial_term_months=1, auto_renewal=True, renewal_term_months=1)
    ends = []
    on = date(2025, 1, 31)
    for _ in range(6):
        end = current_term_end(rule, on)
        assert end is not None
        ends.append(end)
        on = date.fromordinal(end.toordinal() + 1)
    assert ends == [date(2025, 3, 1), date(2025, 3, 31), date(2025, 5, 1), date(2025, 5, 31), date(2025, 7, 1),
                    date(2025, 7, 31)]


def test_renewal_term_defaults_to_the_initial_term():
    rule = TermRule(start=date(2025, 1, 1), initial_term_months=6, auto_renewal=True)
    assert current_term_end(rule, date(2025, 7, 2)) == date(2026, 1, 1)


def test_without_auto_renewal_the_term_ends_once():
    rule = TermRule(start=date(2025, 1, 31), initial_term_months=1, notice_days=10)
    assert current_term_end(rule, date(2030, 1, 1)) == date(2025, 3, 1)
    assert next_renewal_date(rule, date(2025, 2, 1)) is None
    assert notice_deadline(rule, date(2025, 2, 1)) == date(2025, 2, 19)  # 1 March − 10 days (28-day February)


def test_open_ended_and_fixed_end_agreements():
    open_ended = TermRule(start=date(2025, 1, 1), notice_days=30)
    assert current_term_end(open_ended, date(2026, 1, 1)) is None
    assert notice_deadline(open_ended, date(2026, 1, 1)) is None
    fixed = TermRule(start=date(2025, 1, 1), end_date=date(2025, 12, 31), notice_days=30)
    assert current_term_end(fixed, date(2025, 6, 1)) == date(2025, 12, 31)
    assert next_renewal_date(fixed, date(2025, 6, 1)) is None
    assert notice_deadline(fixed, date(2025, 6, 1)) == date(2025, 12, 1)


def test_within_lead_includes_both_ends():
    today = date(2026, 1, 31)
    assert within_lead(date(2026, 3, 2), today, 30)  # exactly 30 days ahead
    assert not within_lead(date(2026, 3, 3), today, 30)  # one more
    assert within_lead(today, today, 30)
    assert not within_lead(date(2026, 1, 30), today, 30)  # yesterday
    assert not within_lead(None, today, 30)
