"""The program scorecard (SPEC §12.1): every KPI of `analytics.kpis.KPIS` for a period, with its target, whether it
is met, and its trend over the last 12 periods of the same kind (months or quarters).

The facts of the whole trend range are loaded once (`kpis.load_facts`); each KPI is then derived per period from
them in memory — the number of queries does not grow with partners, KPIs or periods.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from parceria.analytics.kpis import KPIS, Kpi, Reading, ScorecardFacts, load_facts
from parceria.analytics.periods import Period

#: How many periods a trend covers (the period asked for is the last).
TREND_PERIODS = 12


@dataclass(frozen=True)
class KpiLine:
    kpi: Kpi
    reading: Reading
    trend: list[tuple[Period, Decimal | None]]

    @property
    def value(self) -> Decimal | None:
        return self.reading.value

    @property
    def met(self) -> bool | None:
        return self.kpi.met(self.reading.value)


@dataclass(frozen=True)
class Scorecard:
    period: Period
    lines: list[KpiLine]
    unconverted: int  # amounts left out of revenue and commissions for want of an FX rate

    @property
    def periods(self) -> list[Period]:
        return self.period.previous(TREND_PERIODS)


def scorecard_from(facts: ScorecardFacts, period: Period) -> Scorecard:
    periods = period.previous(TREND_PERIODS)
    lines = []
    for kpi in KPIS.values():
        readings = [kpi.compute(facts, p) for p in periods]
        lines.append(KpiLine(kpi, readings[-1], [(p, r.value) for p, r in zip(periods, readings, strict=True)]))
    unconverted = facts.unconverted + facts.unconverted_figures
    return Scorecard(period, lines, unconverted)


def program_scorecard(period: Period) -> Scorecard:
    """Every KPI for `period` with its trend over the TREND_PERIODS periods ending with it."""
    periods = period.previous(TREND_PERIODS)
    return scorecard_from(load_facts(periods[0].first_month, period.last_month), period)


def scorecard_out(card: Scorecard) -> dict[str, object]:
    """The scorecard as the API and exports give it: values as decimal strings, None for "no data"."""
    return {"period": card.period.key, "kpis": [{
        "key": line.kpi.key, "label": str(line.kpi.label), "unit": line.kpi.unit,
        "value": _text(line.value), "target": _text(line.kpi.target), "direction": line.kpi.direction,
        "met": line.met, "comparison": _text(line.reading.comparison),
        "missing": list(line.reading.missing), "note": str(line.reading.note),
        "trend": [{"period": p.key, "value": _text(v)} for p, v in line.trend],
        "definition": str(line.kpi.definition)} for line in card.lines]}


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
