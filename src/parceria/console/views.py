"""The staff console's own pages (SPEC §14.1): the overview of what needs attention, the search of partners and
customers, and a partner's page, which gathers what every app knows about the partner. Every other console page
lives in its app (`<app>/views/console.py`, included by console/urls.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from parceria.common.pix import masked_pix_key
from parceria.console import selectors
from parceria.partners.models import Partner
from parceria.web.access import console_view
from parceria.web.pages import page


@console_view()
def home(request: HttpRequest) -> HttpResponse:
    overview = selectors.finance_overview()
    chart_rows = [(label, [(s["currency"], s["accrued"][i], s["clawed_back"][i]) for s in overview.chart["series"]])
                  for i, label in enumerate(overview.chart["labels"])]
    context = {"attention": selectors.attention(), "overview": overview, "chart": overview.chart,
               "chart_rows": chart_rows}
    return page(request, "console/home.html", context, nav="home")


@console_view()
def search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    return page(request, "console/search.html", {"q": text, "results": selectors.search(text)})


@console_view()
def partner_detail(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = get_object_or_404(Partner.objects.select_related("manager"), pk=partner_id)
    return page(request, "console/partner_detail.html",
                {"partner": partner, "pix_key_masked": masked_pix_key(partner.pix_key),
                 **selectors.partner_overview(partner)}, nav="partners")
