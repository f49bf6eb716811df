"""Fixtures of the pipeline tests: signed-in staff (second factor passed) and a few candidates."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.console.conftest import staff_client


@pytest.fixture
def manager(db) -> Client:
    return staff_client("pm", "partner_manager")


@pytest.fixture
def analyst(db) -> Client:
    return staff_client("ana", "analyst")


@pytest.fixture
def finance(db) -> Client:
    return staff_client("fin", "finance")
