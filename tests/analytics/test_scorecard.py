"""The program scorecard (analytics.scorecard) and its API: every KPI with value, target, met and a 12-period
trend, computed from facts loaded once (the number of queries does not grow with partners or periods)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parceria.analytics.kpis import KPIS
from parceria.analytics.periods import parse_period
from parceria.analytics.rollup import ensure
from parceria.analytics.scorecard import program_scorecard
from tests.conftest import ApiClient
from tests.factories import ingest, make_customer, make_key, make_partner, paid

pytestmark = pytest.mark.django_db


def _march_and_april(partners: int = 2) -> None:
    events = []
    for _n in range(partners):
        p = make_partner()
        c = make_customer(p)
        events += [paid(c, "100.00", at="2026-03-05T10:00:00-03:00"), paid(c, "150.00", at="2026-04-05T10:00:00-03:00")]
    events.append(paid(make_customer(None), "80.00", at="2026-04-07T10:00:00-03:00"))
    ingest(*events)


def test_the_scorecard_has_every_kpi_with_its_trend():
    _march_and_april()
    card = program_scorecard(parse_period("2026-04"))

    assert [line.kpi.key for line in card.lines] == list(KPIS)
    by_key = {line.kpi.key: line for line in card.lines}
    growth = by_key["revenue_growth"]
    assert (str(growth.value), growth.met) == ("50.00", True)  # 300 ÷ 200 − 1
    assert [p.key for p, _v in growth.trend][-3:] == ["2026-02", "2026-03", "2026-04"]
    assert len(growth.trend) == 12 and growth.trend[0][0].key == "2025-05"
    assert [str(v) if v is not None else None for _p, v in growth.trend][-2:] == [None, "50.00"]
    arr = by_key["partner_arr"]
    assert (str(arr.value), arr.met) == ("3600.00", False)  # 12 × 300 of R$ 2M
    nps = by_key["partner_nps"]
    assert (nps.value, nps.met, nps.reading.missing) == (None, None, ("partner_satisfaction",))
    share = by_key["new_customer_share"]
    assert [str(v) for p, v in share.trend if v is not None] == ["100.00", "0.00"]  # March: 2 of 2; April: 0 of 1


def test_quarters_trend_over_twelve_quarters():
    _march_and_april()
    card = program_scorecard(parse_period("2026-Q2"))
    growth = next(line for line in card.lines if line.kpi.key == "revenue_growth")
    assert growth.trend[0][0].key == "2023-Q3" and growth.trend[-1][0].key == "2026-Q2"
    assert str(growth.value) == "50.00"  # Q2 300 ÷ Q1 200


def test_queries_do_not_grow_with_partners():
    _march_and_april(1)
    ensure()  # the monthly roll-up brought up to date first: its build is not the scorecard's work
    with CaptureQueriesContext(connection) as few:
        program_scorecard(parse_period("2026-04"))
    _march_and_april(6)
    ensure()
    with CaptureQueriesContext(connection) as many:
        program_scorecard(parse_period("2026-04"))
    assert len(many) == len(few) and len(few) < 40


def test_the_api_answers_the_scorecard_for_staff_and_403_for_a_partner_key():
    _march_and_april()
    response = ApiClient(make_key("analytics")).get("/analytics/scorecard", period="2026-04")
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == "2026-04"
    growth = next(k for k in body["kpis"] if k["key"] == "revenue_growth")
    assert (growth["value"], growth["target"], growth["unit"], growth["met"]) == ("50.00", "25", "percent", True)
    assert len(growth["trend"]) == 12 and growth["trend"][-1] == {"period": "2026-04", "value": "50.00"}
    assert growth["definition"]

    partner = ApiClient(make_key("partner", make_partner())).get("/analytics/scorecard", period="2026-04")
    assert partner.status_code == 403 and partner.json()["error"]["code"] == "forbidden_scope"


@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "March", "2026-4", "9999-12", "0001-Q1", "1899-12"])
def test_a_bad_period_is_a_422(period):
    response = ApiClient(make_key("analytics")).get("/analytics/scorecard", period=period)
    assert response.status_code == 422
    assert response.json()["error"]["details"]


def test_the_default_period_is_this_month():
    body = ApiClient(make_key("admin")).get("/analytics/scorecard").json()
    assert body["period"] == f"{date.today():%Y-%m}"


@pytest.mark.parametrize("period", ["1900-01", "1900-Q1", "9998-12", "9998-Q4"])
def test_the_first_and_last_years_a_period_takes_compute_without_error(period):
    card = program_scorecard(parse_period(period))
    assert card.period.key == period and len(card.lines) == len(KPIS)
