"""Account mapping in the portal (namespace mapping_portal, under /portal/account-mapping/): the partner uploads its
customer list, sets what it shares (its admins: a level that shares matched accounts is the partner's consent), and
reads each mapping's overlap counts and the matches both sides agreed to show. The partner always comes from
`request.user`; mappings are read through `selectors.scope_mappings`."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from parceria.accounts.tenancy import Ability
from parceria.mapping import selectors, services
from parceria.mapping.forms import PartnerLevelForm, UploadForm
from parceria.mapping.models import SharingLevel
from parceria.mapping.views.shared import export, export_list, results
from parceria.privacy.consent_texts import current_text
from parceria.privacy.models import ConsentPurpose
from parceria.web.access import actor, partner_of, partner_required, principal_for, require
from parceria.web.forms import attempt
from parceria.web.tables import build_table, wants_export

SORTS = {"created": "created_at", "accounts": "accounts"}


def _index(request: HttpRequest, form: UploadForm, level_form: PartnerLevelForm, status: int = 200) -> HttpResponse:
    principal = principal_for(request)
    table = build_table(request, selectors.mapping_list(principal), sortable=SORTS, default_sort="-created",
                        per_page=10**9 if wants_export(request) else 25)
    rows = selectors.with_totals(table.page)
    if wants_export(request):
        return export_list(request, rows, with_partner=False)
    levels = selectors.sharing_levels(principal.partner_id or 0)
    return render(request, "mapping/portal/index.html",
                  {"nav": "mapping", "form": form, "level_form": level_form, "table": table, "rows": rows,
                   "levels": levels, "partner_level_label": SharingLevel(levels.partner).label,
                   "consent_text": current_text(ConsentPurpose.ACCOUNT_MAPPING)}, status=status)


@partner_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    levels = selectors.sharing_levels(principal_for(request).partner_id or 0)
    level_form = PartnerLevelForm(initial={"level": levels.partner})
    if request.method != "POST":
        return _index(request, UploadForm(), level_form)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            mapping = attempt(form, lambda: services.mapping_create(partner=partner_of(request), data=upload.read(),
                                                                    actor=actor(request)), "file")
        finally:
            upload.close()  # a temporary file of the upload is deleted here; the list is kept nowhere
        if mapping is not None:
            messages.success(request, _("Your list was mapped: %(n)s accounts compared.") % {"n": mapping.accounts})
            return redirect("mapping_portal:detail", mapping_id=mapping.pk)
    return _index(request, form, level_form, status=422)


@partner_required
@require_http_methods(["POST"])
def sharing(request: HttpRequest) -> HttpResponse:
    # A level that shares matched accounts is the partner's consent (privacy.consent): its admins choose it.
    require(request, Ability.MANAGE_USERS)
    form = PartnerLevelForm(request.POST)
    if form.is_valid():
        services.partner_sharing_set(partner=partner_of(request), partner_level=form.cleaned_data["level"],
                                     actor=actor(request))
        messages.success(request, _("What you share was saved."))
        return redirect("mapping_portal:index")
    return _index(request, UploadForm(), form, status=422)


@partner_required
def detail(request: HttpRequest, mapping_id: int) -> HttpResponse:
    mapping = get_object_or_404(selectors.scope_mappings(principal_for(request)).select_related("partner"),
                                pk=mapping_id)
    if wants_export(request):
        if request.GET.get("table") == "matches":
            level = selectors.sharing_levels(mapping.partner_id).effective
            services.matches_shared(mapping=mapping, count=selectors.matched_accounts(mapping, level).count(),
                                    how=f"downloaded as {request.GET['export']}", actor=actor(request))
        return export(request, mapping)
    context = results(mapping)
    shown = len(context["matches"])
    services.matches_shared(mapping=mapping, count=shown, how="shown in the portal", actor=actor(request))
    return render(request, "mapping/portal/detail.html", {"nav": "mapping", **context})
