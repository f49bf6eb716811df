"""The partner's commission lines in the portal: search, filters, CSV, and one line with its explanation and
disputes."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from parceria.commissions.forms import KIND_LABELS, LedgerFilterForm
from parceria.commissions.line_status import line_statuses
from parceria.commissions.models import LedgerLine
from parceria.commissions.selectors import ledger_search, ledger_summary, parse_month
from parceria.web.access import partner_of, partner_required
from parceria.web.tables import build_table, export_response, wants_export


@partner_required
def ledger(request: HttpRequest) -> HttpResponse:
    partner = partner_of(request)
    form = LedgerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    search = {"kind": filters.get("kind", ""), "month": parse_month(filters.get("month")),
              "text": (filters.get("q") or "").strip()}
    lines = ledger_search(partner, **search)
    sortable = {"date": "occurred_at", "kind": "kind", "amount": "amount", "month": "period"}
    if wants_export(request):
        return _ledger_export(request, lines, sortable)
    # The page shows a few columns only; the count comes from the ledger totals when no text search is given.
    shown = lines.only("id", "partner_id", "occurred_at", "period", "kind", "rule", "invoice_id", "explanation",
                       "amount", "currency", "rate", "base", "share", "dedupe_key", "customer__name",
                       "invoice__currency")
    summary = ledger_summary(partner, **search)
    table = build_table(request, shown, sortable=sortable, default_sort="-date", count=summary.count)
    statuses = line_statuses(list(table.page.object_list))
    return render(request, "commissions/portal/ledger.html",
                  {"nav": "ledger", "table": table, "form": form, "kinds": KIND_LABELS, "filtered": bool(filters),
                   "statuses": statuses, "sums": summary.sums})


def _ledger_export(request: HttpRequest, lines: QuerySet[LedgerLine], sortable: dict[str, str]) -> HttpResponse:
    table = build_table(request, lines, sortable=sortable, default_sort="-date", per_page=10**9)
    return export_response(
        request,
        "commissions",
        [_("Line"), _("Date"), _("Month"), _("Kind"), _("Rule"), _("Invoice"), _("Customer"), _("Rate"), _("Base"),
         _("Amount"), _("Currency"), _("Explanation")],
        (
            [line.pk, line.occurred_at, f"{line.period:%Y-%m}", line.get_kind_display(), line.get_rule_display(),
             line.invoice_id, line.customer.name if line.customer else None, line.rate or None, line.base,
             line.amount, line.currency, line.explanation]
            for line in table.page.object_list
        ),
    )


@partner_required
def ledger_line(request: HttpRequest, line_id: int) -> HttpResponse:
    partner = partner_of(request)
    line = get_object_or_404(
        LedgerLine.objects.select_related("customer", "invoice", "reverses", "plan"), pk=line_id, partner=partner
    )
    disputes = line.disputes.filter(partner=partner).order_by("-opened_at")
    return render(request, "commissions/portal/ledger_line.html",
                  {"nav": "ledger", "line": line, "kinds": KIND_LABELS, "disputes": disputes,
                   "status": line_statuses([line])[line.pk]})
