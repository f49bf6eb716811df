"""The partner portal's own page (SPEC §14.1): the dashboard. Every other portal page lives in its app
(`<app>/views/portal.py`, included by portal/urls.py).

Views are thin: they read the signed-in user's partner, call a selector or a service, and render. The
partner always comes from `request.user`, never from the URL (DESIGN rule 6)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from parceria.community.rules import quarter_now
from parceria.community.selectors import has_answered, unread_announcements
from parceria.deals.selectors import expiring_soon
from parceria.portal import selectors
from parceria.tiers.selectors import tier_overview
from parceria.web.access import partner_of, partner_required, principal_for


@partner_required
def home(request: HttpRequest) -> HttpResponse:
    partner = partner_of(request)
    board = selectors.dashboard(partner)
    columns = [[(s["currency"], value) for value in s["values"]] for s in board.chart["series"]]
    rows = list(zip(board.chart["labels"], zip(*columns, strict=True), strict=True))  # (month, ((currency, v), …))
    context = {"nav": "home", "board": board, "chart": board.chart, "chart_rows": rows,
               "tier_overview": tier_overview(partner),
               "expiring_deals": list(expiring_soon(principal_for(request), timezone.localdate())[:3]),
               "unread_announcements": unread_announcements(partner, request.user),
               "survey_open": not has_answered(partner, request.user, quarter_now()), "quarter": quarter_now()}
    return render(request, "portal/home.html", context)
