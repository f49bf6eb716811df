"""Account mapping in the console (namespace mapping_console, under /console/account-mappings/): every partner's
mappings with their overlap, the program-wide sharing level, and a mapping's results with the partner's company
level, the comparison run again against today's customers, and the overlap as the evidence of the evaluation
criterion "customer overlap"."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability
from parceria.mapping import selectors, services
from parceria.mapping.forms import CompanyLevelForm, ProgramLevelForm
from parceria.mapping.models import AccountMapping
from parceria.mapping.views.shared import export, export_list, results
from parceria.partners.models import Partner
from parceria.web.access import actor, console_view, principal_for
from parceria.web.pages import page
from parceria.web.tables import build_table, wants_export

SORTS = {"created": "created_at", "partner": "partner__name", "accounts": "accounts"}


def _list(request: HttpRequest, form: ProgramLevelForm, status: int = 200) -> HttpResponse:
    table = build_table(request, selectors.mapping_list(principal_for(request)), sortable=SORTS,
                        default_sort="-created", per_page=10**9 if wants_export(request) else 25)
    rows = selectors.with_totals(table.page)
    if wants_export(request):
        return export_list(request, rows, with_partner=True)
    return page(request, "mapping/console/list.html", {"table": table, "rows": rows, "form": form}, nav="mapping",
                status=status)


@console_view(write=Ability.MANAGE_PARTNERS)
def mappings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ProgramLevelForm(request.POST)
        if not form.is_valid():
            return _list(request, form, status=422)
        services.program_sharing_set(level=form.cleaned_data["level"], actor=actor(request))
        messages.success(request, _("The program-wide sharing level was saved."))
        return redirect("mapping_console:list")
    return _list(request, ProgramLevelForm(initial={"level": selectors.program_level()}))


def _mapping(mapping_id: int) -> AccountMapping:
    return get_object_or_404(AccountMapping.objects.select_related("partner").defer("salt"), pk=mapping_id)


def _detail(request: HttpRequest, mapping: AccountMapping, form: CompanyLevelForm | None = None,
            status: int = 200) -> HttpResponse:
    context = results(mapping)
    levels = context["levels"]
    form = form or CompanyLevelForm(initial={"level": "" if levels.company_is_program else levels.company})
    latest = selectors.customer_overlap(mapping.partner_id)
    return page(request, "mapping/console/detail.html",
                {**context, "form": form, "overlap": latest, "is_latest": latest is not None
                 and latest.mapping.pk == mapping.pk}, nav="mapping", status=status)


@console_view()
def detail(request: HttpRequest, mapping_id: int) -> HttpResponse:
    mapping = _mapping(mapping_id)
    if request.GET.get("export"):
        return export(request, mapping)
    return _detail(request, mapping)


@console_view(read=None, write=Ability.MANAGE_PARTNERS)
def sharing(request: HttpRequest, mapping_id: int) -> HttpResponse:
    mapping = _mapping(mapping_id)
    form = CompanyLevelForm(request.POST)
    if not form.is_valid():
        return _detail(request, mapping, form, status=422)
    partner = get_object_or_404(Partner, pk=mapping.partner_id)
    services.partner_sharing_set(partner=partner, company_level=form.cleaned_data["level"], actor=actor(request))
    messages.success(request, _("What we share with %(partner)s was saved.") % {"partner": partner.name})
    return redirect("mapping_console:detail", mapping_id=mapping.pk)


@console_view(read=None, write=Ability.MANAGE_PARTNERS)
def rematch(request: HttpRequest, mapping_id: int) -> HttpResponse:
    mapping = AccountMapping.objects.get(pk=_mapping(mapping_id).pk)
    services.mapping_match(mapping=mapping, actor=actor(request))
    messages.success(request, _("The list was compared again with today's customers and opportunities."))
    return redirect("mapping_console:detail", mapping_id=mapping.pk)
