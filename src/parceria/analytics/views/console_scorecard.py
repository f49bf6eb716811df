"""The Program pages of the console: the scorecard (/console/program/), the phase tracker (/console/program/phases/)
and the imported figures (/console/program/figures/: a filtered list, a CSV upload and its template). Each table
exports to CSV and Excel (`?export=csv|xlsx`, with `table=` where a page has several)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parceria.accounts.tenancy import Ability
from parceria.analytics.imports import (
    FIGURE_COLUMNS,
    FIGURE_EXAMPLE,
    FIGURE_REQUIRED,
    FIGURES_MAX_BYTES,
    FIGURES_MAX_ROWS,
    figures_from_csv,
)
from parceria.analytics.inputs import INPUTS
from parceria.analytics.models import ProgramFigure
from parceria.analytics.periods import Period, month_period, parse_period, quarter_period
from parceria.analytics.phases import phase_tracker
from parceria.analytics.scorecard import KpiLine, program_scorecard
from parceria.common.errors import InvalidInput
from parceria.deals.forms import CsvUploadForm
from parceria.deals.uploads import RowError
from parceria.deals.views.uploads import run_upload, template_response
from parceria.web.access import actor, console_view
from parceria.web.pages import page
from parceria.web.tables import build_table, export_response, wants_export

SPARK_WIDTH, SPARK_HEIGHT = 120, 28


def sparkline(values: list[Decimal | None]) -> dict[str, Any] | None:
    """The points of an inline SVG line over the values (gaps where a value is missing): polylines of "x,y" pairs
    scaled to SPARK_WIDTH × SPARK_HEIGHT, and the last point; None with fewer than two values."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return None
    low, high = min(known), max(known)
    span = (high - low) or Decimal(1)
    step = Decimal(SPARK_WIDTH - 4) / max(len(values) - 1, 1)
    runs: list[list[str]] = [[]]
    last = ""
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
            continue
        x = Decimal(2) + step * i
        y = Decimal(SPARK_HEIGHT - 3) - (v - low) / span * (SPARK_HEIGHT - 6)
        last = f"{x:.1f},{y:.1f}"
        runs[-1].append(last)
    end_x, end_y = last.split(",")
    return {"lines": [" ".join(r) for r in runs if len(r) > 1], "dots": [r[0].split(",") for r in runs if len(r) == 1],
            "x": end_x, "y": end_y, "width": SPARK_WIDTH, "height": SPARK_HEIGHT}


def _period_choices(today: date) -> list[tuple[str, list[tuple[str, str]]]]:
    this_month, this_quarter = month_period(today), quarter_period(today)
    months = [(p.key, p.key) for p in reversed(this_month.previous(24))]
    quarters = [(p.key, p.key) for p in reversed(this_quarter.previous(8))]
    return [(_("Months"), months), (_("Quarters"), quarters)]


def _status(line: KpiLine) -> str:
    return "none" if line.met is None else "good" if line.met else "bad"


@console_view()
def scorecard(request: HttpRequest) -> HttpResponse:
    """Every KPI for the period asked (`?period=2026-03` or `2026-Q1`, default this month): value, target, a
    traffic light, a sparkline of the last 12 periods, and what to import where there is no data."""
    today = timezone.localdate()
    text = request.GET.get("period", "")
    try:
        period = parse_period(text) if text else month_period(today)
    except InvalidInput as exc:
        return page(request, "analytics/console/scorecard.html", {
            "error": exc.message, "choices": _period_choices(today), "selected": text}, nav="program", status=422)
    card = program_scorecard(period)
    if wants_export(request):
        return _scorecard_export(request, card.lines, period)
    lines = [{"line": line, "status": _status(line), "spark": sparkline([v for _p, v in line.trend]),
              "missing": [(key, INPUTS[key].label) for key in line.reading.missing]} for line in card.lines]
    query = request.GET.copy()
    query.pop("export", None)
    exports = {}
    for table in ("kpis", "trend"):
        query["table"] = table
        exports[table] = {fmt: "?" + query.urlencode() + f"&export={fmt}" for fmt in ("csv", "xlsx")}
    return page(request, "analytics/console/scorecard.html", {
        "card": card, "lines": lines, "choices": _period_choices(today), "selected": period.key,
        "met": sum(1 for line in card.lines if line.met), "judged": sum(1 for line in card.lines
                                                                       if line.met is not None),
        "exports": exports, "trend_periods": [p.key for p in card.periods]}, nav="program")


def _scorecard_export(request: HttpRequest, lines: list[KpiLine], period: Period) -> HttpResponse:
    if request.GET.get("table") == "trend":
        periods = [p.key for p, _v in lines[0].trend]
        return export_response(request, f"program-scorecard-trend-{period.key}", [_("KPI"), _("Unit"), *periods],
                               ([line.kpi.label, line.kpi.unit, *[v for _p, v in line.trend]] for line in lines))
    return export_response(request, f"program-scorecard-{period.key}", [
        _("KPI"), _("Key"), _("Unit"), _("Value"), _("Target"), _("Direction"), _("Met"), _("Direct channel"),
        _("Figures to import"), _("Note"), _("Definition")], (
        [line.kpi.label, line.kpi.key, line.kpi.unit, line.value, line.kpi.target, line.kpi.direction, line.met,
         line.reading.comparison, ", ".join(line.reading.missing), str(line.reading.note), line.kpi.definition]
        for line in lines))


@console_view()
def phases(request: HttpRequest) -> HttpResponse:
    """The three phases of the program (seed §8.1) with each success criterion."""
    tracker = phase_tracker()
    if wants_export(request):
        return export_response(request, "program-phases", [
            _("Phase"), _("From"), _("To"), _("State"), _("Criterion"), _("Threshold"), _("Value"), _("Met"),
            _("First met")], (
            [f"{s.phase.number}. {s.phase.name}", s.first_month.strftime("%Y-%m"), s.last_month.strftime("%Y-%m"),
             s.state, c.criterion.label, c.criterion.threshold, c.value, c.met,
             c.first_met.strftime("%Y-%m") if c.first_met else None]
            for s in tracker.phases for c in s.criteria))
    return page(request, "analytics/console/phases.html", {"tracker": tracker}, nav="program")


# --- Figures -------------------------------------------------------------------------------------------------------


class FigureFilterForm(forms.Form):
    key = forms.ChoiceField(label=gettext_lazy("Figure"), required=False,
                            choices=[("", gettext_lazy("All")), *[(k, d.label) for k, d in INPUTS.items()]])
    month = forms.CharField(label=gettext_lazy("Month"), required=False, max_length=7,
                            widget=forms.TextInput(attrs={"placeholder": "2026-03", "inputmode": "numeric"}))
    partner = forms.CharField(label=gettext_lazy("Partner"), required=False, max_length=100,
                              widget=forms.TextInput(attrs={"type": "search"}))

    def clean_month(self) -> date | None:
        text = self.cleaned_data["month"].strip()
        if not text:
            return None
        try:
            return parse_period(text, field=str(_("Month"))).first_month
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from None


FIGURE_SORTS = {"month": "month", "key": "key", "partner": "partner__name", "value": "value",
                "updated": "updated_at"}


def _figures_page(request: HttpRequest, upload: CsvUploadForm, errors: list[RowError] | None = None,
                  status: int = 200) -> HttpResponse:
    form = FigureFilterForm(request.GET)
    rows = ProgramFigure.objects.select_related("partner")
    if form.is_valid():
        if form.cleaned_data["key"]:
            rows = rows.filter(key=form.cleaned_data["key"])
        if form.cleaned_data["month"]:
            rows = rows.filter(month=form.cleaned_data["month"])
        if q := form.cleaned_data["partner"].strip():
            rows = rows.filter(partner__name__icontains=q)
    elif status == 200:
        status = 422
    table = build_table(request, rows, sortable=FIGURE_SORTS, default_sort="-month",
                        per_page=10**9 if wants_export(request) else 25)
    if wants_export(request) and request.GET.get("table") == "inputs":
        return export_response(request, "program-figure-keys", [
            _("Key"), _("Figure"), _("Unit"), _("Per partner"), _("What it is")], (
            [d.key, d.label, d.unit, d.per_partner, d.help] for d in INPUTS.values()))
    if wants_export(request):
        return export_response(request, "program-figures", [
            _("Key"), _("Figure"), _("Month"), _("Partner id"), _("Partner"), _("Value"), _("Currency"), _("Source"),
            _("Updated by"), _("Updated at")], (
            [f.key, INPUTS[f.key].label if f.key in INPUTS else f.key, f.month.strftime("%Y-%m"), f.partner_id,
             f.partner.name if f.partner else None, f.value, f.currency, f.source, f.updated_by_label, f.updated_at]
            for f in table.page.object_list))
    labels = {k: d.label for k, d in INPUTS.items()}
    return page(request, "analytics/console/figures.html", {
        "form": form, "table": table, "labels": labels, "upload": upload, "errors": errors or [],
        "inputs": INPUTS.values(), "max_rows": FIGURES_MAX_ROWS, "columns": FIGURE_COLUMNS}, nav="program",
        status=status)


@console_view()
def figures(request: HttpRequest) -> HttpResponse:
    return _figures_page(request, CsvUploadForm(max_bytes=FIGURES_MAX_BYTES))


@console_view(read=None, write=Ability.MANAGE_PARTNERS)
def figures_upload(request: HttpRequest) -> HttpResponse:
    form = CsvUploadForm(request.POST, request.FILES, max_bytes=FIGURES_MAX_BYTES)
    name = getattr(request.FILES.get("file"), "name", "")[:150]
    upload = run_upload(form, columns=FIGURE_COLUMNS, required=FIGURE_REQUIRED, max_rows=FIGURES_MAX_ROWS,
                        action=lambda rows: figures_from_csv(rows, actor=actor(request), source=name))
    if upload.result is None:
        return _figures_page(request, form, upload.errors, status=upload.status)
    r = upload.result
    messages.success(request, _("Imported %(rows)s rows: %(created)s new, %(updated)s updated, %(unchanged)s "
                                "unchanged.") % {"rows": r.created + r.updated + r.unchanged, "created": r.created,
                                                 "updated": r.updated, "unchanged": r.unchanged})
    return redirect("analytics_console:figures")


@console_view()
def figures_template(request: HttpRequest) -> HttpResponse:
    return template_response(FIGURE_COLUMNS, FIGURE_EXAMPLE, "program-figures-template.csv")
