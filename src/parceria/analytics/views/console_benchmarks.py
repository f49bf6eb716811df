"""The console's partner benchmarks (analytics.benchmarks): every active partner's scorecard with its percentiles
among its tier-and-category peers (filters, sort, CSV/XLSX), one partner's scorecard with its ROI, and the
revenue concentration across partners."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from parceria.analytics.benchmarks import (
    METRICS,
    Metric,
    PartnerScore,
    benchmarks_report,
    concentration,
    default_period,
    partner_scorecard,
    sort_scores,
)
from parceria.analytics.periods import Period, parse_period
from parceria.common.errors import InvalidInput
from parceria.common.formatting import format_money, format_number, format_percent
from parceria.partners.models import Category, Partner, Tier
from parceria.web.access import console_view
from parceria.web.pages import page
from parceria.web.tables import export_response, wants_export

NO_TIER = "none"


def metric_text(metric: Metric) -> str:
    """A metric's value as the reader's language writes it; "—" without one."""
    value, language = metric.value, get_language() or "en"
    if value is None:
        return "—"
    if metric.unit == "brl":
        return format_money(Decimal(value), "BRL", language=language, places=2)
    if metric.unit == "percent":
        return format_percent(Decimal(value) / 100, language=language, places=2)
    if metric.unit == "score":
        return format_number(Decimal(value), 2, language=language)
    return format_number(Decimal(value), 0, language=language)


def percentile_text(metric: Metric) -> str:
    return "—" if metric.percentile is None else format_number(metric.percentile, 1, language=get_language() or "en")


def rows_of(score: PartnerScore) -> list[dict[str, Any]]:
    """A scorecard's metrics as a page shows them."""
    return [{"key": m.key, "label": m.label, "text": metric_text(m), "percentile": percentile_text(m),
             "value": m.value, "rank": m.percentile} for m in score.metric_list()]


class PeriodForm(forms.Form):
    period = forms.CharField(label=gettext_lazy("Period"), required=False, max_length=10,
                             help_text=gettext_lazy("A month (2026-03) or a quarter (2026-Q1)."),
                             widget=forms.TextInput(attrs={"placeholder": "2026-Q1", "size": 9}))

    def clean_period(self) -> Period:
        text = self.cleaned_data.get("period") or ""
        if not text.strip():
            return default_period()
        try:
            return parse_period(text)
        except InvalidInput as error:
            raise forms.ValidationError(str(error)) from None


class BenchmarkForm(PeriodForm):
    tier = forms.ChoiceField(label=gettext_lazy("Tier"), required=False)
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["tier"]).choices = [("", _("All")), *Tier.choices,
                                                                (NO_TIER, _("No tier"))]
        cast(forms.ChoiceField, self.fields["category"]).choices = [("", _("All")), *Category.choices]


def _tier_label(tier: str | None) -> str:
    return str(Tier(tier).label) if tier in Tier.values else _("No tier")


def _header() -> list[Any]:
    header: list[Any] = [_("Partner"), _("Tier"), _("Category"), _("Peers")]
    for d in METRICS:
        header += [d.label, _("%(metric)s — percentile") % {"metric": d.label}]
    return header


def _export_row(score: PartnerScore) -> list[Any]:
    row: list[Any] = [score.name, _tier_label(score.tier), Category(score.category).label, score.peers]
    for m in score.metric_list():
        row += [m.value, m.percentile]
    return row


@console_view()
def partners(request: HttpRequest) -> HttpResponse:
    """Every active partner's figures for the period beside its percentiles among its peers."""
    form = BenchmarkForm(request.GET)
    if not form.is_valid():
        return page(request, "analytics/console/benchmarks.html", {"form": form, "rows": None}, nav="benchmarks",
                    status=422)
    period: Period = form.cleaned_data["period"]
    report = benchmarks_report(period)
    scores = report.scores
    tier, category = form.cleaned_data["tier"], form.cleaned_data["category"]
    if tier:
        scores = [s for s in scores if (s.tier or NO_TIER) == tier]
    if category:
        scores = [s for s in scores if s.category == category]
    scores, sort = sort_scores(scores, request.GET.get("sort", "name"))
    if wants_export(request):
        return export_response(request, f"partner-benchmarks-{period.key}", _header(),
                               (_export_row(s) for s in scores))
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("sort", None)
    rows = [{"score": s, "tier": _tier_label(s.tier), "category": Category(s.category).label,
             "metrics": rows_of(s)} for s in scores]
    headers = []
    for key, label in [("name", _("Partner")), *((d.key, d.label) for d in METRICS)]:
        params = query.copy()
        params["sort"] = f"-{key}" if sort == key else key
        headers.append({"key": key, "label": label, "link": "?" + params.urlencode(),
                        "current": "ascending" if sort == key else "descending" if sort == f"-{key}" else ""})
    exports = {fmt: "?" + query.urlencode() + ("&" if query else "") + f"sort={sort}&export={fmt}"
               for fmt in ("csv", "xlsx")}
    return page(request, "analytics/console/benchmarks.html", {
        "form": form, "period": period, "rows": rows, "headers": headers[1:], "name_header": headers[0],
        "exports": exports, "unconverted": report.unconverted}, nav="benchmarks")


@console_view()
def partner(request: HttpRequest, partner_id: int) -> HttpResponse:
    """One partner's scorecard for the period: each metric, its percentile among its peers, and its ROI's parts."""
    found = Partner.objects.filter(pk=partner_id).first()
    if found is None:
        raise Http404
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return page(request, "analytics/console/benchmarks_partner.html", {"form": form, "partner": found,
                                                                            "score": None},
                    nav="benchmarks", status=422)
    period: Period = form.cleaned_data["period"]
    score = partner_scorecard(found, period)
    if wants_export(request):
        return export_response(request, f"partner-scorecard-{found.pk}-{period.key}",
                               [_("Metric"), _("Value"), _("Percentile among peers")],
                               ([m.label, m.value, m.percentile] for m in score.metric_list()))
    query = request.GET.copy()
    query.pop("export", None)
    exports = {fmt: "?" + query.urlencode() + ("&" if query else "") + f"export={fmt}" for fmt in ("csv", "xlsx")}
    costs = {"revenue": score.metrics["revenue"], "mdf": score.metrics["mdf_used"]}
    return page(request, "analytics/console/benchmarks_partner.html", {
        "form": form, "partner": found, "period": period, "score": score, "rows": rows_of(score),
        "tier": _tier_label(score.tier), "category": Category(score.category).label,
        "revenue": metric_text(costs["revenue"]), "mdf": metric_text(costs["mdf"]),
        "commissions": score.commissions, "support_cost": score.support_cost, "roi": metric_text(score.metrics["roi"]),
        "exports": exports}, nav="benchmarks")


@console_view()
def concentration_page(request: HttpRequest) -> HttpResponse:
    """How concentrated the partners' revenue is: the top partners' shares (bars), the others, the HHI."""
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return page(request, "analytics/console/benchmarks_concentration.html", {"form": form, "result": None},
                    nav="concentration", status=422)
    period: Period = form.cleaned_data["period"]
    result = concentration(period)
    shares = [*result.top, *([result.others] if result.others else [])]
    if wants_export(request):
        return export_response(request, f"revenue-concentration-{period.key}",
                               [_("Partner"), _("Revenue (R$)"), _("Share (%)")],
                               ([s.name or _("Other partners"), s.revenue, s.share] for s in shares))
    query = request.GET.copy()
    query.pop("export", None)
    exports = {fmt: "?" + query.urlencode() + ("&" if query else "") + f"export={fmt}" for fmt in ("csv", "xlsx")}
    return page(request, "analytics/console/benchmarks_concentration.html", {
        "form": form, "period": period, "result": result, "shares": shares, "exports": exports},
        nav="concentration")
