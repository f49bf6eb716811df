"""The staff console (SPEC §14.1): partner managers and finance run the program here."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parceria.web.access import staff_required


@staff_required()
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "console/home.html", {})
