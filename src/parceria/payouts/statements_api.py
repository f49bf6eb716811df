"""Statements API (SPEC §7.5): a partner's monthly statement and annual income statement, as PDF or CSV.

Mounted at the API root: the paths name the partner, and a partner key only reaches its own partner.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router

from parceria.accounts.tenancy import Ability
from parceria.api.auth import principal_of
from parceria.api.schemas import ERRORS, PathId, PathMonth, PathYear, choice, month_of, year_of
from parceria.common.downloads import CSV, PDF, attachment
from parceria.partners.models import Partner
from parceria.partners.selectors import scope_partners
from parceria.payouts import informe
from parceria.payouts.statements import statement_csv, statement_for, statement_pdf
from parceria.payouts.statements.formatting import LANGUAGES, check_language
from parceria.privacy.models import LegalBasis
from parceria.privacy.sharing import partner_document_shared

router = Router(tags=["statements"])

_ERRORS = {status: schema for status, schema in ERRORS.items() if status != 409}


#: The language of a PDF.
Language = Annotated[str, choice(LANGUAGES)]


def _file_response(media_type: str, description: str) -> dict[str, Any]:
    """OpenAPI: the 200 answer is a file download."""
    schema = {"type": "string", "format": "binary"} if media_type == PDF else {"type": "string"}
    return {"responses": {200: {"description": description, "content": {media_type.split(";")[0]: {"schema": schema}}}}}


def _shared(request: HttpRequest, partner: Partner, *, informe_year: int | None = None, month: Any = None,
            fmt: str) -> None:
    """The sharing log's record of the document (privacy/sharing.py: logged when the partner is a person)."""
    if informe_year is not None:
        channel, basis, what = "informe", LegalBasis.LEGAL_OBLIGATION, f"Income statement {informe_year}"
    else:
        channel, basis, what = "statement", LegalBasis.CONTRACT, f"Monthly statement {month:%Y-%m}"
    partner_document_shared(partner=partner, channel=channel, legal_basis=basis,
                            description=f"{what} ({fmt}) downloaded through the API", actor=principal_of(request).actor)


def _partner(request: HttpRequest, partner_id: int) -> Partner:
    principal = principal_of(request)
    principal.require(Ability.READ_PAYOUTS)
    partner: Partner = get_object_or_404(scope_partners(principal), pk=partner_id)
    return partner


@router.get(
    "/partners/{int:partner_id}/statements/{period}.pdf",
    response=_ERRORS,
    summary="A partner's monthly statement (PDF)",
    openapi_extra=_file_response(PDF, "The statement of the month as an A4 PDF."),
)
def get_statement_pdf(
    request: HttpRequest, partner_id: PathId, period: PathMonth, lang: Language = "pt-br"
) -> HttpResponse:
    """Every ledger line of the month (YYYY-MM), opening balance, totals by kind, closing balance, and the
    payouts of the month's close with their withholdings. `lang`: pt-br (default), es or en."""
    partner = _partner(request, partner_id)
    month, language = month_of(period), check_language(lang)
    pdf = statement_pdf(statement_for(partner=partner, month=month), language=language)
    _shared(request, partner, month=month, fmt="PDF")
    return attachment(pdf, content_type=PDF, filename=f"parceria-statement-{partner.pk}-{month:%Y-%m}.pdf")


@router.get(
    "/partners/{int:partner_id}/statements/{period}.csv",
    response=_ERRORS,
    summary="A partner's monthly statement (CSV)",
    openapi_extra=_file_response(CSV, "One row per ledger line, then the balances and totals by kind."),
)
def get_statement_csv(request: HttpRequest, partner_id: PathId, period: str) -> HttpResponse:
    """Columns: date, kind, rule, invoice, customer, customer_name, rate, base, amount, currency, explanation;
    after the lines, rows opening_balance, total_<kind> and closing_balance."""
    partner = _partner(request, partner_id)
    month = month_of(period)
    text = statement_csv(statement_for(partner=partner, month=month))
    _shared(request, partner, month=month, fmt="CSV")
    return attachment(text, content_type=CSV, filename=f"parceria-statement-{partner.pk}-{month:%Y-%m}.csv")


@router.get(
    "/partners/{int:partner_id}/income-statements/{year}.pdf",
    response=_ERRORS,
    summary="A partner's annual income statement (informe de rendimentos, PDF)",
    openapi_extra=_file_response(PDF, "The informe de rendimentos of the calendar year as an A4 PDF."),
)
def get_income_statement_pdf(
    request: HttpRequest, partner_id: PathId, year: PathYear, lang: Language = "pt-br"
) -> HttpResponse:
    """The official model of the partner's tax regime: individuals (pf) the Comprovante de Rendimentos Pagos
    e de Imposto sobre a Renda Retido na Fonte (IN RFB 2.060/2021), companies (pj, pj_simples) the
    Comprovante Anual de Rendimentos Pagos ou Creditados e de Retenção de Imposto de Renda na Fonte (IN SRF
    119/2000), partners outside Brazil a plain statement. Only paid payouts count, in the month of their
    payment date. The official labels are Portuguese; `lang` (pt-br, the default, es or en) sets the
    language of the notes."""
    partner = _partner(request, partner_id)
    number, language = year_of(year), check_language(lang)
    pdf = informe.income_statement_pdf(informe.income_statement(partner=partner, year=number), language=language)
    _shared(request, partner, informe_year=number, fmt="PDF")
    return attachment(pdf, content_type=PDF, filename=f"parceria-income-statement-{partner.pk}-{number}.pdf")


@router.get(
    "/partners/{int:partner_id}/income-statements/{year}.csv",
    response=_ERRORS,
    summary="A partner's annual income statement (informe de rendimentos, CSV)",
    openapi_extra=_file_response(CSV, "One row per month of payment and currency, then one total row per currency."),
)
def get_income_statement_csv(request: HttpRequest, partner_id: PathId, year: str) -> HttpResponse:
    """Columns: payer_cnpj, payer_name, beneficiary_tax_id, beneficiary_name (on every row), month (of
    payment, YYYY-MM; total_YYYY on the total rows), currency, payouts, gross, withheld_<code> per tax,
    withheld_total, net. Only paid payouts count."""
    partner = _partner(request, partner_id)
    number = year_of(year)
    text = informe.income_statement_csv(informe.income_statement(partner=partner, year=number))
    _shared(request, partner, informe_year=number, fmt="CSV")
    return attachment(text, content_type=CSV, filename=f"parceria-income-statement-{partner.pk}-{number}.csv")
