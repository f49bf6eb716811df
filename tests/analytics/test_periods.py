"""Periods: the parser of months and quarters, and their arithmetic."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parceria.analytics.periods import Period, month_period, parse_period, quarter_period
from parceria.common.errors import InvalidInput


def test_a_month_and_a_quarter_are_parsed_to_their_months():
    march = parse_period("2026-03")
    q1 = parse_period("2026-q1")
    assert (march.first_day, march.last_day, march.key) == (date(2026, 3, 1), date(2026, 3, 31), "2026-03")
    assert (q1.first_day, q1.last_day, q1.key) == (date(2026, 1, 1), date(2026, 3, 31), "2026-Q1")
    assert q1.month_list() == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]


def test_previous_periods_end_with_this_one_oldest_first():
    assert [p.key for p in parse_period("2026-02").previous(3)] == ["2025-12", "2026-01", "2026-02"]
    assert [p.key for p in parse_period("2026-Q1").previous(3)] == ["2025-Q3", "2025-Q4", "2026-Q1"]
    assert quarter_period(date(2026, 8, 17)) == Period(date(2026, 7, 1), "quarter")
    assert month_period(date(2026, 8, 17)).key == "2026-08"


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "2026-Q0", "0000-01", "26-03", "", None, 202603, "2026-3"])
def test_anything_else_is_an_invalid_period_naming_the_field(text):
    with pytest.raises(InvalidInput) as caught:
        parse_period(text, field="month")
    assert caught.value.code == "invalid_period" and caught.value.details == {"field": "month"}


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)), st.sampled_from(["month", "quarter"]))
def test_the_key_parses_back_to_the_same_period(day, kind):
    period = month_period(day) if kind == "month" else quarter_period(day)
    assert parse_period(period.key) == period and period.contains(day)
