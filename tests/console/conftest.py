"""Signed-in staff clients for the console tests: each has passed the second factor (a confirmed TOTP device)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import user_create
from parceria.common.audit import Actor
from parceria.payouts.close import period_close
from parceria.payouts.models import PayoutBatch
from tests.factories import ACTOR

PASSWORD = "correct horse battery staple 7"
MARCH = date(2026, 3, 1)
SP = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 4, 6, 10, tzinfo=SP)


def staff_client(username: str, role: str) -> Client:
    user = user_create(username=username, password=PASSWORD, role=role, email=f"{username}@example.com", actor=ACTOR)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.user = user  # type: ignore[attr-defined]
    return client


@pytest.fixture
def make_staff(db) -> Callable[[str, str], Client]:
    return staff_client


@pytest.fixture
def finance(db) -> Client:
    return staff_client("fin", "finance")


@pytest.fixture
def finance2(db) -> Client:
    return staff_client("fin2", "finance")


@pytest.fixture
def manager(db) -> Client:
    return staff_client("pm", "partner_manager")


@pytest.fixture
def analyst(db) -> Client:
    return staff_client("ana", "analyst")


def close_march() -> PayoutBatch:
    period_close(month=MARCH, actor=Actor.system("tests"), now=NOW)
    return PayoutBatch.objects.get(period=MARCH)
