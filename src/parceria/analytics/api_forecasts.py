"""`GET /api/v1/analytics/forecasts`: partner-channel ARR and commission liability, their monthly history and the
next six months with 80 % intervals, and the back-test that chose the model (analytics.forecasts). Staff and
analytics keys; a partner key gets 403 (the program's figures are not one partner's). Money is text with two
places, in R$."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema

from parceria.analytics.access import analytics_reader
from parceria.analytics.api import router
from parceria.analytics.forecasts import Forecast, program_forecasts
from parceria.api.schemas import ERRORS


class ForecastHistoryOut(Schema):
    month: str = Field(description="YYYY-MM.")
    value: str = Field(description="R$, two places.")


class ForecastPointOut(Schema):
    month: str = Field(description="YYYY-MM.")
    value: str = Field(description="The point forecast, R$.")
    low: str = Field(description="The 80 % prediction interval's lower bound, R$.")
    high: str = Field(description="The 80 % prediction interval's upper bound, R$.")


class ForecastCandidateOut(Schema):
    model: str
    mape: str | None = Field(description="Back-test MAPE in percent; null when it could not be computed.")


class ForecastBacktestOut(Schema):
    model: str = Field(description="The candidate with the lowest back-test MAPE.")
    mape: str | None = Field(description="Its MAPE in percent (two places).")
    naive_mape: str | None = Field(description="The naive last-value forecast's MAPE on the same pairs.")
    beats_naive: bool
    origins: int = Field(description="Months used as forecast origins.")
    pairs: int = Field(description="(origin, horizon) pairs scored, one to six months ahead.")
    candidates: list[ForecastCandidateOut]


class ForecastSeriesOut(Schema):
    key: str = Field(description="partner_arr or commission_liability.")
    unit: str = Field(description="The currency of every value: BRL.")
    history: list[ForecastHistoryOut]
    forecast: list[ForecastPointOut] = Field(description="The next six months; empty when the history is too short.")
    model: str | None = Field(description="holt, holt_damped, holt_winters or naive; null without a forecast.")
    backtest: ForecastBacktestOut | None
    note: str = Field(description="What is shown and why, in the caller's language.")
    unconverted: int = Field(description="Amounts left out for want of an FX rate.")


class ForecastsOut(Schema):
    series: list[ForecastSeriesOut]


def require_program_reader(request: HttpRequest) -> None:
    """The program's analytics (analytics.access): a partner or platform credential gets 403."""
    analytics_reader(request)


def forecast_out(series: Forecast) -> dict[str, Any]:
    test = series.backtest
    return {
        "key": series.key, "unit": series.unit, "note": series.note, "model": series.model,
        "unconverted": series.unconverted,
        "history": [{"month": f"{h.month:%Y-%m}", "value": str(h.value)} for h in series.history],
        "forecast": [{"month": f"{p.month:%Y-%m}", "value": str(p.value), "low": str(p.low), "high": str(p.high)}
                     for p in series.forecast],
        "backtest": None if test is None else {
            "model": test.model, "mape": _text(test.mape), "naive_mape": _text(test.naive_mape),
            "beats_naive": test.beats_naive, "origins": test.origins, "pairs": test.pairs,
            "candidates": [{"model": c.model, "mape": _text(c.mape)} for c in test.candidates]},
    }


def _text(value: object) -> str | None:
    return None if value is None else str(value)


@router.get("/forecasts", response={200: ForecastsOut, **ERRORS},
            summary="Partner-channel ARR and commission liability: history, six-month forecast, back-test")
def forecasts(request: HttpRequest) -> Any:
    require_program_reader(request)
    return {"series": [forecast_out(s) for s in program_forecasts()]}
