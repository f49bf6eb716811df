"""Deal registrations in the staff console: the list with a status filter, the review queue, a registration's page
with the conflicting record (staff only), the decision on one in review and the conversion of an approved one into a
customer (each with a confirmation step); the channel-conflict report."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability
from parceria.deals.forms import (
    ConflictReportForm,
    ConvertForm,
    CsvUploadForm,
    DealFilterForm,
    DecideForm,
    ExtensionDecideForm,
    OpportunityFilterForm,
)
from parceria.deals.models import DealRegistration, DealStatus, ExtensionStatus, Opportunity
from parceria.deals.reporting import Figures, channel_conflict_report, chart_data
from parceria.deals.selectors import deal_list, extension_queue, review_queue
from parceria.deals.services import deal_convert, deal_decide, deal_extension_decide, extension_days
from parceria.deals.uploads import (
    OPPORTUNITY_COLUMNS,
    OPPORTUNITY_MAX_BYTES,
    OPPORTUNITY_MAX_ROWS,
    OPPORTUNITY_REQUIRED,
    PARTNER_COLUMN,
    REGISTRATION_COLUMNS,
    REGISTRATION_MAX_BYTES,
    REGISTRATION_MAX_ROWS,
    REGISTRATION_REQUIRED,
    RowError,
    opportunities_import,
    registrations_upload,
)
from parceria.deals.views.exports import export_header, export_row
from parceria.deals.views.uploads import (
    OPPORTUNITY_EXAMPLE,
    REGISTRATION_EXAMPLE,
    Upload,
    run_upload,
    template_response,
)
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


# --- The direct-sales pipeline and uploads ------------------------------------------------------------------------

OPPORTUNITY_SORTS = {"company": "company_name", "external_id": "external_id", "stage": "stage", "owner": "owner_label",
                     "close": "expected_close_on", "updated": "updated_at"}


def _opportunities_page(request: HttpRequest, upload: CsvUploadForm, errors: list[RowError] | None = None,
                        status: int = 200) -> HttpResponse:
    form = OpportunityFilterForm(request.GET)
    rows = Opportunity.objects.all()
    if form.is_valid():
        if form.cleaned_data["stage"]:
            rows = rows.filter(stage=form.cleaned_data["stage"])
        if q := form.cleaned_data["q"].strip():
            rows = rows.filter(Q(company_name__icontains=q) | Q(external_id__icontains=q) | Q(owner_label__icontains=q))
    table = build_table(request, rows, sortable=OPPORTUNITY_SORTS, default_sort="company",
                        per_page=10**9 if wants_export(request) else 25)
    if wants_export(request):
        return export_response(request, "opportunities", [
            _("CRM id"), _("Company"), _("Country"), _("Tax id"), _("Web domain"), _("Stage"), _("Owner"),
            _("Amount"), _("Currency"), _("Expected close")], (
            [o.external_id, o.company_name, o.country, o.tax_id, o.domain, o.get_stage_display(), o.owner_label,
             o.amount, o.currency, o.expected_close_on] for o in table.page.object_list))
    return page(request, "deals/console/opportunities.html", {
        "form": form, "table": table, "upload": upload, "errors": errors or [],
        "max_rows": OPPORTUNITY_MAX_ROWS, "columns": OPPORTUNITY_COLUMNS}, nav="opportunities", status=status)


@console_view()
def opportunities(request: HttpRequest) -> HttpResponse:
    return _opportunities_page(request, CsvUploadForm(max_bytes=OPPORTUNITY_MAX_BYTES))


@console_view(read=None, write=Ability.MANAGE_PARTNERS)
def opportunities_upload(request: HttpRequest) -> HttpResponse:
    form = CsvUploadForm(request.POST, request.FILES, max_bytes=OPPORTUNITY_MAX_BYTES)
    upload = run_upload(form, columns=OPPORTUNITY_COLUMNS, required=OPPORTUNITY_REQUIRED,
                        max_rows=OPPORTUNITY_MAX_ROWS,
                        action=lambda rows: opportunities_import(rows=rows, actor=actor(request)))
    if upload.result is None:
        return _opportunities_page(request, form, upload.errors, status=upload.status)
    counts = upload.result.as_dict()
    messages.success(request, _("Imported %(rows)s rows: %(created)s new, %(updated)s updated, %(unchanged)s "
                                "unchanged.") % counts)
    return redirect("deals_console:opportunities")


@console_view()
def opportunities_template(request: HttpRequest) -> HttpResponse:
    return template_response(OPPORTUNITY_COLUMNS, OPPORTUNITY_EXAMPLE, "opportunities-template.csv")


@console_view(read=Ability.READ, write=Ability.MANAGE_PARTNERS)
def registrations_upload_page(request: HttpRequest) -> HttpResponse:
    form = CsvUploadForm(request.POST or None, request.FILES or None, max_bytes=REGISTRATION_MAX_BYTES)
    upload = Upload()
    if request.method == "POST":
        upload = run_upload(form, columns=(PARTNER_COLUMN, *REGISTRATION_COLUMNS),
                            required=(PARTNER_COLUMN, *REGISTRATION_REQUIRED), max_rows=REGISTRATION_MAX_ROWS,
                            action=lambda rows: registrations_upload(rows, actor=actor(request)))
    return page(request, "deals/upload.html", {
        "form": form, "outcomes": upload.result, "errors": upload.errors, "staff": True,
        "max_rows": REGISTRATION_MAX_ROWS, "columns": (PARTNER_COLUMN, *REGISTRATION_COLUMNS),
        "template_url": reverse("deals_console:upload_template")}, nav="deals", status=upload.status)


@console_view()
def registrations_template(request: HttpRequest) -> HttpResponse:
    return template_response((PARTNER_COLUMN, *REGISTRATION_COLUMNS), ["Partner name or id", *REGISTRATION_EXAMPLE],
                             "deal-registrations-template.csv")


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


def _report_header(first: str) -> list[str]:
    return [first, _("Registrations"), _("Referral and coupon claims"), _("Deals"), _("Conflicts"),
            _("Conflict rate (%)"), _("Decided at once"), _("Decided after review"),
            _("Time to decision, median (hours)"), _("Time to decision, p90 (hours)"), _("Approved"), _("Converted"),
            _("Conversion (%)"), _("Sales cycle, median (days)"), _("Sales cycle, p90 (days)")]


def _report_cells(f: Figures) -> list[object]:
    decision, cycle = f.decision_hours(), f.cycle_days()
    return [f.registrations, f.claims, f.deals, f.conflicts, f.conflict_rate, f.automatic, f.reviewed, *decision,
            f.approved, f.converted, f.conversion_rate, *cycle]


@console_view()
def conflict_report(request: HttpRequest) -> HttpResponse:
    """The channel-conflict report (deals.reporting): the monthly conflict rate against its target, per month and
    per partner, with CSV and Excel of either table (`?export=csv&table=partners`)."""
    form = ConflictReportForm(request.GET)
    period = form.period()
    if period is None:
        return page(request, "deals/console/conflicts.html", {"form": form, "report": None}, nav="deals",
                    status=422)
    report = channel_conflict_report(principal_for(request), period)
    if wants_export(request):
        if request.GET.get("table") == "partners":
            return export_response(request, "channel-conflicts-by-partner", _report_header(_("Partner")),
                                   ([p.name, *_report_cells(p.figures)] for p in report.partners))
        return export_response(request, "channel-conflicts-by-month", _report_header(_("Month")),
                               ([m.strftime("%Y-%m"), *_report_cells(f)] for m, f in report.months))
    query = request.GET.copy()
    query.pop("export", None)
    exports = {}
    for table in ("months", "partners"):
        query["table"] = table
        exports[table] = {fmt: "?" + query.urlencode() + f"&export={fmt}" for fmt in ("csv", "xlsx")}
    return page(request, "deals/console/conflicts.html", {
        "form": form, "report": report, "chart": chart_data(report), "exports": exports,
        "has_deals": report.total.deals > 0}, nav="deals")
