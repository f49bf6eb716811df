"""common.bulk writes on SQLite what the ORM would: its direct conversions of datetimes, dates, decimals and UUIDs
agree with each field's own `get_db_prep_save` for any value, whichever path a value takes."""

from __future__ import annotations

import uuid
import warnings
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from parceria.commissions.models import LedgerLine
from parceria.common.bulk import _converter
from parceria.webhooks.models import OutboxEvent

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the conversions are SQLite's")

ZONES = st.sampled_from([UTC, ZoneInfo("America/Sao_Paulo"), ZoneInfo("America/Mexico_City"),
                         timezone(timedelta(hours=5, minutes=45)), ZoneInfo("Pacific/Chatham")])
DATETIMES = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2999, 12, 30))


def _same(field, value) -> None:
    expected = field.get_db_prep_save(value, connection)
    got = _converter(field)(value)
    assert (got, type(got)) == (expected, type(expected))


@given(DATETIMES, ZONES)
def test_an_aware_datetime_is_written_as_the_orm_writes_it(moment, zone):
    _same(LedgerLine._meta.get_field("occurred_at"), moment.replace(tzinfo=zone))


@given(st.one_of(st.none(), DATETIMES))
def test_a_naive_datetime_or_none_takes_the_fields_own_path(moment):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a naive datetime: the field warns, both ways
        _same(LedgerLine._meta.get_field("occurred_at"), moment)


@given(st.one_of(st.none(), st.dates(), DATETIMES.map(lambda d: d.replace(tzinfo=UTC))))
def test_a_date_is_written_as_the_orm_writes_it(day):
    _same(LedgerLine._meta.get_field("period"), day)


@given(st.one_of(st.none(), st.decimals(allow_nan=False, allow_infinity=False, places=4,
                                        min_value=Decimal("-1e12"), max_value=Decimal("1e12")),
                 st.integers(-10**12, 10**12), st.decimals(allow_nan=False, allow_infinity=False)))
def test_a_decimal_is_written_as_the_orm_writes_it(amount):
    _same(LedgerLine._meta.get_field("amount"), amount)


@given(st.one_of(st.none(), st.uuids(), st.uuids().map(str)))
def test_a_uuid_is_written_as_the_orm_writes_it(value):
    _same(OutboxEvent._meta.get_field("event_id"), value)


def test_a_value_the_field_refuses_is_refused_the_same_way():
    from django.core.exceptions import ValidationError

    for field, value in ((LedgerLine._meta.get_field("amount"), Decimal("NaN")),
                         (OutboxEvent._meta.get_field("event_id"), "not a uuid")):
        with pytest.raises(ValidationError):
            field.get_db_prep_save(value, connection)
        with pytest.raises(ValidationError):
            _converter(field)(value)
    assert _converter(LedgerLine._meta.get_field("period"))(date(2026, 3, 1)) == "2026-03-01"
    assert _converter(LedgerLine._meta.get_field("occurred_at"))(
        datetime(2026, 3, 1, 9, 30, tzinfo=ZoneInfo("America/Sao_Paulo"))) == "2026-03-01 12:30:00"
    assert _converter(OutboxEvent._meta.get_field("event_id"))(uuid.UUID(int=1)) == "0" * 31 + "1"
