"""Months: the one `YYYY-MM` parser and the one month arithmetic (parceria.common.months)."""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parceria.common.errors import InvalidInput
from parceria.common.months import add_months, month_end, month_start, next_month, parse_month

DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(9000, 12, 31))


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=1, max_value=12))
def test_every_month_written_yyyy_mm_reads_back(year, month):
    assert parse_month(f"{year:04d}-{month:02d}") == date(year, month, 1)


@pytest.mark.parametrize("text", ["2026-3", "2026-13", "2026-00", "0000-01", "2026-03-01", " 2026-03", "março", "",
                                  "２０２６-03", "99999999999999999999-01"])
def test_anything_else_is_a_422_naming_the_field(text):
    with pytest.raises(InvalidInput, match="from must be YYYY-MM") as caught:
        parse_month(text, field="from")
    assert (caught.value.code, caught.value.details) == ("invalid_period", {"field": "from"})


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # the onboarding schedule's rule: the month's last day
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 3, 1), -3, date(2025, 12, 1)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ],
)
def test_a_day_the_target_month_lacks_becomes_its_last_day_by_default(start, months, expected):
    assert add_months(start, months=months) == expected


@given(DAYS, st.integers(min_value=-120, max_value=120))
def test_add_months_lands_in_the_right_month_on_the_same_day_or_the_rule_s_day(day, months):
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    clamped = add_months(day, months=months)
    assert (clamped.year, clamped.month) == (year, month + 1)
    assert clamped.day == min(day.day, calendar.monthrange(year, month + 1)[1])
    if months >= 0:
        term = add_months(day, months=months, overflow="first_of_next_month")
        assert term == (clamped if clamped.day == day.day else next_month(clamped))


@given(DAYS)
def test_month_start_end_and_next(day):
    assert month_start(day) <= day <= month_end(day)
    assert month_end(day).day == calendar.monthrange(day.year, day.month)[1]
    assert next_month(day) == add_months(month_start(day), months=1)
