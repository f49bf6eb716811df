"""Event intake in the console: the batches received (by the API or a CSV import) with their rejected events,
and the CSV import of events."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability
from parceria.commissions.forms import EventsCsvForm, IntakeFilterForm
from parceria.commissions.intake_csv import events_import_csv
from parceria.customers.models import EventBatch
from parceria.web.access import actor, console_view
from parceria.web.forms import attempt
from parceria.web.pages import page
from parceria.web.tables import build_table, export_response, wants_export

INTAKE_SORTS = {"received": "received_at", "received_count": "received", "accepted": "accepted"}


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
    if wants_export(request):
        rows = ((b.pk, b.get_source_display(), b.submitted_by, b.received_at, b.received, b.accepted, b.duplicates,
                 len(b.rejected)) for b in table.page.paginator.object_list)
        header = [_("Batch"), _("Source"), _("Sent by"), _("Received at"), _("Events received"), _("Accepted"),
                  _("Duplicates"), _("Rejected")]
        return export_response(request, "intake", header, rows)
    return page(request, "commissions/console/intake.html", {"form": form, "table": table}, nav="intake")


@console_view()
def intake_batch(request: HttpRequest, event_batch_id: int) -> HttpResponse:
    batch = get_object_or_404(EventBatch, pk=event_batch_id)
    rejections = Paginator(batch.rejected or [], 50).get_page(request.GET.get("page"))
    return page(request, "commissions/console/intake_batch.html", {"batch": batch, "rejections": rejections},
                nav="intake")


@console_view(read=Ability.INGEST, write=Ability.INGEST)
def intake_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV file of events: the same rules as the API's batches. The answer is 200 when anything was
    accepted or already known (or the file had no rows), 422 when the file was refused or every row rejected."""
    if request.method != "POST":
        return page(request, "commissions/console/intake_import.html", {"form": EventsCsvForm()}, nav="intake")
    form = EventsCsvForm(request.POST, request.FILES)
    if not form.is_valid():
        return page(request, "commissions/console/intake_import.html", {"form": form}, nav="intake", status=422)
    upload = form.cleaned_data["file"]
    filename = "".join(ch for ch in upload.name or "" if ch.isprintable())[:100]
    submitted_by = f"{actor(request).label} ({filename})"
    report = attempt(form, lambda: events_import_csv(data=upload.read(), submitted_by=submitted_by), "file")
    if report is None:
        return page(request, "commissions/console/intake_import.html", {"form": form}, nav="intake", status=422)
    status = 422 if report.rejected and not (report.accepted or report.duplicates) else 200
    return page(request, "commissions/console/intake_import.html",
                {"form": EventsCsvForm(), "report": report, "filename": filename}, nav="intake", status=status)
