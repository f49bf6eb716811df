"""The partner's payouts in the portal, with its monthly statements and yearly income statements (PDF, CSV)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parceria.commissions.selectors import ledger_months
from parceria.common.downloads import CSV, PDF, attachment
from parceria.payouts import informe
from parceria.payouts.models import PayoutStatus
from parceria.payouts.selectors import partner_payouts, payout_rows
from parceria.payouts.statements import statement_csv, statement_for, statement_pdf
from parceria.payouts.statements.formatting import reader_language
from parceria.privacy.models import LegalBasis
from parceria.privacy.sharing import partner_document_shared
from parceria.web.access import actor, partner_of, partner_required
from parceria.web.tables import build_table, export_response, wants_export


def statement_language() -> str:
    """The statements' language for the user's page language (pt-br, es, or en for any other)."""
    return reader_language(get_language())


@partner_required
def payouts(request: HttpRequest) -> HttpResponse:
    partner = partner_of(request)
    sortable = {"period": "batch__period", "gross": "gross", "net": "net", "due": "due_date"}
    if wants_export(request):
        table = build_table(request, partner_payouts(partner), sortable=sortable, default_sort="-period",
                            per_page=10**9)
        return _payouts_export(request, payout_rows(table.page.object_list))
    table = build_table(request, partner_payouts(partner), sortable=sortable, default_sort="-period")
    rows = payout_rows(table.page.object_list)
    return render(request, "payouts/portal/payouts.html", {
        "nav": "payouts", "table": table, "rows": rows,
        "months": ledger_months(partner), "years": informe.paid_years(partner),
    })


def _payouts_export(request: HttpRequest, rows: list[dict[str, Any]]) -> HttpResponse:
    return export_response(
        request,
        "payouts",
        [_("Payout"), _("Month"), _("Currency"), _("Gross"), _("Withheld"), _("Tax codes"), _("Net"), _("Due date"),
         _("Status"), _("Late")],
        (
            [r["id"], f"{r['period']:%Y-%m}", r["currency"], Decimal(r["gross"]),
             sum((Decimal(w["amount"]) for w in r["withholdings"]), Decimal("0.0000")),
             ", ".join(w["code"] for w in r["withholdings"]), Decimal(r["net"]), r["due_date"],
             PayoutStatus(r["status"]).label, r["late"]]
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
        response = attachment(statement_pdf(monthly, language=statement_language()), content_type=PDF, filename=name)
    else:
        response = attachment(statement_csv(monthly), content_type=CSV, filename=name)
    partner_document_shared(partner=partner, channel="statement", legal_basis=LegalBasis.CONTRACT,
                            description=f"Monthly statement {period:%Y-%m} ({fmt.upper()}) downloaded in the portal",
                            actor=actor(request))
    return response


@partner_required
def income(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    partner = partner_of(request)
    if not 2000 <= year <= 2999:
        raise Http404("no such year")
    annual = informe.income_statement(partner=partner, year=year)
    name = f"parceria-informe-de-rendimentos-{year}.{fmt}"
    if fmt == "pdf":
        response = attachment(informe.income_statement_pdf(annual, language=statement_language()), content_type=PDF,
                              filename=name)
    else:
        response = attachment(informe.income_statement_csv(annual), content_type=CSV, filename=name)
    partner_document_shared(partner=partner, channel="informe", legal_basis=LegalBasis.LEGAL_OBLIGATION,
                            description=f"Income statement {year} ({fmt.upper()}) downloaded in the portal",
                            actor=actor(request))
    return response
