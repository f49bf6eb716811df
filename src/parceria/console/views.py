"""The staff console (SPEC §14.1): the overview, partners, search and event intake. The close wizard lives in
close_views.py, disputes and adjustments in dispute_views.py."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language

from parceria.console import selectors
from parceria.partners.models import Partner
from parceria.payouts import informe
from parceria.web.access import console_view
from parceria.web.pages import page


@console_view()
def home(request: HttpRequest) -> HttpResponse:
    return page(request, "console/home.html", {"attention": selectors.attention()}, nav="home")


@console_view()
def search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    return page(request, "console/search.html", {"q": text, "results": selectors.search(text)})


@console_view()
def partner_detail(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = get_object_or_404(Partner.objects.select_related("manager"), pk=partner_id)
    return page(request, "console/partner_detail.html",
                {"partner": partner, **selectors.partner_overview(partner)}, nav="partners")


@console_view()
def partner_income_statement(request: HttpRequest, partner_id: int, year: int, fmt: str) -> HttpResponse:
    """The partner's informe de rendimentos of `year`, to send to the partner (PDF: notes in the staff
    member's language; the official model's labels stay in Portuguese)."""
    partner = get_object_or_404(Partner, pk=partner_id)
    if not 2000 <= year <= 2999:
        raise Http404("no such year")
    annual = informe.income_statement(partner=partner, year=year)
    if fmt == "pdf":
        content: bytes | str = informe.income_statement_pdf(annual, language=informe.reader_language(get_language()))
        response = HttpResponse(content, content_type="application/pdf")
    else:
        response = HttpResponse(informe.income_statement_csv(annual), content_type="text/csv; charset=utf-8")
    name = f"parceria-informe-de-rendimentos-{partner.pk}-{year}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
