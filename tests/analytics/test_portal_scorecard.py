"""The partner's own scorecard in the portal (/portal/program/): its figures and its percentiles among its peers,
never another partner's name, figures or the peers' values."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from parceria.accounts.services import user_create
from parceria.analytics.inputs import figure_record
from parceria.common.audit import Actor
from tests.factories import ACTOR, ingest, make_customer, make_partner, paid

pytestmark = pytest.mark.django_db

URL = "/portal/program/"


def portal_client(partner) -> Client:
    user = user_create(username=f"user-{partner.pk}@example.com", email=f"user-{partner.pk}@example.com",
                       password="a long portal password 1", role="partner_admin", partner=partner, actor=ACTOR)
    client = Client()
    client.force_login(user)
    return client


def _pay(partner, amount: str) -> None:
    ingest(paid(make_customer(partner), amount, at="2026-03-10T10:00:00-03:00"))


@pytest.fixture
def three_peers():
    own = make_partner(name="Agência Sol", tier="certified")
    rivals = [make_partner(name="Bravo Sistemas", tier="certified"),
              make_partner(name="Cajuína Digital", tier="certified")]
    _pay(own, "1234.56")
    _pay(rivals[0], "9876.54")
    _pay(rivals[0], "4321.09")
    _pay(rivals[1], "777.77")
    figure_record(key="mdf_spent", month=date(2026, 3, 1), value=Decimal("4545.45"), currency="BRL",
                  partner=rivals[0], actor=Actor(label="tests"))
    figure_record(key="partner_satisfaction", month=date(2026, 3, 1), value=Decimal("3"), partner=rivals[1],
                  actor=Actor(label="tests"))
    return own, rivals


def test_the_url_is_the_program_page():
    assert reverse("analytics_portal:scorecard") == URL


def test_the_partner_sees_its_own_figures_and_percentiles(three_peers):
    own, _rivals = three_peers
    html = portal_client(own).get(URL, {"period": "2026-03"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "R$ 1,234.56" in html  # its own revenue
    revenue_row = re.search(r'id="metric-revenue">(.*?)</tr>', html, re.S)
    assert revenue_row is not None and "50.0" in revenue_row.group(1)  # (1 + 1/2) / 3: in the middle
    assert "compared with 2 other partners" in html


def test_the_page_reveals_nothing_of_other_partners(three_peers):
    own, rivals = three_peers
    client = portal_client(own)
    for language in ("en", "pt-br"):
        html = client.get(URL, {"period": "2026-03"}, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        for rival in rivals:
            assert rival.name not in html
        for figure in ("9876", "9.876", "9,876", "4321", "4.321", "4,321", "14197", "14.197", "14,197",
                       "777,77", "777.77", "4545", "4.545", "4,545", "3.00", "3,00"):
            assert figure not in html, figure
    export = client.get(URL, {"period": "2026-03", "export": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    text = export.content.decode("utf-8-sig")
    assert "1234.56" in text and not any(r.name in text for r in rivals) and "9876" not in text


def test_a_bad_period_is_a_clear_error(three_peers):
    own, _ = three_peers
    answer = portal_client(own).get(URL, {"period": "2026-Q5"}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 422 and "quarter" in answer.content.decode()


def test_staff_cannot_open_the_portal_page():
    from tests.factories import staff_client

    assert staff_client("staff-portal", "analyst").get(URL).status_code in (302, 403)
