"""Enablement test helpers: partner users, a pilot customer, finishing a course module by module."""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Any

import pytest

from parceria.accounts.services import user_create
from parceria.enablement import services
from parceria.enablement.models import Course, Module
from parceria.partners.models import Partner
from tests.factories import ACTOR, ingest, make_customer, make_partner, paid

PASSWORD = "enablement password 4 tests"


def load_programme() -> None:
    """The migration's idempotent loader (a transactional test starts from an emptied database)."""
    from django.apps import apps

    importlib.import_module("parceria.enablement.migrations.0002_programme").load(apps, None)


def partner_user(partner: Partner, name: str, role: str = "partner_member") -> Any:
    return user_create(username=name, email=f"{name}@example.com", password=PASSWORD, role=role, partner=partner,
                       actor=ACTOR)


def complete_course(user: Any, code: str, now: datetime) -> None:
    for module in Module.objects.filter(course__code=code).select_related("course").order_by("position"):
        services.module_complete(user=user, module=module, actor=ACTOR, now=now)


def close_pilot(partner: Partner, when: str = "2026-02-10T10:00:00-03:00") -> None:
    customer = make_customer(partner)
    ingest(paid(customer, "990.00", at=when, period=("2026-02-01", "2026-02-28")))


@pytest.fixture
def partner(db) -> Partner:
    load_programme()
    return make_partner(name="Alfa Consultoria")


@pytest.fixture
def member(partner):
    return partner_user(partner, "ana@alfa")


@pytest.fixture
def course_codes(db) -> list[str]:
    load_programme()
    return list(Course.objects.values_list("code", flat=True))
