"""Agreements in the staff console: list (filters, CSV), create and edit, documents, terms, upcoming dates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability
from parceria.agreements import services
from parceria.agreements.files import pdf_download
from parceria.agreements.forms import (
    AgreementFilterForm,
    AgreementForm,
    DocumentForm,
    ExclusivityForm,
    RateOverrideForm,
    StatusForm,
)
from parceria.agreements.models import Agreement, AgreementDocument, AgreementType
from parceria.agreements.selectors import agreement_dates, agreement_list, agreement_row
from parceria.common.alerts import alerts_due, lead_days_setting
from parceria.web.access import actor, console_view
from parceria.web.forms import attempt
from parceria.web.pages import page
from parceria.web.tables import build_table, export_response, wants_export

SORTS = {"start": "start_date", "partner": "partner__name", "type": "type", "status": "status"}
TEMPLATE = "agreements/console/"


def _filtered(form: AgreementFilterForm) -> Any:
    if not form.is_valid():
        return agreement_list()
    data = form.cleaned_data
    return agreement_list(partner_id=data["partner"].pk if data["partner"] else None, type=data["type"],
                          status=data["status"])


@console_view()
def agreement_list_page(request: HttpRequest) -> HttpResponse:
    form = AgreementFilterForm(request.GET)
    today = timezone.localdate()
    if wants_export(request):
        header = [_("Agreement"), _("Partner"), _("Type"), _("Status"), _("Start date"), _("Term ends"), _("Renews"),
                  _("Notice deadline"), _("Signed on")]
        rows = []
        for a in _filtered(form):
            d = agreement_dates(a, today)
            rows.append([a.pk, a.partner.name, a.get_type_display(), a.get_status_display(), a.start_date, d.term_end,
                         d.renewal, d.notice_deadline, a.signed_on])
        return export_response(request, "agreements", header, rows)
    table = build_table(request, _filtered(form), sortable=SORTS, default_sort="-start")
    page_rows = [agreement_row(a, today) for a in table.page.object_list]
    return page(request, TEMPLATE + "list.html", {"form": form, "table": table, "rows": page_rows}, nav="agreements")


def _save(request: HttpRequest, form: AgreementForm, agreement: Agreement | None) -> Agreement | None:
    if not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    partner = data.pop("partner")
    kind = data.pop("type")
    if agreement is None:
        data = {k: v for k, v in data.items() if v not in (None, "") or k in ("title", "notes")}
        if not request.POST.get("auto_renewal"):
            data.pop("auto_renewal", None)  # unticked on a new agreement: the type's default
        return attempt(form, lambda: services.agreement_create(
            partner=partner, fields=services.AgreementFields(type=kind, **data), actor=actor(request)))
    return attempt(form, lambda: services.agreement_update(
        agreement=agreement, changes=services.AgreementChanges(**data), actor=actor(request)))


@console_view(write=Ability.MANAGE_PARTNERS)
def agreement_new(request: HttpRequest) -> HttpResponse:
    form = AgreementForm(request.POST or None, initial={"type": AgreementType.CHANNEL_PARTNER,
                                                        "partner": request.GET.get("partner")})
    if request.method == "POST" and (created := _save(request, form, None)):
        return redirect("agreements_console:detail", created.pk)
    return page(request, TEMPLATE + "form.html", {"form": form, "agreement": None}, nav="agreements",
                status=422 if form.errors else 200)


@console_view(write=Ability.MANAGE_PARTNERS)
def agreement_edit(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = get_object_or_404(Agreement, pk=agreement_id)
    initial = {f: getattr(agreement, f) for f in services.EDITABLE_FIELDS}
    form = AgreementForm(request.POST or None, initial={**initial, "partner": agreement.partner_id,
                                                        "type": agreement.type})
    form.fields["partner"].disabled = True
    form.fields["type"].disabled = True
    if request.method == "POST" and _save(request, form, agreement):
        return redirect("agreements_console:detail", agreement.pk)
    return page(request, TEMPLATE + "form.html", {"form": form, "agreement": agreement}, nav="agreements",
                status=422 if form.errors else 200)


def _detail(request: HttpRequest, agreement: Agreement, status: int = 200, **forms: Any) -> HttpResponse:
    context = {
        "agreement": agreement, "dates": agreement_dates(agreement, timezone.localdate()),
        "documents": agreement.documents.all(), "terms": agreement.terms.all(),
        "status_form": forms.get("status_form") or StatusForm(),
        "document_form": forms.get("document_form") or DocumentForm(),
        "exclusivity_form": forms.get("exclusivity_form") or ExclusivityForm(),
        "rate_form": forms.get("rate_form") or RateOverrideForm(),
    }
    return page(request, TEMPLATE + "detail.html", context, nav="agreements", status=status)


@console_view()
def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    return _detail(request, get_object_or_404(Agreement.objects.select_related("partner"), pk=agreement_id))


def _change(
    request: HttpRequest, agreement_id: int, form_key: str, form: Any,
    action: Callable[[Agreement, dict[str, Any]], Any], field: str,
) -> HttpResponse:
    """A change from one of the detail page's forms: the service runs with the form's data, then back to the
    page; bad input or a refused change shows the page again with the message beside `field` (or the field the
    service names)."""
    agreement = get_object_or_404(Agreement, pk=agreement_id)
    if form.is_valid() and attempt(form, lambda: action(agreement, form.cleaned_data), field):
        return redirect("agreements_console:detail", agreement.pk)
    return _detail(request, agreement, 422, **{form_key: form})


@console_view(read=None, write=Ability.MANAGE_PARTNERS)
def agreement_status(request: HttpRequest, agreement_id: int) -> HttpResponse:
    return _change(request, agreement_id, "status_form", StatusForm(request.POST), lambda agreement, data: (
        services.agreement_move(agreement=agreement, status=data["status"], actor=actor(request),
                                on=data["terminated_on"])), "status")


@console_view(read=None, write=Ability.MANAGE_PARTNERS)
def document_upload(request: HttpRequest, agreement_id: int) -> HttpResponse:
    return _change(request, agreement_id, "document_form", DocumentForm(request.POST, request.FILES),
                   lambda agreement, data: services.document_attach(
                       agreement=agreement, upload=data["file"], actor=actor(request)), "file")


@console_view()
def document_download(request: HttpRequest, agreement_id: int, document_id: int) -> HttpResponse:
    document = get_object_or_404(AgreementDocument, pk=document_id, agreement_id=agreement_id)
    return pdf_download(document)


@console_view(read=None, write=Ability.MANAGE_PARTNERS)
def exclusivity_add(request: HttpRequest, agreement_id: int) -> HttpResponse:
    return _change(request, agreement_id, "exclusivity_form", ExclusivityForm(request.POST),
                   lambda agreement, data: services.exclusivity_grant(
                       agreement=agreement, kind=data["kind"], value=data["value"], actor=actor(request)), "value")


@console_view(read=None, write=Ability.MANAGE_PARTNERS)
def rate_override_add(request: HttpRequest, agreement_id: int) -> HttpResponse:
    return _change(request, agreement_id, "rate_form", RateOverrideForm(request.POST),
                   lambda agreement, data: services.rate_override_grant(
                       agreement=agreement, rate=data["rate"], effective_from=data["effective_from"],
                       actor=actor(request)), "rate")


@console_view(read=None, write=Ability.MANAGE_PARTNERS)
def plan_decide(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = get_object_or_404(Agreement, pk=agreement_id)
    form = StatusForm()
    if attempt(form, lambda: services.joint_business_plan_decide(
            agreement=agreement, approve=request.POST.get("decision") == "approve", actor=actor(request))):
        return redirect("agreements_console:detail", agreement.pk)
    return _detail(request, agreement, 422, status_form=form)


@console_view()
def upcoming(request: HttpRequest) -> HttpResponse:
    try:
        lead = max(0, min(int(request.GET.get("days", "")), 3650))
    except ValueError:
        lead = lead_days_setting()
    today = timezone.localdate()
    alerts = [a for a in alerts_due(today, lead) if a.kind.startswith("agreement.")]
    return page(request, TEMPLATE + "upcoming.html", {"alerts": alerts, "lead": lead, "today": today},
                nav="agreements")
