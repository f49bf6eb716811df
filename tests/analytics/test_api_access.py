"""Who reads the program's analytics through the API (analytics.access): the analytics scope."""

from __future__ import annotations

import pytest

from tests.conftest import ApiClient
from tests.factories import make_key, make_partner

pytestmark = pytest.mark.django_db

ROUTES = ["/analytics/scorecard", "/analytics/phases", "/analytics/partners", "/analytics/concentration",
          "/analytics/forecasts", "/analytics/risks", "/analytics/case-studies",
          "/analytics/partners/{partner_id}/scorecard"]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(("scope", "status"), [("analytics", 200), ("finance", 200), ("admin", 200),
                                               ("platform", 403)])
def test_the_analytics_scope_reads_and_a_platform_key_does_not(route, scope, status):
    partner = make_partner()
    response = ApiClient(make_key(scope)).get(route.format(partner_id=partner.pk))

    assert response.status_code == status, response.content
    if status == 403:
        assert response.json()["error"]["code"] == "forbidden_scope"


@pytest.mark.parametrize("route", [r for r in ROUTES if "{partner_id}" not in r])
def test_a_partner_key_reads_none_of_the_programs_analytics(route):
    response = ApiClient(make_key("partner", make_partner())).get(route)

    assert (response.status_code, response.json()["error"]["code"]) == (403, "forbidden_scope")


def test_a_partner_key_reads_its_own_scorecard_only():
    own, other = make_partner(), make_partner()
    client = ApiClient(make_key("partner", own))

    assert client.get(f"/analytics/partners/{own.pk}/scorecard").status_code == 200
    assert client.get(f"/analytics/partners/{other.pk}/scorecard").status_code == 404
