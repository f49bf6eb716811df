"""The staff console (SPEC §14.1): the overview, partners, search and event intake. The close wizard lives in
close_views.py, disputes and adjustments in dispute_views.py."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from parceria.console import selectors
from parceria.partners.models import Partner
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
