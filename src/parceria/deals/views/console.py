"""Deal registrations in the staff console: the list with a status filter, the review queue, a registration's page
with the conflicting record (staff only), the decision on one in review and the conversion of an approved one into a
customer (each with a confirmation step)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability
from parceria.deals.forms import ConvertForm, DealFilterForm, DecideForm, ExtensionDecideForm
from parceria.deals.models import DealRegistration, DealStatus, ExtensionStatus
from parceria.deals.selectors import deal_list, extension_queue, review_queue
from parceria.deals.services import deal_convert, deal_decide, deal_extension_decide, extension_days
from parceria.deals.views.exports import export_header, export_row
from parceria.partners.models import Partner
from parceria.web.access import actor, console_view, principal_for
from parceria.web.forms import attempt
from parceria.web.pages import confirm_page, confirmed, page
from parceria.web.tables import build_table, export_response, wants_export

SORTS = {"created": "created_at", "company": "company_name", "status": "status", "partner": "partner__name",
         "expires": "expires_on"}


@console_view()
def registrations(request: HttpRequest) -> HttpResponse:
    form = DealFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    rows = deal_list(principal_for(request), status=status or None)
    table = build_table(request, rows, sortable=SORTS, default_sort="-created",
                        per_page=10**9 if wants_export(request) else 25)
    if wants_export(request):
        return export_response(request, "deal-registrations", [_("Partner"), *export_header()],
                               ([r.partner.name, *export_row(r)] for r in table.page.object_list))
    return page(request, "deals/console/list.html", {"form": form, "table": table, "queue": False}, nav="deals")


@console_view()
def review_queue_page(request: HttpRequest) -> HttpResponse:
    table = build_table(request, review_queue(), sortable=SORTS, default_sort="created")
    return page(request, "deals/console/list.html", {"table": table, "queue": "review"}, nav="deals")


@console_view()
def extension_queue_page(request: HttpRequest) -> HttpResponse:
    table = build_table(request, extension_queue(), sortable=SORTS, default_sort="expires")
    return page(request, "deals/console/list.html", {"table": table, "queue": "extensions"}, nav="deals")


def _registration(registration_id: int) -> DealRegistration:
    return get_object_or_404(DealRegistration.objects.select_related("partner", "customer"), pk=registration_id)


def _detail(request: HttpRequest, registration: DealRegistration, *, form: DecideForm | None = None,
            convert_form: ConvertForm | None = None, extension_form: ExtensionDecideForm | None = None,
            status: int = 200) -> HttpResponse:
    conflict = registration.conflict or {}
    context = {"registration": registration, "form": form or DecideForm(),
               "conflict_partner": Partner.objects.filter(pk=conflict.get("partner_id") or 0).first(),
               "decidable": registration.status == DealStatus.IN_REVIEW,
               "convertible": registration.status == DealStatus.APPROVED or bool(convert_form and convert_form.errors),
               "convert_form": convert_form or ConvertForm(),
               "extension_form": extension_form or ExtensionDecideForm(),
               "extension_decidable": registration.extension_status == ExtensionStatus.REQUESTED,
               "extension_days": extension_days()}
    return page(request, "deals/console/detail.html", context, nav="deals", status=status)


@console_view()
def registration(request: HttpRequest, registration_id: int) -> HttpResponse:
    return _detail(request, _registration(registration_id))


@console_view(read=None, write=Ability.MANAGE_PARTNERS)
def decide(request: HttpRequest, registration_id: int) -> HttpResponse:
    found = _registration(registration_id)
    form = DecideForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        reason = form.cleaned_data["reason"]
        if not confirmed(request):
            title = (_("Approve the registration of %(company)s for %(partner)s?") if approve
                     else _("Reject the registration of %(company)s by %(partner)s?"))
            return confirm_page(
                request, title=title % {"company": found.company_name, "partner": found.partner.name},
                lines=[_("Reason (shown to the partner): %(text)s") % {"text": reason}],
                button=_("Approve") if approve else _("Reject"),
                cancel=reverse("deals_console:detail", args=[found.pk]))
        if attempt(form, lambda: deal_decide(registration=found, approve=approve, reason=reason,
                                             actor=actor(request))):
            messages.success(request, _("The registration is approved.") if approve
                             else _("The registration is rejected."))
            return redirect("deals_console:detail", registration_id=found.pk)
    return _detail(request, found, form=form, status=422)


@console_view(read=None, write=Ability.MANAGE_PARTNERS)
def convert(request: HttpRequest, registration_id: int) -> HttpResponse:
    found = _registration(registration_id)
    form = ConvertForm(request.POST)
    if form.is_valid():
        customer = form.cleaned_data["customer"]
        if not confirmed(request):
            target = (_("Customer: %(name)s (%(external_id)s)") % {"name": customer.name,
                                                                    "external_id": customer.external_id}
                      if customer else _("A new customer is created from the registration's company."))
            return confirm_page(
                request, title=_("Convert the registration of %(company)s by %(partner)s?") % {
                    "company": found.company_name, "partner": found.partner.name},
                lines=[target, _("The customer's attribution is claimed for %(partner)s (a deal registration "
                                 "ranks first).") % {"partner": found.partner.name}],
                button=_("Convert"), cancel=reverse("deals_console:detail", args=[found.pk]))
        if attempt(form, lambda: deal_convert(registration=found, customer=customer, actor=actor(request))):
            messages.success(request, _("The registration is converted into a customer."))
            return redirect("deals_console:detail", registration_id=found.pk)
    return _detail(request, found, convert_form=form, status=422)


@console_view(read=None, write=Ability.MANAGE_PARTNERS)
def extension_decide(request: HttpRequest, registration_id: int) -> HttpResponse:
    found = _registration(registration_id)
    form = ExtensionDecideForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        reason = form.cleaned_data["reason"]
        if not confirmed(request):
            facts = {"company": found.company_name, "partner": found.partner.name, "days": extension_days(),
                     "until": date_format(found.expires_on + timedelta(days=extension_days()), "SHORT_DATE_FORMAT"),
                     "now": date_format(found.expires_on, "SHORT_DATE_FORMAT")}
            title = (_("Extend the registration of %(company)s by %(partner)s?") if approve
                     else _("Refuse the extension of the registration of %(company)s by %(partner)s?")) % facts
            lines = [_("The registration then expires on %(until)s instead of %(now)s (%(days)s days later).") % facts
                     if approve else _("The registration still expires on %(now)s.") % facts]
            if reason:
                lines.append(_("Reason (shown to the partner): %(text)s") % {"text": reason})
            return confirm_page(request, title=title, lines=lines,
                                button=_("Extend") if approve else _("Refuse the extension"),
                                cancel=reverse("deals_console:detail", args=[found.pk]))
        if attempt(form, lambda: deal_extension_decide(registration=found, approve=approve, reason=reason,
                                                       actor=actor(request))):
            messages.success(request, _("The extension is approved.") if approve
                             else _("The extension is refused."))
            return redirect("deals_console:detail", registration_id=found.pk)
    return _detail(request, found, extension_form=form, status=422)
