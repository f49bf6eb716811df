"""The start page (the installation's figures and, with the demo data loaded, its logins) and the health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from parceria.commissions.models import LedgerLine
from parceria.customers.models import Customer
from parceria.demo.logins import DEMO_PASSWORD, demo_loaded, demo_totp_key, existing_logins
from parceria.partners.models import Partner


def start(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {
        "partners": Partner.objects.count(),
        "customers": Customer.objects.count(),
        "ledger_lines": LedgerLine.objects.count(),
        "database": connection.vendor,
    }
    if demo_loaded():
        # Demo data only: these accounts and their password are public by design.
        context |= {"demo_logins": existing_logins(), "demo_password": DEMO_PASSWORD, "demo_totp": demo_totp_key()}
    return render(request, "site/start.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
