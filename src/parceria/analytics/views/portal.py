"""The partner's program scorecard in the portal: its own figures for the period and its percentile among its
tier-and-category peers. Nothing of another partner is shown: not a name, not a figure, not the peers' values."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import across_partners
from parceria.analytics.benchmarks import partner_scorecard
from parceria.analytics.periods import Period
from parceria.analytics.views.console_benchmarks import PeriodForm, rows_of
from parceria.web.access import partner_of, partner_required
from parceria.web.tables import export_response, wants_export


@partner_required
def scorecard(request: HttpRequest) -> HttpResponse:
    """The partner's own scorecard for the period against its peers (percentiles only)."""
    partner = partner_of(request)
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return render(request, "analytics/portal/scorecard.html", {"nav": "program", "form": form, "score": None},
                      status=422)
    period: Period = form.cleaned_data["period"]
    # The peers' figures are read only to rank this partner among them; the page shows its own figures and its
    # percentiles, never a peer's name or value.
    with across_partners():
        score = partner_scorecard(partner, period)
    if wants_export(request):
        return export_response(request, f"scorecard-{period.key}", [_("Metric"), _("Value"), _("Percentile")],
                               ([m.label, m.value, m.percentile] for m in score.metric_list()))
    query = request.GET.copy()
    query.pop("export", None)
    exports = {fmt: "?" + query.urlencode() + ("&" if query else "") + f"export={fmt}" for fmt in ("csv", "xlsx")}
    return render(request, "analytics/portal/scorecard.html", {
        "nav": "program", "form": form, "period": period, "score": score, "rows": rows_of(score),
        "exports": exports})
