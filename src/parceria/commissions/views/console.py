"""Event intake in the console: the batches received (by the API or a CSV import) with their rejected events,
and the CSV import of events."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability
from parceria.commissions.forms import BalanceFilterForm, ConsoleLedgerFilterForm, EventsCsvForm, IntakeFilterForm
from parceria.commissions.intake_csv import events_import_csv
from parceria.commissions.models import LedgerKind, LedgerLine
from parceria.commissions.selectors import balances as all_balances
from parceria.commissions.selectors import parse_month
from parceria.common.dbsum import exact_sums
from parceria.customers.models import EventBatch
from parceria.partners.models import Partner
from parceria.web.access import actor, console_view
from parceria.web.forms import attempt
from parceria.web.pages import page
from parceria.web.tables import PER_PAGE, Table, build_table, export_response, wants_export

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


LEDGER_SORTS = {"date": "occurred_at", "amount": "amount", "partner": "partner__name", "period": "period"}


def _ledger(form: ConsoleLedgerFilterForm) -> QuerySet[LedgerLine]:
    qs = LedgerLine.objects.select_related("partner", "customer")
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["currency"]:
            qs = qs.filter(currency=data["currency"])
        month = parse_month(data["month"])
        if month is not None:
            qs = qs.filter(period=month)
    return qs


@console_view()
def ledger(request: HttpRequest) -> HttpResponse:
    """Every partner's ledger lines, filtered by kind, currency and accounting month (the overview links here)."""
    form = ConsoleLedgerFilterForm(request.GET)
    table = build_table(request, _ledger(form), sortable=LEDGER_SORTS, default_sort="-date")
    if wants_export(request):
        rows = ((line.pk, f"{line.period:%Y-%m}", line.occurred_at, line.partner_id, line.partner.name,
                 LedgerKind(line.kind).label, line.currency, line.amount) for line in table.page.paginator.object_list)
        header = [_("Line"), _("Month"), _("Date"), _("Partner id"), _("Partner"), _("Kind"), _("Currency"),
                  _("Amount")]
        return export_response(request, "ledger", header, rows)
    totals = sorted((str(c), t) for c, t in exact_sums(_ledger(form), "amount", "currency").items())
    return page(request, "commissions/console/ledger.html", {"form": form, "table": table, "totals": totals},
                nav="home")


@console_view()
def balances(request: HttpRequest) -> HttpResponse:
    """Partners' balances per currency (the ledger's own balance rule), largest first."""
    form = BalanceFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {"currency": "", "sign": ""}
    sign = data["sign"]
    found = [b for b in all_balances().values()
             if (not data["currency"] or b.currency == data["currency"])
             and (b.balance < 0 if sign == "negative" else b.balance != 0 if sign == "all" else b.balance > 0)]
    found.sort(key=lambda b: (b.currency, b.balance if sign == "negative" else -b.balance, b.partner_id))
    if wants_export(request):
        names_all = dict(Partner.objects.filter(pk__in={b.partner_id for b in found}).values_list("pk", "name"))
        header = [_("Partner id"), _("Partner"), _("Currency"), _("Balance"), _("Accrued"), _("Clawed back"),
                  _("Adjusted"), _("Paid out")]
        return export_response(request, "balances", header, ((b.partner_id, names_all.get(b.partner_id, ""), b.currency,
                                                               b.balance, b.accrued, b.clawed_back, b.adjusted,
                                                               b.paid_out) for b in found))
    paged = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    names = dict(Partner.objects.filter(pk__in=[b.partner_id for b in paged.object_list]).values_list("pk", "name"))
    rows = [(b, names.get(b.partner_id, "")) for b in paged.object_list]
    totals: dict[str, list[Any]] = {}
    for b in found:
        entry = totals.setdefault(b.currency, [Decimal("0.0000"), 0])
        entry[0] += b.balance
        entry[1] += 1
    return page(request, "commissions/console/balances.html",
                {"form": form, "table": Table(page=paged, sort="", sortable={}, query=request.GET), "rows": rows,
                 "totals": sorted(totals.items())}, nav="home")
