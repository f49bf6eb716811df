"""The program scorecard, the phase tracker and the import of program figures, on the analytics router
(/api/v1/analytics):

* `GET /scorecard?period=2026-03|2026-Q1` — every KPI of `analytics.kpis.KPIS` with value, target, met and trend;
* `GET /phases` — the phase tracker (seed §8.1);
* `PUT /figures` — a JSON list of program figures, all or nothing through `inputs.figure_record`.

Reading takes a staff credential that may read (an analytics key, the analyst, admin); a partner key gets 403: the
program's figures are not one partner's. Writing figures takes Ability.MANAGE_PARTNERS."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Schema
from pydantic import ConfigDict

from parceria.accounts.tenancy import Ability, Principal
from parceria.analytics.access import analytics_reader
from parceria.analytics.api import router
from parceria.analytics.imports import figures_import
from parceria.analytics.inputs import INPUTS
from parceria.analytics.periods import month_period, parse_period
from parceria.analytics.phases import phase_tracker, tracker_out
from parceria.analytics.scorecard import program_scorecard, scorecard_out
from parceria.api.auth import principal_of
from parceria.api.schemas import AMOUNT_PATTERN, ERRORS, MONTH_PATTERN, RowId, choice, declared
from parceria.common.money import CURRENCIES

#: A month or a quarter of the years periods.parse_period takes (the API's month pattern's years).
PERIOD_PATTERN = MONTH_PATTERN.removesuffix("-(0[1-9]|1[0-2])$") + "-(0[1-9]|1[0-2]|Q[1-4])$"


def _staff_reader(request: HttpRequest) -> Principal:
    return analytics_reader(request)


class ScorecardTrendOut(Schema):
    period: str
    value: str | None


class ScorecardKpiOut(Schema):
    key: str
    label: str
    unit: str = Field(description="percent, money (R$), count, ratio, days or score.")
    value: str | None = Field(description="A decimal string; null when there is no data (see `missing`, `note`).")
    target: str | None
    direction: str | None = Field(description=">=, <=, > or <: how the value must compare with the target.")
    met: bool | None
    comparison: str | None = Field(description="The direct channel's figure where the KPI compares with it.")
    missing: list[str] = Field(description="Program figures to import (PUT /figures) for a value.")
    note: str
    trend: list[ScorecardTrendOut]
    definition: str


class ScorecardOut(Schema):
    period: str
    kpis: list[ScorecardKpiOut]


class ScorecardParams(Schema):
    period: str | None = declared(None, pattern=PERIOD_PATTERN,
                                  description="A month (YYYY-MM) or a quarter (YYYY-Q1..Q4); default this month.")


@router.get("/scorecard", response={200: ScorecardOut, **ERRORS}, summary="The program scorecard")
def get_scorecard(request: HttpRequest, params: Query[ScorecardParams]) -> Any:
    _staff_reader(request)
    period = parse_period(params.period) if params.period is not None else month_period(timezone.localdate())
    return scorecard_out(program_scorecard(period))


class PhaseCriterionOut(Schema):
    label: str
    unit: str
    threshold: str
    direction: str
    value: str | None
    met: bool
    first_met: str | None = Field(description="The first month (YYYY-MM) the criterion was met.")


class PhaseOut(Schema):
    number: int
    name: str
    from_: str = Field(alias="from")
    to: str
    state: str = Field(description="done, current or upcoming.")
    met: bool
    criteria: list[PhaseCriterionOut]


class PhasesOut(Schema):
    start: str | None = Field(description="The program's first month; null before any agreement is signed.")
    phases: list[PhaseOut]


@router.get("/phases", response={200: PhasesOut, **ERRORS}, by_alias=True, summary="The program's phases")
def get_phases(request: HttpRequest) -> Any:
    _staff_reader(request)
    return tracker_out(phase_tracker())


class FigureIn(Schema):
    model_config = ConfigDict(extra="forbid")

    key: str = choice(list(INPUTS))
    month: str = declared(pattern=MONTH_PATTERN)
    partner_id: RowId | None = None
    value: str = declared(pattern=AMOUNT_PATTERN, description="A decimal string, e.g. \"42000.00\".")
    currency: str = choice(["", *CURRENCIES], "", description="For a money figure; empty otherwise.")
    source: str = declared("", maxLength=200)


class FiguresImportOut(Schema):
    created: int
    updated: int
    unchanged: int


@router.put("/figures", response={200: FiguresImportOut, **ERRORS},
            summary="Record program figures (all or nothing)")
def put_figures(request: HttpRequest, payload: list[FigureIn]) -> Any:
    """Each item is recorded by key, month and partner (created, updated or unchanged); a bad item or one repeating
    another's key, month and partner refuses the whole list (422, every bad item with its position from 1). At most
    5000 items (imports.FIGURES_MAX_ROWS; 413)."""
    principal = principal_of(request)
    principal.require(Ability.MANAGE_PARTNERS)
    entries = [(index, {"key": item.key, "month": item.month, "value": item.value, "currency": item.currency,
                        "partner_id": "" if item.partner_id is None else str(item.partner_id),
                        "source": item.source}) for index, item in enumerate(payload, start=1)]
    result = figures_import(entries, actor=principal.actor, source="api")
    return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
