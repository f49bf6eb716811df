"""The staff console (SPEC §14.1): the overview, partners, search and event intake. The close wizard lives in
close_views.py, disputes and adjustments in dispute_views.py."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language

from parceria.common.downloads import CSV, PDF, attachment
from parceria.console import selectors
from parceria.console.common import FINANCE, actor, attempt, console_view, page
from parceria.console.forms import EventsCsvForm, IntakeFilterForm, PartnerFilterForm
from parceria.customers.csv_import import events_import_csv
from parceria.customers.models import EventBatch
from parceria.partners.models import Partner
from parceria.payouts import informe
from parceria.web.tables import build_table, csv_response, wants_csv

PARTNER_SORTS = {"name": "name", "legal_name": "legal_name", "status": "status", "tier": "tier",
                 "category": "category", "country": "country", "created": "created_at"}
INTAKE_SORTS = {"received": "received_at", "received_count": "received", "accepted": "accepted"}


@console_view()
def home(request: HttpRequest) -> HttpResponse:
    return page(request, "console/home.html", {"attention": selectors.attention()}, nav="home")


@console_view()
def search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    return page(request, "console/search.html", {"q": text, "results": selectors.search(text)})


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
    if wants_csv(request):
        rows = _partners(form).order_by("name").values_list(
            "pk", "name", "legal_name", "tax_id", "country", "currency", "status", "tier", "category")
        header = ["id", "name", "legal_name", "tax_id", "country", "currency", "status", "tier", "category"]
        return csv_response("partners.csv", header, rows)
    return page(request, "console/partners.html", {"form": form, "table": table}, nav="partners")


@console_view()
def partner_detail(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = get_object_or_404(Partner.objects.select_related("manager"), pk=partner_id)
    return page(request, "console/partner_detail.html",
                {"partner": partner, **selectors.partner_overview(partner)}, nav="partners")


@console_view()
def partner_income_statement(request: HttpRequest, partner_id: int, year: int, fmt: str) -> HttpResponse:
    """The partner's informe de rendimentos of `year`, to send to the partner (PDF: notes in the staff
    member's language; the official model's labels stay in Portuguese)."""
    partner = get_object_or_404(Partner, pk=partner_id)
    if not 2000 <= year <= 2999:
        raise Http404("no such year")
    annual = informe.income_statement(partner=partner, year=year)
    name = f"parceria-informe-de-rendimentos-{partner.pk}-{year}.{fmt}"
    if fmt == "pdf":
        pdf = informe.income_statement_pdf(annual, language=informe.reader_language(get_language()))
        return attachment(pdf, content_type=PDF, filename=name)
    return attachment(informe.income_statement_csv(annual), content_type=CSV, filename=name)


def _intake(form: IntakeFilterForm) -> QuerySet[EventBatch]:
    qs = EventBatch.objects.all()
    if form.is_valid():
        if form.cleaned_data["source"]:
            qs = qs.filter(source=form.cleaned_data["source"])
        if form.cleaned_data["rejected"]:
            qs = qs.exclude(rejected=[])
    return qs


@console_view()
def intake(request: HttpRequest) -> HttpResponse:
    form = IntakeFilterForm(request.GET)
    table = build_table(request, _intake(form), sortable=INTAKE_SORTS, default_sort="-received")
    if wants_csv(request):
        rows = ((b.pk, b.source, b.submitted_by, b.received_at.isoformat(), b.received, b.accepted, b.duplicates,
                 len(b.rejected)) for b in table.page.paginator.object_list)
        header = ["id", "source", "submitted_by", "received_at", "received", "accepted", "duplicates", "rejected"]
        return csv_response("intake.csv", header, rows)
    return page(request, "console/intake.html", {"form": form, "table": table}, nav="intake")


@console_view()
def intake_batch(request: HttpRequest, event_batch_id: int) -> HttpResponse:
    batch = get_object_or_404(EventBatch, pk=event_batch_id)
    rejections = Paginator(batch.rejected or [], 50).get_page(request.GET.get("page"))
    return page(request, "console/intake_batch.html", {"batch": batch, "rejections": rejections}, nav="intake")


@console_view(read=FINANCE, write=FINANCE)
def intake_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV file of events: the same rules as the API's batches. The answer is 200 when anything was
    accepted or already known (or the file had no rows), 422 when the file was refused or every row rejected."""
    if request.method != "POST":
        return page(request, "console/intake_import.html", {"form": EventsCsvForm()}, nav="intake")
    form = EventsCsvForm(request.POST, request.FILES)
    if not form.is_valid():
        return page(request, "console/intake_import.html", {"form": form}, nav="intake", status=422)
    upload = form.cleaned_data["file"]
    filename = "".join(ch for ch in upload.name or "" if ch.isprintable())[:100]
    submitted_by = f"{actor(request).label} ({filename})"
    report = attempt(form, lambda: events_import_csv(data=upload.read(), submitted_by=submitted_by), "file")
    if report is None:
        return page(request, "console/intake_import.html", {"form": form}, nav="intake", status=422)
    status = 422 if report.rejected and not (report.accepted or report.duplicates) else 200
    return page(request, "console/intake_import.html",
                {"form": EventsCsvForm(), "report": report, "filename": filename}, nav="intake", status=status)
