"""Forecasts of the partner channel's ARR and of the commission liability for the next six months, with 80 %
prediction intervals, chosen by a back-test on the history. Read-only; nothing is cached or stored.

The two monthly series (docs/analytics.md, "Forecasts"):

* **partner-channel ARR** of a month: `facts.arr_by_month` summed over partners (12 × the month's net revenue of
  customers with a partner), in R$.
* **commission liability** at the end of a month: what the program owes partners then, in R$. Per currency, the
  partners' earnings posted into that month or an earlier one (ledger lines of kinds accrual, clawback and
  adjustment, by their accounting month `period`) minus the gross of the payouts marked paid on or before the
  month's last day (local time). Payout and payout-reversal lines are left out: they move money between the
  balance and a payout, which is owed until it is paid (a failed payout was never paid, so its gross stays owed).
  Each currency's amount converts to R$ at the rate of the month's last day (`FxBook`: the latest rate on or
  before it), rounded half-even to 4 places; a currency without a usable rate is left out of that month and
  counted in `unconverted`. The month's total is rounded half-even to the cent.

The history runs from the first month with a value to the last complete month. With fewer than `MIN_HISTORY`
months there is no forecast. Otherwise each candidate — Holt's additive trend, the same damped and, with at least
`SEASONAL_MIN + 3` months, Holt-Winters with additive trend and additive 12-month seasonality (statsmodels'
`ExponentialSmoothing`, fitted by least squares with SLSQP: deterministic) — is back-tested by rolling origin: at
each of the last `MAX_ORIGINS` months (whose training history is long enough) it is fitted on the months before
and forecasts one to six months ahead; its MAPE is the mean of |actual − forecast| ÷ |actual| over every
(origin, horizon) whose actual is not zero, in percent. The naive forecast (the last value) is scored on the same
pairs. The candidate with the lowest MAPE is shown when it beats the naive forecast; otherwise the note says so
and the naive forecast is shown.

Intervals: the model's forecast ± z₀.₉ · σₕ, with σₕ² = σ² (1 + Σⱼ₌₁ʰ⁻¹ cⱼ²), cⱼ = α (1 + β φⱼ) + γ [j mod 12 = 0],
φⱼ = φ + … + φʲ (φ = 1 undamped), σ² = the fit's sum of squared one-step errors ÷ its months — the additive-error
state-space formula (Hyndman et al., *Forecasting with Exponential Smoothing*, 2008, §6.3, class 1). The naive
forecast is a random walk: σₕ = σ √h with σ² the mean squared month-to-month change. When the history has no
negative value, forecasts and bounds are floored at zero. Floats stay inside this module: every value out is a
Decimal to the cent.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import pairwise
from statistics import NormalDist
from typing import cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Min, OuterRef, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from parceria.analytics.facts import arr_by_month, months
from parceria.commissions.models import LedgerKind, LedgerTotal
from parceria.common.dbsum import exact_sums
from parceria.common.formatting import format_percent
from parceria.common.fx import FxBook
from parceria.common.money import multiply
from parceria.common.months import add_months, month_end, month_start
from parceria.customers.models import Invoice
from parceria.payouts.models import Payout, PayoutStatus, PayoutStatusChange

#: Months forecast.
HORIZON = 6
#: Fewer months of history than this: no forecast.
MIN_HISTORY = 6
#: A back-test origin needs at least this many months before it (non-seasonal models).
MIN_TRAIN = 4
#: A seasonal model needs two years of training months before each origin.
SEASONAL_MIN = 24
#: The back-test uses at most the last this-many months as origins.
MAX_ORIGINS = 12
#: The longest history read (three seasonal cycles; a longer one makes every back-test fit slower).
MAX_HISTORY = 36
#: The interval's coverage.
COVERAGE = Decimal("0.80")
Z = NormalDist().inv_cdf(0.5 + float(COVERAGE) / 2)

#: Liability counts what partners earned: accruals, clawbacks and adjustments (payouts are subtracted when paid).
EARNING_KINDS = (LedgerKind.ACCRUAL, LedgerKind.CLAWBACK, LedgerKind.ADJUSTMENT)

MODEL_LABELS = {
    "holt": gettext_lazy("Holt's additive trend"),
    "holt_damped": gettext_lazy("Holt's additive damped trend"),
    "holt_winters": gettext_lazy("Holt-Winters (additive trend and 12-month seasonality)"),
    "naive": gettext_lazy("Naive (the last month's value)"),
}
SERIES_LABELS = {
    "partner_arr": gettext_lazy("Partner-channel ARR"),
    "commission_liability": gettext_lazy("Commission liability"),
}

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class MonthValue:
    month: date
    value: Decimal


@dataclass(frozen=True)
class ForecastPoint:
    month: date
    value: Decimal
    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class CandidateScore:
    model: str
    mape: Decimal | None

    @property
    def label(self) -> str:
        return str(MODEL_LABELS[self.model])


@dataclass(frozen=True)
class Backtest:
    """The rolling-origin back-test: the best candidate's MAPE beside the naive forecast's, on the same pairs."""

    model: str  # the best candidate
    mape: Decimal | None
    naive_mape: Decimal | None
    beats_naive: bool
    origins: int
    pairs: int  # (origin, horizon) pairs scored
    candidates: tuple[CandidateScore, ...]


@dataclass(frozen=True)
class Forecast:
    key: str
    unit: str
    history: tuple[MonthValue, ...]
    forecast: tuple[ForecastPoint, ...]
    model: str | None  # the model whose forecast is shown; None without a forecast
    backtest: Backtest | None
    note: str
    unconverted: int = 0

    @property
    def label(self) -> str:
        return str(SERIES_LABELS.get(self.key, self.key))

    @property
    def model_label(self) -> str:
        return str(MODEL_LABELS[self.model]) if self.model else ""


# --- the history -----------------------------------------------------------------------------------------------------

def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, ROUND_HALF_EVEN)


def partner_arr_history(first: date, last: date) -> tuple[list[MonthValue], int]:
    """Partner-channel ARR (R$) of each month from `first`'s to `last`'s, and the amounts left unconverted."""
    arr = arr_by_month(first, last)
    return [MonthValue(m, arr.month_total(m, channel="partner")) for m in months(first, last)], arr.unconverted


def commission_liability_history(first: date, last: date) -> tuple[list[MonthValue], int]:
    """The commission liability (R$) at the end of each month from `first`'s to `last`'s (module docstring), and
    the (month, currency) amounts left out for want of an FX rate. The earnings come from the ledger's maintained
    totals per partner, month, kind and currency (`LedgerTotal`, exact integers of 10⁻⁴), not from every line; three
    queries whatever the number of partners."""
    tz = ZoneInfo(settings.TIME_ZONE)
    last = month_start(last)
    earned: dict[tuple[date, str], Decimal] = {
        (row["period"], row["currency"]): Decimal(row["units"]).scaleb(-4)
        for row in LedgerTotal.objects.filter(kind__in=EARNING_KINDS, period__lte=last).order_by()
        .values("period", "currency").annotate(units=Sum("amount_units"))}
    first_paid = (PayoutStatusChange.objects.filter(payout=OuterRef("pk"), status=PayoutStatus.PAID)
                  .order_by().values("payout").annotate(at=Min("at")).values("at")[:1])
    end = datetime.combine(add_months(last, months=1), time.min, tzinfo=tz)
    paid = exact_sums(Payout.objects.annotate(paid_at=Subquery(first_paid)).filter(paid_at__lt=end)
                      .annotate(m=TruncMonth("paid_at", tzinfo=tz)).order_by(), "gross", "m", "currency")
    moves: dict[date, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for (period, currency), amount in earned.items():
        moves[month_start(period)][currency] += amount
    for paid_key, amount in paid.items():
        when, currency = cast(tuple[date | datetime, str], paid_key)
        day = when.date() if isinstance(when, datetime) else when
        moves[month_start(day)][currency] -= amount
    owed: dict[str, Decimal] = defaultdict(Decimal)
    for month in sorted(m for m in moves if m < month_start(first)):  # everything before the first month
        for currency, amount in moves[month].items():
            owed[currency] += amount
    currencies = {c for by in moves.values() for c in by} - {"BRL"}
    book = FxBook.load({(c, "BRL") for c in currencies}, month_end(month_start(first)), month_end(last)) \
        if currencies else FxBook({})
    out, unconverted = [], 0
    for month in months(first, last):
        for currency, amount in moves.get(month, {}).items():
            owed[currency] += amount
        total = Decimal(0)
        for currency, amount in sorted(owed.items()):
            if not amount:
                continue
            if currency == "BRL":
                total += amount
            elif (quote := book.quote(currency, "BRL", month_end(month))) is not None:
                total += multiply(amount, quote.rate).quantize(Decimal("0.0001"), ROUND_HALF_EVEN)
            else:
                unconverted += 1
        out.append(MonthValue(month, _cents(total)))
    return out, unconverted


def history_start(last: date) -> date:
    """The first month any series can have a value in: the first paid invoice's or ledger line's, at most
    MAX_HISTORY months before `last`."""
    tz = ZoneInfo(settings.TIME_ZONE)
    candidates: list[date] = []
    if (paid := Invoice.objects.order_by().aggregate(first=Min("paid_at"))["first"]) is not None:
        candidates.append(timezone.localtime(paid, tz).date())
    if (period := LedgerTotal.objects.order_by().aggregate(first=Min("period"))["first"]) is not None:
        candidates.append(period)
    floor = add_months(month_start(last), months=-(MAX_HISTORY - 1))
    return max(month_start(min(candidates)), floor) if candidates else month_start(last)


def _trimmed(history: list[MonthValue]) -> list[MonthValue]:
    """The history from its first month with a value (leading empty months say nothing about the series)."""
    for index, point in enumerate(history):
        if point.value:
            return history[index:]
    return []


# --- the models ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Fit:
    mean: list[float]  # forecasts 1..h ahead
    sigma: list[float]  # their standard deviations


def _naive(y: Sequence[float], h: int) -> _Fit:
    changes = [b - a for a, b in pairwise(y)]
    sigma = math.sqrt(sum(c * c for c in changes) / len(changes)) if changes else 0.0
    return _Fit([y[-1]] * h, [sigma * math.sqrt(k) for k in range(1, h + 1)])


def _smoothing(kind: str) -> Callable[[Sequence[float], int], _Fit | None]:
    def fit(y: Sequence[float], h: int) -> _Fit | None:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing  # heavy: loaded when a forecast is made

        seasonal = kind == "holt_winters"
        with warnings.catch_warnings():  # convergence and log-of-zero notes (a perfect fit) say nothing here
            warnings.simplefilter("ignore")
            try:
                model = ExponentialSmoothing(list(y), trend="add", damped_trend=kind == "holt_damped",
                                             seasonal="add" if seasonal else None,
                                             seasonal_periods=12 if seasonal else None,
                                             initialization_method="estimated")
                result = model.fit(method="SLSQP")
                mean = [float(v) for v in result.forecast(h)]
            except (ValueError, ArithmeticError):  # numpy's LinAlgError is a ValueError
                return None
        params = result.params
        alpha = float(params["smoothing_level"])
        beta = float(params["smoothing_trend"])
        phi = float(params["damping_trend"]) if kind == "holt_damped" else 1.0
        gamma = float(params["smoothing_seasonal"]) if seasonal else 0.0
        sigma2 = float(result.sse) / len(y)
        values = [alpha, beta, phi, gamma, sigma2, *mean]
        if not all(math.isfinite(v) for v in values):
            return None
        sigmas, total, phi_j = [], 1.0, 0.0
        for k in range(1, h + 1):
            sigmas.append(math.sqrt(sigma2 * total))
            phi_j += phi ** k
            c = alpha * (1 + beta * phi_j) + (gamma if k % 12 == 0 else 0.0)
            total += c * c
        return _Fit(mean, sigmas)

    return fit


def _candidates(n: int) -> list[str]:
    return ["holt", "holt_damped", *(["holt_winters"] if n >= SEASONAL_MIN + 3 else [])]


def _mape(errors: list[tuple[float, float]]) -> Decimal | None:
    """Mean absolute percentage error of (actual, forecast) pairs whose actual is not zero, in percent (2 places)."""
    scored = [abs(a - f) / abs(a) for a, f in errors if a]
    if not scored:
        return None
    return Decimal(repr(100 * sum(scored) / len(scored))).quantize(_CENT, ROUND_HALF_EVEN)


def backtest(y: Sequence[float]) -> Backtest | None:
    """Rolling-origin back-test of every candidate against the naive forecast (module docstring); None when the
    history is too short for any origin."""
    n = len(y)
    names = _candidates(n)
    first = max(SEASONAL_MIN if "holt_winters" in names else MIN_TRAIN, n - MAX_ORIGINS)
    origins = list(range(first, n))
    if not origins:
        return None
    pairs: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    naive_pairs: list[tuple[float, float]] = []
    failed: set[str] = set()
    for t in origins:
        h = min(HORIZON, n - t)
        actual = y[t:t + h]
        naive_pairs.extend(zip(actual, _naive(y[:t], h).mean, strict=True))
        for name in names:
            if name in failed:
                continue
            fitted = _smoothing(name)(y[:t], h)
            if fitted is None:
                failed.add(name)
                continue
            pairs[name].extend(zip(actual, fitted.mean, strict=True))
    scores = tuple(CandidateScore(name, None if name in failed else _mape(pairs[name])) for name in names)
    naive_mape = _mape(naive_pairs)
    scored = [s for s in scores if s.mape is not None]
    best = min(scored, key=lambda s: (s.mape, names.index(s.model))) if scored else scores[0]
    beats = best.mape is not None and naive_mape is not None and best.mape < naive_mape
    return Backtest(best.model, best.mape, naive_mape, beats, len(origins), len(naive_pairs), scores)


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else format_percent(value / 100, language=get_language() or "en", places=2)


def forecast_series(key: str, unit: str, history: Sequence[MonthValue], *, unconverted: int = 0) -> Forecast:
    """The forecast of one monthly series (module docstring) from its history, oldest first."""
    history = tuple(history)
    n = len(history)
    if n < MIN_HISTORY:
        note = _("Too short a history to forecast: %(n)d months with a value, at least %(min)d needed.") % {
            "n": n, "min": MIN_HISTORY}
        return Forecast(key, unit, history, (), None, None, note, unconverted)
    y = [float(p.value) for p in history]
    test = backtest(y)
    model = test.model if test is not None and test.beats_naive else "naive"
    fitted = _smoothing(model)(y, HORIZON) if model != "naive" else None
    if fitted is None:
        model, fitted = "naive", _naive(y, HORIZON)
    label = {"model": MODEL_LABELS[test.model] if test else "", "mape": _percent(test.mape if test else None),
             "naive": _percent(test.naive_mape if test else None)}
    if test is None or test.mape is None or test.naive_mape is None:
        note = _("The back-test could not measure an error (no month to score with a value other than zero): the "
                 "naive forecast (the last month's value) is shown.")
    elif model == "naive" and test.beats_naive:
        note = _("%(model)s beats the naive forecast in the back-test (MAPE %(mape)s against %(naive)s), but it could "
                 "not be fitted to the whole history: the naive forecast (the last month's value) is shown.") % label
    elif model == "naive":
        note = _("The model does not beat the naive forecast: %(model)s has a back-test MAPE of %(mape)s against "
                 "%(naive)s for the naive forecast, so the naive forecast (the last month's value) is shown.") % label
    else:
        note = _("%(model)s beats the naive forecast in the back-test (MAPE %(mape)s against %(naive)s): its "
                 "forecast is shown.") % label
    floor = 0.0 if min(y) >= 0 else -math.inf
    points = []
    for k, (mean, sigma) in enumerate(zip(fitted.mean, fitted.sigma, strict=True), start=1):
        low, high = mean - Z * sigma, mean + Z * sigma
        value, low, high = (max(v, floor) for v in (mean, low, high))
        points.append(ForecastPoint(add_months(history[-1].month, months=k), *(
            _cents(Decimal(repr(v))) for v in (value, low, high))))
    return Forecast(key, unit, history, tuple(points), model, test, note, unconverted)


def program_forecasts(today: date | None = None) -> list[Forecast]:
    """Both forecasts, from the history up to the last complete month before `today` (default: today, local)."""
    today = today or timezone.localdate()
    last = add_months(month_start(today), months=-1)
    first = history_start(last)
    arr, arr_unconverted = partner_arr_history(first, last)
    liability, liability_unconverted = commission_liability_history(first, last)
    return [forecast_series("partner_arr", "BRL", _trimmed(arr), unconverted=arr_unconverted),
            forecast_series("commission_liability", "BRL", _trimmed(liability), unconverted=liability_unconverted)]
