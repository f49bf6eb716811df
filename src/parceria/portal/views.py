"""The partner portal (SPEC §14.1): what a partner's users do every week."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parceria.web.access import partner_required


@partner_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {})
