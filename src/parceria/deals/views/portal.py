"""The partner's deal registrations in the portal: its own list (those expiring soon marked), one registration and
its outcome, the form to register a deal and, on an approved registration, the one request for an extension.
Another partner's registration is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parceria.deals.forms import CsvUploadForm, DealForm, ExtensionForm
from parceria.deals.models import DealRegistration, DealStatus
from parceria.deals.selectors import deal_list, scope_deals, soon_until
from parceria.deals.services import deal_extension_request, deal_register, is_expired
from parceria.deals.uploads import (
    REGISTRATION_COLUMNS,
    REGISTRATION_MAX_BYTES,
    REGISTRATION_MAX_ROWS,
    REGISTRATION_REQUIRED,
    registrations_upload,
)
from parceria.deals.views.exports import export_header, export_row
from parceria.deals.views.uploads import REGISTRATION_EXAMPLE, Upload, run_upload, template_response
from parceria.web.access import actor, partner_of, partner_required, principal_for
from parceria.web.forms import attempt
from parceria.web.tables import build_table, export_response, wants_export

SORTS = {"created": "created_at", "company": "company_name", "status": "status", "expires": "expires_on"}


@partner_required
def my_deals(request: HttpRequest) -> HttpResponse:
    table = build_table(request, deal_list(principal_for(request)), sortable=SORTS, default_sort="-created",
                        per_page=10**9 if wants_export(request) else 25)
    if wants_export(request):
        rows = (export_row(r) for r in table.page.object_list)
        return export_response(request, "deal-registrations", export_header(), rows)
    today = timezone.localdate()
    return render(request, "deals/portal/list.html", {"nav": "deals", "table": table, "today": today,
                                                      "soon_until": soon_until(today)})


def _detail(request: HttpRequest, registration: DealRegistration, *, form: ExtensionForm | None = None,
            status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    extendable = (registration.status == DealStatus.APPROVED and not registration.extension_status
                  and not is_expired(registration, today))
    context = {"nav": "deals", "registration": registration, "extension_form": form or ExtensionForm(),
               "extendable": extendable or bool(form and form.errors),
               "expires_soon": extendable and registration.expires_on <= soon_until(today)}
    return render(request, "deals/portal/detail.html", context, status=status)


@partner_required
def my_deal(request: HttpRequest, registration_id: int) -> HttpResponse:
    return _detail(request, get_object_or_404(scope_deals(principal_for(request)), pk=registration_id))


@partner_required
@require_POST
def deal_extension(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = get_object_or_404(scope_deals(principal_for(request)), pk=registration_id)
    form = ExtensionForm(request.POST)
    if form.is_valid() and attempt(form, lambda: deal_extension_request(
            registration=registration, reason=form.cleaned_data["reason"], actor=actor(request)), field="reason"):
        messages.success(request, _("Extension requested: our team will decide it."))
        return redirect("deals_portal:detail", registration_id=registration.pk)
    return _detail(request, registration, form=form, status=422)


@partner_required
def deal_new(request: HttpRequest) -> HttpResponse:
    form = DealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        registration = attempt(form, lambda: deal_register(partner=partner_of(request), fields=form.fields_given(),
                                                           actor=actor(request)))
        if registration is not None:
            outcome = {DealStatus.APPROVED: _("Deal registered and approved."),
                       DealStatus.IN_REVIEW: _("Deal registered: our team will review it."),
                       }.get(registration.status, _("Deal registration refused."))
            (messages.success if registration.status == DealStatus.APPROVED else messages.info)(request, outcome)
            return redirect("deals_portal:detail", registration_id=registration.pk)
    return render(request, "deals/portal/new.html", {"nav": "deals", "form": form},
                  status=422 if form.errors else 200)


@partner_required
def deals_upload(request: HttpRequest) -> HttpResponse:
    """Register many deals from a CSV file: every row checked first (nothing stored if one is bad), then each
    registered as if by hand, and each row's outcome shown."""
    form = CsvUploadForm(request.POST or None, request.FILES or None, max_bytes=REGISTRATION_MAX_BYTES)
    upload = Upload()
    if request.method == "POST":
        upload = run_upload(form, columns=REGISTRATION_COLUMNS, required=REGISTRATION_REQUIRED,
                            max_rows=REGISTRATION_MAX_ROWS,
                            action=lambda rows: registrations_upload(rows, actor=actor(request),
                                                                     partner=partner_of(request)))
    return render(request, "deals/upload.html", {
        "nav": "deals", "form": form, "outcomes": upload.result, "errors": upload.errors, "staff": False,
        "max_rows": REGISTRATION_MAX_ROWS, "columns": REGISTRATION_COLUMNS,
        "template_url": reverse("deals_portal:upload_template")}, status=upload.status)


@partner_required
def deals_template(request: HttpRequest) -> HttpResponse:
    return template_response(REGISTRATION_COLUMNS, REGISTRATION_EXAMPLE, "deal-registrations-template.csv")
