"""The agreements list pages of the console and the portal make the same number of queries with 3 agreements as
with 30 (DESIGN rule 10)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from parceria.accounts.services import user_create
from parceria.agreements.services import exclusivity_grant
from tests.agreements.helpers import make_agreement
from tests.factories import ACTOR, PASSWORD, make_partner, staff_client

pytestmark = pytest.mark.django_db
TYPES = ["channel_partner", "letter_of_intent", "joint_business_plan", "dpa", "technology_integration"]


def grow(partner, start: int, stop: int) -> None:
    """Agreements start..stop-1 of `partner` and of another partner each, of every type, with a term."""
    for n in range(start, stop):
        for owner in (partner, make_partner(name=f"Outro {n}")):
            agreement = make_agreement(
                owner, TYPES[n % len(TYPES)], start_date=date(2025, 1 + n % 12, 1 + n % 28), title=f"Contrato {n}"
            )
            exclusivity_grant(agreement=agreement, kind="territory_exclusivity", value=f"Região {n}", actor=ACTOR)


def rows(portal: Client) -> int:
    """The agreements the portal lists (links to their pages)."""
    return len(set(re.findall(r'href="/portal/agreements/(\d+)/"', portal.get("/portal/agreements/").content.decode())))


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_console_and_portal_agreement_lists_run_a_constant_number_of_queries():
    partner = make_partner(name="Agência Constante")
    console = staff_client("pm", "partner_manager")
    portal_user = user_create(
        username="p@example.com",
        email="p@example.com",
        password=PASSWORD,
        role="partner_admin",
        partner=partner,
        actor=ACTOR,
    )
    portal = Client()
    portal.force_login(portal_user)
    console_pages = [
        "/console/agreements/",
        "/console/agreements/?sort=partner",
        f"/console/agreements/?partner={partner.pk}&status=active",
        "/console/agreements/upcoming/",
        "/console/agreements/upcoming/?days=3650",
    ]

    grow(partner, 0, 3)
    few = {url: count_queries(console, url) for url in console_pages}
    few["portal"] = count_queries(portal, "/portal/agreements/")
    assert rows(portal) == 3
    grow(partner, 3, 30)
    many = {url: count_queries(console, url) for url in console_pages}
    many["portal"] = count_queries(portal, "/portal/agreements/")
    assert rows(portal) == 30
    assert many == few
