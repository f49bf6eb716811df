"""The console's forecasts page (/console/program/forecasts/): for partner-channel ARR and the commission liability,
a chart of the history, the six-month forecast and its 80 % band (inline SVG drawn here, no script), the back-test
table (each candidate's MAPE beside the naive forecast's) and the forecast and history tables, each as CSV or Excel
(`?series=partner_arr&table=forecast&export=csv`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parceria.analytics.forecasts import COVERAGE, MODEL_LABELS, Forecast, program_forecasts
from parceria.common.formatting import format_money
from parceria.web.access import console_view
from parceria.web.pages import page
from parceria.web.tables import export_response, wants_export

TABLES = ("forecast", "backtest", "history")

# The chart's box in SVG units (it scales to its container's width).
WIDTH, HEIGHT = 560, 250
LEFT, RIGHT, TOP, BOTTOM = 112, 30, 12, 38


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Chart:
    """What the template draws: polylines' and the band's points, the axes' ticks, the plot's box."""

    history: str
    forecast: str
    band: str
    split: float | None  # x of the last history month (where the forecast starts)
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM


def _nice_step(span: float, ticks: int = 4) -> float:
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def chart_of(series: Forecast) -> Chart | None:
    """The chart of `series` (None without a history)."""
    if not series.history:
        return None
    language = get_language() or "en"
    months = [h.month for h in series.history] + [p.month for p in series.forecast]
    values = [float(h.value) for h in series.history] + [float(v) for p in series.forecast
                                                          for v in (p.low, p.high, p.value)]
    low, high = min(0.0, *values), max(values)
    if high <= low:
        high = low + 1
    step = _nice_step(high - low)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    plot_w, plot_h = WIDTH - RIGHT - LEFT, HEIGHT - BOTTOM - TOP
    count = len(months)

    def x(i: int) -> float:
        return round(LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2), 1)

    def y(v: float | Decimal) -> float:
        return round(TOP + plot_h * (high - float(v)) / (high - low), 1)

    n = len(series.history)
    history = " ".join(f"{x(i)},{y(h.value)}" for i, h in enumerate(series.history))
    forecast = band = ""
    if series.forecast:
        last = series.history[-1].value
        forecast = " ".join([f"{x(n - 1)},{y(last)}"] + [f"{x(n + i)},{y(p.value)}" for i, p in
                                                          enumerate(series.forecast)])
        upper = [f"{x(n - 1)},{y(last)}"] + [f"{x(n + i)},{y(p.high)}" for i, p in enumerate(series.forecast)]
        lower = [f"{x(n + i)},{y(p.low)}" for i, p in reversed(list(enumerate(series.forecast)))]
        band = " ".join(upper + lower)
    y_ticks = []
    value = low
    while value <= high + step / 2:
        y_ticks.append(Tick(y(value), format_money(Decimal(repr(value)), series.unit, language=language, places=0)))
        value += step
    every = max(1, math.ceil(count / 6))
    x_ticks = tuple(Tick(x(i), date_format(m, "M/y")) for i, m in enumerate(months)
                    if (count - 1 - i) % every == 0)
    return Chart(history, forecast, band, x(n - 1) if series.forecast else None, tuple(y_ticks), x_ticks)


def _rate(percent: Decimal | None) -> Decimal | None:
    """A percentage as the rate the `percent` tag takes."""
    return None if percent is None else percent / 100


def _month(value: Any) -> str:
    return f"{value:%Y-%m}"


def _header(table: str) -> list[str]:
    if table == "forecast":
        return [_("Month"), _("Forecast (R$)"), _("Low, 80% (R$)"), _("High, 80% (R$)")]
    if table == "backtest":
        return [_("Model"), _("MAPE (%)"), _("Naive forecast's MAPE (%)"), _("Beats the naive forecast"),
                _("Chosen")]
    return [_("Month"), _("Value (R$)")]


def _rows(series: Forecast, table: str) -> list[list[Any]]:
    if table == "forecast":
        return [[_month(p.month), p.value, p.low, p.high] for p in series.forecast]
    if table == "backtest":
        test = series.backtest
        if test is None:
            return []
        return [[str(MODEL_LABELS[c.model]), c.mape, test.naive_mape,
                 c.mape is not None and test.naive_mape is not None and c.mape < test.naive_mape,
                 c.model == series.model] for c in test.candidates] + [
            [str(MODEL_LABELS["naive"]), test.naive_mape, test.naive_mape, False, series.model == "naive"]]
    return [[_month(h.month), h.value] for h in series.history]


@console_view()
def forecasts(request: HttpRequest) -> HttpResponse:
    """Partner-channel ARR and commission liability: history, forecast with its band, back-test (module docstring)."""
    all_series = program_forecasts()
    if wants_export(request):
        key, table = request.GET.get("series", "partner_arr"), request.GET.get("table", "forecast")
        chosen = next((s for s in all_series if s.key == key), all_series[0])
        table = table if table in TABLES else "forecast"
        return export_response(request, f"forecast-{chosen.key.replace('_', '-')}-{table}", _header(table),
                               _rows(chosen, table))
    query = request.GET.copy()
    query.pop("export", None)
    shown = []
    for series in all_series:
        exports = {}
        for table in TABLES:
            query["series"], query["table"] = series.key, table
            exports[table] = {fmt: "?" + query.urlencode() + f"&export={fmt}" for fmt in ("csv", "xlsx")}
        shown.append({"series": series, "chart": chart_of(series), "exports": exports,
                      "backtest_rows": [{"label": r[0], "mape": _rate(r[1]), "beats": r[3], "chosen": r[4]}
                                        for r in _rows(series, "backtest")],
                      "naive_mape": _rate(series.backtest.naive_mape) if series.backtest else None})
    return page(request, "analytics/console/forecasts.html",
                {"shown": shown, "coverage": COVERAGE}, nav="forecasts")
