"""The lead lists (console, portal, API for staff and for a partner) make the same number of queries with 3 leads
as with 12 (DESIGN rule 10), and a lead's ranking page the same with 3 partners as with 12."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parceria.leads.services import lead_offer
from tests.conftest import ApiClient
from tests.factories import ACTOR, make_key, make_partner, staff_client
from tests.leads.helpers import make_lead
from tests.leads.test_pages import partner_client

pytestmark = pytest.mark.django_db


def grow(partner, start: int, stop: int) -> None:
    """Leads start..stop-1, each offered to `partner`, and as many never offered."""
    for n in range(start, stop):
        lead = make_lead(external_id=f"o{n}", company_name=f"Empresa {n}", tax_id="", domain=f"empresa{n}.com.br")
        lead_offer(lead=lead, partner=partner, actor=ACTOR)
        make_lead(external_id=f"n{n}", company_name=f"Nunca {n}", tax_id="", domain=f"nunca{n}.com.br")


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_the_lists_make_the_same_number_of_queries_for_more_rows():
    partner = make_partner(name="Alfa")
    portal = partner_client(partner, "alfa@x")
    console = staff_client("pm@x", "partner_manager")
    staff_api, partner_api = ApiClient(make_key("admin")), ApiClient(make_key("partner", partner))
    targets = [(portal, "/portal/leads/"), (console, "/console/leads/"), (staff_api, "/leads"),
               (partner_api, "/leads")]
    staff_api.get("/leads"), partner_api.get("/leads")  # a key's first use records itself once
    grow(partner, 0, 3)
    few = [count(c, u) for c, u in targets]
    grow(partner, 3, 12)
    many = [count(c, u) for c, u in targets]

    assert many == few
    assert (staff_api.get("/leads").json()["count"], partner_api.get("/leads").json()["count"]) == (24, 12)


def test_the_ranking_page_makes_the_same_number_of_queries_for_more_partners():
    console = staff_client("pm@x", "partner_manager")
    lead = make_lead()
    for n in range(3):
        make_partner(name=f"P{n}", tier="preferred", verticals=["retail"], territories=["SP"])
    few = count(console, f"/console/leads/{lead.pk}/")
    for n in range(3, 12):
        make_partner(name=f"P{n}", tier="certified", verticals=["retail"], territories=["RJ"])
    many = count(console, f"/console/leads/{lead.pk}/")

    assert many == few
