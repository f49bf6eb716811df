"""The partner's tier page in the portal."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parceria.tiers.selectors import tier_overview
from parceria.web.access import partner_of, partner_required


@partner_required
def tier(request: HttpRequest) -> HttpResponse:
    """The partner's tier, its benefits and what is missing for the next tier (SPEC §2.3)."""
    return render(request, "tiers/portal/tier.html", {"nav": "tier", "overview": tier_overview(partner_of(request))})
