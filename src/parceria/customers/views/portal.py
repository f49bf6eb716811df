"""The partner's customers in the portal, with the revenue of each (per currency) and its CSV."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from parceria.customers import selectors
from parceria.customers.models import Customer
from parceria.web.access import partner_required, principal_for
from parceria.web.tables import build_table, export_response, wants_export


@partner_required
def customers(request: HttpRequest) -> HttpResponse:
    rows = selectors.customers_with_revenue(principal_for(request))
    sortable = {"name": "name", "since": "attributed_at", "status": "status", "revenue": "revenue_sort"}
    if wants_export(request):
        return _customers_export(request, rows, sortable)
    table = build_table(request, rows, sortable=sortable, default_sort="name")
    page = list(table.page.object_list)
    revenue = selectors.customer_revenue([c.pk for c in page])
    items = [{"customer": c, "revenue": revenue.get(c.pk, [])} for c in page]
    return render(request, "customers/portal/list.html", {"nav": "customers", "table": table, "items": items})


def _customers_export(request: HttpRequest, rows: QuerySet[Customer], sortable: dict[str, str]) -> HttpResponse:
    table = build_table(request, rows, sortable=sortable, default_sort="name", per_page=10**9)
    customers = list(table.page.object_list)
    revenue = selectors.customer_revenue([c.pk for c in customers])
    return export_response(
        request,
        "customers",
        [_("Customer id"), _("Name"), _("Status"), _("Customer since"), _("Currency"), _("Revenue")],
        (
            [c.external_id, c.name, c.get_status_display(), c.attributed_at, cur, total]
            for c in customers
            for cur, total in (revenue.get(c.pk) or [("", Decimal("0.0000"))])
        ),
    )
