"""The deal registration lists (portal, console, review queue, API) make the same number of queries with 3 rows as
with 12 (DESIGN rule 10)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from parceria.deals.services import deal_register
from tests.conftest import ApiClient
from tests.deals.test_pages import partner_client
from tests.deals.test_services import fields
from tests.factories import ACTOR, make_key, make_partner, staff_client

pytestmark = pytest.mark.django_db


def grow(partner, start: int, stop: int) -> None:
    """Registrations start..stop-1 of `partner` (approved) and of a new partner each (one in review)."""
    for n in range(start, stop):
        deal_register(partner=partner, actor=ACTOR, fields=fields(company_name=f"Empresa {n} Ltda", tax_id="",
                                                                  domain=f"empresa{n}.com.br"))
        deal_register(partner=make_partner(name=f"Outro {n}"), actor=ACTOR, fields=fields(
            company_name=f"Empresa {n} S.A.", tax_id="", domain=f"outra{n}.com.br"))


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_the_lists_make_the_same_number_of_queries_for_more_rows():
    partner = make_partner(name="Alfa")
    portal: Client = partner_client(partner, "alfa@x")
    console = staff_client("pm@x", "partner_manager")
    api = ApiClient(make_key("partner", partner))
    pages = [(portal, "/portal/deals/"), (console, "/console/deal-registrations/"),
             (console, "/console/deal-registrations/review/")]
    api.get("/deal-registrations")  # the key's first use records itself once
    grow(partner, 0, 3)
    few = [count(c, u) for c, u in pages] + [count(api, "/deal-registrations")]
    grow(partner, 3, 12)
    many = [count(c, u) for c, u in pages] + [count(api, "/deal-registrations")]

    assert many == few
    assert api.get("/deal-registrations").json()["count"] == 12
