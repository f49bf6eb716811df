"""Tiers in the console (SPEC §2.2): the latest assessment of every partner (filters, sorting, CSV) and an assessment
on demand. Any staff member reads; partner managers and admins run an assessment (the analyst is read-only)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parceria.accounts.tenancy import Ability
from parceria.partners.models import Tier
from parceria.tiers.assessment import tiers_assess
from parceria.tiers.forms import TierFilterForm
from parceria.tiers.selectors import (
    AssessmentRow,
    RequirementRow,
    assessment_rows,
    latest_assessments,
    run_counts,
    run_preview,
)
from parceria.web.access import actor, console_view
from parceria.web.pages import confirm_page, confirmed, page
from parceria.web.tables import build_table, export_response, wants_export

SORTS = {"partner": "partner__name", "tier": "partner__tier", "qualified": "qualified_tier",
         "assessed": "assessed_on", "change": "change"}
METRICS = ["arr", "csat", "successful_implementations", "referrals_last_quarter", "training_complete",
           "advanced_certification", "joint_business_plan"]


def _export_header() -> list[str]:
    return [_("Partner id"), _("Partner"), _("Tier"), _("Assessed on"), _("Previous tier"), _("Qualified tier"),
            _("Resulting tier"), _("Tier change"), _("Below since"), _("Demotion due"), _("ARR"), _("CSAT"),
            _("Successful implementations"), _("Referrals last quarter"), _("Training complete"),
            _("Advanced certification"), _("Joint business plan"), _("Next tier"), _("Missing for the next tier"),
            _("Integration partner"), _("Missing for integration partner")]


def _filtered(form: TierFilterForm) -> Any:
    if not form.is_valid():
        return latest_assessments()
    data = form.cleaned_data
    return latest_assessments(text=data["q"].strip(), tier=data["tier"], qualified=data["qualified"],
                              change=data["change"], integration=data["integration"])


@console_view(write=Ability.MANAGE_PARTNERS)
def tiers(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _assess(request)
    form = TierFilterForm(request.GET)
    if wants_export(request):
        table = build_table(request, _filtered(form), sortable=SORTS, default_sort="partner", per_page=10**9)
        return export_response(request, "tiers", _export_header(),
                               (_export_row(r) for r in assessment_rows(table.page.object_list)))
    table = build_table(request, _filtered(form), sortable=SORTS, default_sort="partner")
    return page(request, "tiers/console/tiers.html", {
        "form": form, "table": table, "rows": assessment_rows(table.page.object_list),
    }, nav="tiers", status=422 if form.errors else 200)


def _assess(request: HttpRequest) -> HttpResponse:
    """First POST: a confirmation with what the run does; the confirmed POST runs it and reports the counts."""
    if not confirmed(request):
        preview = run_preview()
        day = date_format(preview.on, "SHORT_DATE_FORMAT")
        lines = [
            _("Every active partner (%(count)s) is assessed with its figures as of now.") % {"count": preview.partners},
            _("A partner that qualifies for a higher tier is promoted at once; its new commission rate applies from "
              "now on. A partner below its tier is demoted only after a whole quarter below (the grace)."),
        ]
        if preview.assessed_today:
            lines.append(ngettext(
                "%(count)s partner already has an assessment on %(day)s: running again replaces its figures; the "
                "changes it made stay.",
                "%(count)s partners already have an assessment on %(day)s: running again replaces their figures; the "
                "changes they made stay.",
                preview.assessed_today,
            ) % {"count": preview.assessed_today, "day": day})
        return confirm_page(request, title=_("Assess tiers now"), lines=lines, button=_("Assess tiers now"),
                            cancel=reverse("tiers_console:list"))
    run = tiers_assess(actor=actor(request))
    counts = run_counts(run)
    messages.success(request, _(
        "Tier assessment of %(day)s done. Partners assessed: %(assessed)s; promoted: %(promoted)s, demoted: "
        "%(demoted)s, unchanged: %(unchanged)s (below their tier within the grace: %(grace)s)."
    ) % {"day": date_format(run.on, "SHORT_DATE_FORMAT"), "assessed": counts.assessed, "promoted": counts.promoted,
         "demoted": counts.demoted, "unchanged": counts.unchanged, "grace": counts.in_grace})
    return redirect("tiers_console:list")


def _tier(value: str | None) -> Any:
    """A tier's name in the reader's language (blank for none)."""
    return Tier(value).label if value in Tier.values else value


def _export_row(row: AssessmentRow) -> list[Any]:
    a = row.assessment
    metrics = a.evidence.get("metrics", {})
    missing = "; ".join(_missing_text(m) for m in row.missing)
    change = {"promoted": _("promoted"), "demoted": _("demoted")}.get(a.change, _("unchanged"))
    return [
        row.partner.pk, row.partner.name, _tier(row.partner.tier), a.assessed_on, _tier(a.previous_tier),
        _tier(a.qualified_tier), _tier(a.resulting_tier), change, a.below_since, row.demotion_due,
        *(_cell(metrics.get(name)) for name in METRICS), _tier(row.next_tier), missing, *_integration_cells(row),
    ]


def _integration_cells(row: AssessmentRow) -> list[str]:
    """"qualified" / "not qualified" (blank: not an integration partner) and its unmet requirements."""
    if row.integration is None:
        return ["", ""]
    status = _("qualified") if row.integration.qualified else _("not qualified")
    return [status, "; ".join(_missing_text(m) for m in row.integration.missing)]


def _missing_text(row: RequirementRow) -> str:
    """arr: 1200.00 (needs >= 50000.00), 48800.00 more; advanced_certification: required."""
    if row.op == "true":
        return f"{row.metric}: required"
    now = "none" if row.actual is None else row.actual
    gap = f", {row.gap} more" if row.gap is not None else ""
    return f"{row.metric}: {now} (needs {row.op} {row.required}){gap}"


def _cell(value: Any) -> Any:
    """A metric as the evidence stores it: a yes/no, a number (amounts and scores as text: "1200.00"), or none."""
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value
