"""The partner list in the console: search, filters, sorting and its CSV. A partner's own page, which gathers
what every app knows about it, is the console's (console/views.py)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from parceria.partners.forms import PartnerFilterForm
from parceria.partners.models import Partner
from parceria.web.access import console_view
from parceria.web.pages import page
from parceria.web.tables import build_table, export_response, wants_export

PARTNER_SORTS = {"name": "name", "legal_name": "legal_name", "status": "status", "tier": "tier",
                 "category": "category", "country": "country", "created": "created_at"}


def _partners(form: PartnerFilterForm) -> QuerySet[Partner]:
    qs = Partner.objects.all()
    if not form.is_valid():
        return qs
    data = form.cleaned_data
    if data["q"]:
        text = data["q"].strip()
        qs = qs.filter(Q(name__icontains=text) | Q(legal_name__icontains=text) | Q(tax_id__icontains=text))
    for field in ("status", "tier", "category"):
        if data[field]:
            qs = qs.filter(**{field: data[field]})
    if data["country"]:
        qs = qs.filter(country=data["country"].upper())
    return qs


@console_view()
def partners(request: HttpRequest) -> HttpResponse:
    form = PartnerFilterForm(request.GET)
    table = build_table(request, _partners(form), sortable=PARTNER_SORTS, default_sort="name")
    if wants_export(request):
        rows = ([p.pk, p.name, p.legal_name, p.tax_id, p.country, p.currency, p.get_status_display(),
                 p.get_tier_display() if p.tier else None, p.get_category_display()]
                for p in _partners(form).order_by("name"))
        header = [_("Partner"), _("Name"), _("Legal name"), _("Tax id"), _("Country"), _("Currency"), _("Status"),
                  _("Tier"), _("Category")]
        return export_response(request, "partners", header, rows)
    return page(request, "partners/console/list.html", {"form": form, "table": table}, nav="partners")


