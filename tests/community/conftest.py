from __future__ import annotations

from typing import Any

from django.test import Client

from parceria.accounts.services import user_create
from parceria.common.audit import Actor
from tests.factories import PASSWORD

ACTOR = Actor.system("tests")


def partner_user(partner: Any, name: str, role: str = "partner_member") -> Any:
    return user_create(username=f"{name}@example.com", email=f"{name}@example.com", password=PASSWORD, role=role,
                       partner=partner, actor=ACTOR)


def portal_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client
