"""The partner portal (SPEC §14.1): what a partner's users do every week.

Views are thin: they read the signed-in user's partner, call a selector or a service, and render. The
partner always comes from `request.user`, never from the URL (DESIGN rule 6)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from parceria.commissions.models import LedgerLine
from parceria.common.downloads import CSV, PDF, attachment
from parceria.customers.models import Customer
from parceria.partners.tier_selectors import tier_overview
from parceria.payouts import informe
from parceria.payouts.selectors import payout_rows
from parceria.payouts.statements import statement_csv, statement_for, statement_pdf
from parceria.payouts.statements.formatting import reader_language
from parceria.portal import selectors
from parceria.portal.common import partner_of
from parceria.portal.forms import KIND_LABELS, LedgerFilterForm
from parceria.web.access import partner_required, principal_for
from parceria.web.tables import build_table, csv_response, wants_csv


def statement_language() -> str:
    """The statements' language for the user's page language (pt-br, es, or en for any other)."""
    return reader_language(get_language())


@partner_required
def home(request: HttpRequest) -> HttpResponse:
    partner = partner_of(request)
    board = selectors.dashboard(partner)
    columns = [[(s["currency"], value) for value in s["values"]] for s in board.chart["series"]]
    rows = list(zip(board.chart["labels"], zip(*columns, strict=True), strict=True))  # (month, ((currency, v), …))
    context = {"nav": "home", "board": board, "chart": board.chart, "chart_rows": rows,
               "tier_overview": tier_overview(partner)}
    return render(request, "portal/home.html", context)


@partner_required
def tier(request: HttpRequest) -> HttpResponse:
    """The partner's tier, its benefits and what is missing for the next tier (SPEC §2.3)."""
    return render(request, "portal/tier.html", {"nav": "tier", "overview": tier_overview(partner_of(request))})


@partner_required
def customers(request: HttpRequest) -> HttpResponse:
    rows = selectors.customers_with_revenue(principal_for(request))
    sortable = {"name": "name", "since": "attributed_at", "status": "status", "revenue": "revenue_sort"}
    if wants_csv(request):
        return _customers_csv(request, rows, sortable)
    table = build_table(request, rows, sortable=sortable, default_sort="name")
    page = list(table.page.object_list)
    revenue = selectors.customer_revenue([c.pk for c in page])
    items = [{"customer": c, "revenue": revenue.get(c.pk, [])} for c in page]
    return render(request, "portal/customers.html", {"nav": "customers", "table": table, "items": items})


def _customers_csv(request: HttpRequest, rows: QuerySet[Customer], sortable: dict[str, str]) -> HttpResponse:
    table = build_table(request, rows, sortable=sortable, default_sort="name", per_page=10**9)
    customers = list(table.page.object_list)
    revenue = selectors.customer_revenue([c.pk for c in customers])
    return csv_response(
        "customers.csv",
        ["external_id", "name", "status", "attributed_at", "currency", "revenue"],
        (
            [c.external_id, c.name, c.status, c.attributed_at.isoformat() if c.attributed_at else "", cur, str(total)]
            for c in customers
            for cur, total in (revenue.get(c.pk) or [("", Decimal("0.0000"))])
        ),
    )


@partner_required
def ledger(request: HttpRequest) -> HttpResponse:
    partner = partner_of(request)
    form = LedgerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    search = {"kind": filters.get("kind", ""), "month": selectors.parse_month(filters.get("month")),
              "text": (filters.get("q") or "").strip()}
    lines = selectors.ledger_search(partner, **search)
    sortable = {"date": "occurred_at", "kind": "kind", "amount": "amount", "month": "period"}
    if wants_csv(request):
        return _ledger_csv(request, lines, sortable)
    # The page shows a few columns only; the count comes from the ledger totals when no text search is given.
    shown = lines.only("id", "occurred_at", "kind", "invoice_id", "explanation", "amount", "currency", "customer__name")
    table = build_table(request, shown, sortable=sortable, default_sort="-date",
                        count=selectors.ledger_count(partner, **search))
    return render(request, "portal/ledger.html",
                  {"nav": "ledger", "table": table, "form": form, "kinds": KIND_LABELS, "filtered": bool(filters)})


def _ledger_csv(request: HttpRequest, lines: QuerySet[LedgerLine], sortable: dict[str, str]) -> HttpResponse:
    table = build_table(request, lines, sortable=sortable, default_sort="-date", per_page=10**9)
    return csv_response(
        "commissions.csv",
        ["id", "date", "month", "kind", "rule", "invoice", "customer", "rate", "base", "amount", "currency",
         "explanation"],
        (
            [line.pk, line.occurred_at.isoformat(), f"{line.period:%Y-%m}", line.kind, line.rule,
             line.invoice_id or "", line.customer.name if line.customer else "", line.rate if line.rate else "",
             line.base if line.base is not None else "", str(line.amount), line.currency, line.explanation]
            for line in table.page.object_list
        ),
    )


@partner_required
def ledger_line(request: HttpRequest, line_id: int) -> HttpResponse:
    partner = partner_of(request)
    line = get_object_or_404(
        LedgerLine.objects.select_related("customer", "reverses", "plan"), pk=line_id, partner=partner
    )
    disputes = line.disputes.filter(partner=partner).order_by("-opened_at")
    return render(request, "portal/ledger_line.html",
                  {"nav": "ledger", "line": line, "kinds": KIND_LABELS, "disputes": disputes})


@partner_required
def payouts(request: HttpRequest) -> HttpResponse:
    partner = partner_of(request)
    sortable = {"period": "batch__period", "gross": "gross", "net": "net", "due": "due_date"}
    if wants_csv(request):
        table = build_table(request, selectors.partner_payouts(partner), sortable=sortable, default_sort="-period",
                            per_page=10**9)
        return _payouts_csv(payout_rows(table.page.object_list))
    table = build_table(request, selectors.partner_payouts(partner), sortable=sortable, default_sort="-period")
    rows = payout_rows(table.page.object_list)
    return render(request, "portal/payouts.html", {
        "nav": "payouts", "table": table, "rows": rows,
        "months": selectors.ledger_months(partner), "years": informe.paid_years(partner),
    })


def _payouts_csv(rows: list[dict[str, Any]]) -> HttpResponse:
    return csv_response(
        "payouts.csv",
        ["id", "period", "currency", "gross", "withholdings", "net", "due_date", "status", "late"],
        (
            [r["id"], f"{r['period']:%Y-%m}", r["currency"], r["gross"],
             "; ".join(f"{w['code']}={w['amount']}" for w in r["withholdings"]), r["net"], r["due_date"].isoformat(),
             r["status"], "yes" if r["late"] else "no"]
            for r in rows
        ),
    )


def _month_or_404(year: int, month: int) -> date:
    if not 1 <= month <= 12 or not 2000 <= year <= 2999:
        raise Http404("no such month")
    return date(year, month, 1)


@partner_required
def statement(request: HttpRequest, year: int, month: int, fmt: str) -> HttpResponse:
    partner, period = partner_of(request), _month_or_404(year, month)
    monthly = statement_for(partner=partner, month=period)
    name = f"parceria-statement-{period:%Y-%m}.{fmt}"
    if fmt == "pdf":
        return attachment(statement_pdf(monthly, language=statement_language()), content_type=PDF, filename=name)
    return attachment(statement_csv(monthly), content_type=CSV, filename=name)


@partner_required
def income(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    partner = partner_of(request)
    if not 2000 <= year <= 2999:
        raise Http404("no such year")
    annual = informe.income_statement(partner=partner, year=year)
    name = f"parceria-informe-de-rendimentos-{year}.{fmt}"
    if fmt == "pdf":
        return attachment(informe.income_statement_pdf(annual, language=statement_language()), content_type=PDF,
                          filename=name)
    return attachment(informe.income_statement_csv(annual), content_type=CSV, filename=name)

