"""Fixtures of the console tests: more signed-in staff (see tests/conftest.py) and a closed March."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
from django.test import Client

from parceria.common.audit import Actor
from parceria.payouts.close import period_close
from parceria.payouts.models import PayoutBatch
from tests.factories import SP, staff_client

MARCH = date(2026, 3, 1)
NOW = datetime(2026, 4, 6, 10, tzinfo=SP)


@pytest.fixture
def make_staff(db) -> Callable[[str, str], Client]:
    return staff_client


@pytest.fixture
def finance2(db) -> Client:
    return staff_client("fin2", "finance")


def close_march() -> PayoutBatch:
    period_close(month=MARCH, actor=Actor.system("tests"), now=NOW)
    return PayoutBatch.objects.get(period=MARCH)
