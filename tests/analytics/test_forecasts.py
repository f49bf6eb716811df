"""Forecasts (analytics.forecasts): the two monthly series to the cent, the back-test against the naive forecast,
the intervals, a short history, and the API route's shape and scope."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from parceria.analytics.forecasts import (
    HORIZON,
    MIN_HISTORY,
    MonthValue,
    commission_liability_history,
    forecast_series,
    partner_arr_history,
    program_forecasts,
)
from parceria.commissions.engine import Posting
from parceria.commissions.ledger import ledger_post
from parceria.common.audit import Actor
from parceria.common.models import FxRate
from parceria.common.months import add_months
from parceria.payouts.services import payout_mark
from tests.factories import at, credit, ingest, make_customer, make_partner, make_payout, paid

MARCH, APRIL, MAY = date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)
ACTOR = Actor(label="tests")


def _history(values: list[float | str], start: date = date(2024, 1, 1)) -> list[MonthValue]:
    return [MonthValue(add_months(start, months=i), Decimal(str(v))) for i, v in enumerate(values)]


# --- the series ------------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_partner_arr_history_is_twelve_times_partner_revenue_per_month():
    p, q = make_partner(), make_partner()
    a, b, d = make_customer(p), make_customer(q), make_customer(None)
    ingest(paid(a, "100.00", invoice_id="a1", at="2026-03-05T10:00:00-03:00"),
           paid(b, "33.33", invoice_id="b1", at="2026-03-31T22:00:00-03:00"),  # local March
           paid(d, "999.00", at="2026-03-10T10:00:00-03:00"),  # direct: not the partner channel
           paid(a, "200.00", invoice_id="a2", at="2026-05-05T10:00:00-03:00"))

    history, unconverted = partner_arr_history(MARCH, MAY)

    assert history == [MonthValue(MARCH, Decimal("1599.96")),  # (100 + 33.33) × 12
                       MonthValue(APRIL, Decimal("0")),
                       MonthValue(MAY, Decimal("2400.00"))]
    assert unconverted == 0


@pytest.mark.django_db
def test_commission_liability_is_earned_less_paid_at_each_month_end_in_brl():
    p = make_partner()  # BRL
    u = make_partner(country="US")  # USD
    FxRate.objects.create(base="USD", quote="BRL", on_date=date(2026, 3, 31), rate=Decimal("5.0000"), source="t")
    FxRate.objects.create(base="USD", quote="BRL", on_date=date(2026, 4, 28), rate=Decimal("5.5000"), source="t")
    credit(p, "100.00", at="2026-03-15T12:00:00-03:00")
    credit(p, "50.00", at="2026-04-10T12:00:00-03:00")
    credit(p, "-20.00", at="2026-04-11T12:00:00-03:00", note="correction")
    credit(u, "10.00", at="2026-03-20T12:00:00-03:00")
    # the close's payout line moves the balance into a payout: not a change of what is owed
    ledger_post([(Posting(p.pk, "payout", "payout", Decimal("-80.00"), "BRL", None, None, "payout", "t-payout"),
                  {"occurred_at": at("2026-04-02T09:00:00-03:00"), "period": MARCH})], created_by="tests")
    settled = make_payout(p, MARCH, "80.00", payment_date=date(2026, 4, 2))
    make_payout(u, MARCH, "10.00", payment_date=date(2026, 4, 2), currency="USD")  # never marked: still owed
    with time_machine.travel(at("2026-04-30T23:30:00-03:00"), tick=False):  # local April, UTC May
        payout_mark(payout=settled, status="paid", source="tests", actor=ACTOR)

    history, unconverted = commission_liability_history(MARCH, MAY)

    assert history == [
        MonthValue(MARCH, Decimal("150.00")),  # 100 + 10 USD × 5.0000
        MonthValue(APRIL, Decimal("105.00")),  # 100 + 50 − 20 − 80 paid = 50; 10 USD × 5.5000 = 55
        MonthValue(MAY, Decimal("50.00")),  # the USD balance has no rate within 7 days of 31 May: left out
    ]
    assert unconverted == 1
    # a later first month starts from everything owed before it
    assert commission_liability_history(APRIL, APRIL)[0] == [MonthValue(APRIL, Decimal("105.00"))]


# --- the forecast ----------------------------------------------------------------------------------------------------

def test_a_linear_trend_is_forecast_close_to_its_continuation():
    values = [1000 + 250 * i + (5 if i % 2 else -5) for i in range(18)]

    result = forecast_series("partner_arr", "BRL", _history(values))

    assert result.model in ("holt", "holt_damped") and result.backtest is not None
    assert result.backtest.beats_naive and result.backtest.mape is not None
    assert result.backtest.mape < result.backtest.naive_mape  # type: ignore[operator]
    assert [p.month for p in result.forecast] == [date(2025, 7 + k, 1) for k in range(HORIZON)]
    for k, point in enumerate(result.forecast, start=18):
        assert abs(point.value - Decimal(1000 + 250 * k)) < Decimal("0.02") * (1000 + 250 * k)
        assert point.low <= point.value <= point.high
        assert point.value == point.value.quantize(Decimal("0.01"))
    assert "beats the naive forecast" in result.note


def test_on_a_random_walk_the_backtest_reports_both_mapes_and_says_whether_the_model_beats_naive():
    rng = random.Random(20260301)
    values = [5000.0]
    for _ in range(29):
        values.append(round(values[-1] + rng.gauss(0, 300), 2))

    result = forecast_series("commission_liability", "BRL", _history(values))

    test = result.backtest
    assert test is not None and test.mape is not None and test.naive_mape is not None
    assert test.origins == 6 and test.pairs == 21  # origins 24..29, horizons up to six months or the end
    assert {c.model for c in test.candidates} == {"holt", "holt_damped", "holt_winters"}  # 30 ≥ 27 months
    assert test.beats_naive == (test.mape < test.naive_mape)
    assert test.mape == min(c.mape for c in test.candidates if c.mape is not None)
    if test.beats_naive:
        assert result.model == test.model
    else:
        assert result.model == "naive" and "does not beat the naive forecast" in result.note
    assert len(result.forecast) == HORIZON
    assert all(p.low <= p.value <= p.high for p in result.forecast)
    assert all(p.high - p.low > 0 for p in result.forecast)


def test_when_the_model_does_not_beat_naive_the_naive_forecast_is_shown_and_said_plainly():
    # a step series: flat, then a jump to a new flat level that the trend models overshoot
    values = [100.0] * 8 + [200.0] * 8

    result = forecast_series("partner_arr", "BRL", _history(values))

    test = result.backtest
    assert test is not None and test.naive_mape is not None and test.mape is not None
    assert not test.beats_naive and test.mape >= test.naive_mape
    assert result.model == "naive"
    assert result.note.startswith("The model does not beat the naive forecast")
    assert [p.value for p in result.forecast] == [Decimal("200.00")] * HORIZON  # the last value
    # a random walk's interval widens with √h: σ² = mean squared change = 100² ÷ 15
    assert result.forecast[0].high - result.forecast[0].value == Decimal("33.09")  # 1.2816 × 25.82
    assert all(p.low <= p.value <= p.high for p in result.forecast)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.decimals(min_value=0, max_value=10_000_000, places=2), min_size=MIN_HISTORY, max_size=20))
def test_any_history_gets_six_months_in_cents_whose_interval_holds_the_forecast(values):
    result = forecast_series("partner_arr", "BRL", _history(values))

    assert len(result.forecast) == HORIZON and result.model is not None
    for point in result.forecast:
        assert Decimal(0) <= point.low <= point.value <= point.high
        assert all(v == v.quantize(Decimal("0.01")) for v in (point.value, point.low, point.high))
    test = result.backtest
    assert test is not None
    if test.mape is not None and test.naive_mape is not None:
        assert test.beats_naive == (test.mape < test.naive_mape)
        assert result.model == (test.model if test.beats_naive else "naive")
    else:
        assert result.model == "naive" and not test.beats_naive


def test_a_model_that_cannot_be_fitted_to_the_whole_history_gives_way_to_naive(monkeypatch):
    from parceria.analytics import forecasts

    values = [1000 + 250 * i for i in range(12)]
    real = forecasts._smoothing

    def failing_on_the_whole_history(kind):
        fit = real(kind)
        return lambda y, h: None if len(y) == len(values) else fit(y, h)

    monkeypatch.setattr(forecasts, "_smoothing", failing_on_the_whole_history)

    result = forecast_series("partner_arr", "BRL", _history(values))

    assert result.backtest is not None and result.backtest.beats_naive
    assert result.model == "naive" and [p.value for p in result.forecast] == [Decimal("3750.00")] * HORIZON
    assert "could not be fitted to the whole history" in result.note


def test_a_short_history_says_so_and_forecasts_nothing():
    result = forecast_series("partner_arr", "BRL", _history([10, 20, 30, 40, 50]))

    assert result.forecast == () and result.model is None and result.backtest is None
    assert result.note == f"Too short a history to forecast: 5 months with a value, at least {MIN_HISTORY} needed."


def test_forecasts_never_go_below_zero_when_the_history_never_did():
    values = [600, 500, 400, 300, 200, 100, 50, 20]

    result = forecast_series("partner_arr", "BRL", _history(values))

    assert all(p.low >= 0 and p.value >= 0 for p in result.forecast)


@pytest.mark.django_db
def test_program_forecasts_read_the_history_up_to_the_last_complete_month():
    p = make_partner()
    c = make_customer(p)
    ingest(paid(c, "100.00", invoice_id="x1", at="2026-02-10T10:00:00-03:00"),
           paid(c, "100.00", invoice_id="x2", at="2026-03-10T10:00:00-03:00"),
           paid(c, "500.00", invoice_id="x3", at="2026-05-02T10:00:00-03:00"))  # the current month: not read

    arr, liability = program_forecasts(today=date(2026, 5, 20))

    assert arr.key == "partner_arr" and liability.key == "commission_liability"
    assert [(h.month, h.value) for h in arr.history] == [
        (date(2026, 2, 1), Decimal("1200.00")), (MARCH, Decimal("1200.00")), (APRIL, Decimal("0"))]
    assert arr.forecast == () and "Too short a history" in arr.note


# --- the API ---------------------------------------------------------------------------------------------------------

@pytest.mark.django_db
@time_machine.travel(at("2026-09-15T12:00:00-03:00"), tick=False)
def test_the_api_answers_both_series_with_history_forecast_and_backtest(api_client_for):
    p = make_partner()
    c = make_customer(p)
    ingest(*(paid(c, f"{100 + 10 * k}.00", invoice_id=f"m{k}", at=f"2026-0{k}-10T10:00:00-03:00")
             for k in range(1, 9)))

    response = api_client_for("analytics").get("/analytics/forecasts")

    assert response.status_code == 200, response.content
    arr, liability = response.json()["series"]
    assert arr["key"] == "partner_arr" and arr["unit"] == "BRL"
    assert arr["history"][0] == {"month": "2026-01", "value": "1320.00"}  # 110 × 12
    assert arr["history"][-1] == {"month": "2026-08", "value": "2160.00"}  # 180 × 12
    assert [f["month"] for f in arr["forecast"]] == ["2026-09", "2026-10", "2026-11", "2026-12", "2027-01",
                                                     "2027-02"]
    assert all(Decimal(f["low"]) <= Decimal(f["value"]) <= Decimal(f["high"]) for f in arr["forecast"])
    test = arr["backtest"]
    assert set(test) == {"model", "mape", "naive_mape", "beats_naive", "origins", "pairs", "candidates"}
    assert test["beats_naive"] == (Decimal(test["mape"]) < Decimal(test["naive_mape"]))
    assert arr["model"] == (test["model"] if test["beats_naive"] else "naive")
    assert liability["key"] == "commission_liability" and isinstance(liability["note"], str)


@pytest.mark.django_db
@pytest.mark.parametrize(("scope", "status"), [("analytics", 200), ("admin", 200), ("finance", 200),
                                                ("platform", 403), ("partner", 403)])
def test_the_api_is_for_staff_and_analytics_keys(api_client_for, scope, status):
    partner = make_partner() if scope == "partner" else None

    response = api_client_for(scope, partner).get("/analytics/forecasts")

    assert response.status_code == status
    if status == 403:
        assert response.json()["error"]["code"] == "forbidden_scope"
        assert "series" not in response.json()


@pytest.mark.django_db
def test_the_api_without_a_key_is_401():
    from django.test import Client

    assert Client().get("/api/v1/analytics/forecasts").status_code == 401


# --- the console page ------------------------------------------------------------------------------------------------

def _eight_months_of_partner_revenue() -> None:
    c = make_customer(make_partner())
    ingest(*(paid(c, f"{100 + 10 * k}.00", invoice_id=f"m{k}", at=f"2026-0{k}-10T10:00:00-03:00")
             for k in range(1, 9)))


@pytest.mark.django_db
@time_machine.travel(at("2026-09-15T12:00:00-03:00"), tick=False)
def test_the_console_page_draws_both_charts_and_the_tables():
    from tests.factories import staff_client

    _eight_months_of_partner_revenue()

    response = staff_client("analyst1", "analyst").get("/console/program/forecasts/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="card chart-card forecast-chart"') == 2  # the ARR and the accrued commissions
    assert html.count('<polygon class="band"') == 2 and html.count('<polyline class="forecast"') == 2
    assert "Partner-channel ARR" in html and "Commission liability" in html
    assert "forecast-backtest" in html and "forecast-table" in html
    assert "?series=partner_arr&amp;table=forecast&amp;export=csv" in html


@pytest.mark.django_db
@time_machine.travel(at("2026-09-15T12:00:00-03:00"), tick=False)
def test_the_console_page_exports_each_table():
    from tests.factories import staff_client

    _eight_months_of_partner_revenue()
    client = staff_client("analyst2", "analyst")

    history = client.get("/console/program/forecasts/", {"series": "partner_arr", "table": "history",
                                                          "export": "csv"})
    forecast = client.get("/console/program/forecasts/", {"series": "partner_arr", "table": "forecast",
                                                           "export": "xlsx"})
    backtest = client.get("/console/program/forecasts/", {"series": "partner_arr", "table": "backtest",
                                                           "export": "csv"})

    assert history.status_code == forecast.status_code == backtest.status_code == 200
    lines = history.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Month,Value (R$)"
    assert lines[1:] == [f"2026-0{k},{(100 + 10 * k) * 12}.00" for k in range(1, 9)]
    assert forecast["Content-Disposition"].endswith('forecast-partner-arr-forecast.xlsx"')
    assert backtest.content.decode("utf-8-sig").splitlines()[0].startswith("Model,MAPE (%)")


@pytest.mark.django_db
def test_program_forecasts_read_at_most_the_last_36_months():
    c = make_customer(make_partner())
    ingest(paid(c, "100.00", invoice_id="old", at="2023-04-10T10:00:00-03:00"),  # 37 months before April 2026
           paid(c, "100.00", invoice_id="in", at="2023-05-10T10:00:00-03:00"),
           paid(c, "50.00", invoice_id="new", at="2026-04-10T10:00:00-03:00"))

    arr, _liability = program_forecasts(today=date(2026, 5, 20))

    assert len(arr.history) == 36
    assert (arr.history[0].month, arr.history[0].value) == (date(2023, 5, 1), Decimal("1200.00"))
    assert (arr.history[-1].month, arr.history[-1].value) == (APRIL, Decimal("600.00"))
