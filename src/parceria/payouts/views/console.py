"""The close wizard (SPEC §7): pick a month, preview the plan, run the close, then approve and export the batch,
import the bank's return file and mark payouts; the payout list with late flags; a partner's income statement.
Finance and admins act; every change goes through the payout services, which write the audit records."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability
from parceria.common.downloads import CSV, PDF, TEXT, attachment
from parceria.common.errors import Conflict, InvalidInput, ParceriaError
from parceria.common.months import parse_month as parse_period
from parceria.partners.models import Partner
from parceria.payouts import informe
from parceria.payouts.bank_files import batch_export, return_file_import
from parceria.payouts.close import (
    ClosePlan,
    close_preview,
    payout_due_date,
    period_close,
    stored_close,
)
from parceria.payouts.close_summary import plan_totals
from parceria.payouts.forms import CloseMonthForm, ExportForm, MarkPayoutForm, PayoutFilterForm, ReturnFileForm
from parceria.payouts.models import BatchExport, Payout, PayoutBatch, PayoutStatus
from parceria.payouts.selectors import payout_rows, payouts_with_status
from parceria.payouts.services import batch_approve, batch_state, batches_with_state, payout_mark
from parceria.web.access import actor, console_view
from parceria.web.forms import add_domain_error, attempt
from parceria.web.pages import confirm_page, confirmed, page
from parceria.web.tables import build_table, export_response, wants_export

PAYOUT_SORTS = {"due": "due_date", "gross": "gross", "net": "net", "payee": "payee_name", "period": "batch__period"}


def carry_reasons() -> dict[str, str]:
    return {
        "negative": _("negative balance, carried to the next month"),
        "held": _("partner is not active (payouts held)"),
        "no_fx_rate": _("no exchange rate to convert the minimum payout"),
        "below_minimum": _("below the minimum payout"),
        "remainder": _("fraction of a cent left after rounding"),
        "details_changed": _("PIX key changed in the last hours: payouts to it wait"),
    }


@console_view()
def close_start(request: HttpRequest) -> HttpResponse:
    form = CloseMonthForm(request.GET) if "month" in request.GET else CloseMonthForm()
    if form.is_bound and form.is_valid():
        return redirect("payouts_console:close_preview", month=f"{form.cleaned_data['month']:%Y-%m}")
    status = 422 if form.is_bound else 200
    return page(request, "payouts/console/close_start.html", {"form": form, "batches": batches_with_state()},
                nav="close", status=status)


def _plan_rows(plan: ClosePlan) -> dict[str, Any]:
    ids = {p.partner_id for p in plan.payouts} | {c.partner_id for c in plan.carried}
    partners = Partner.objects.only("name", "legal_name").in_bulk(ids)
    payouts = [{"partner": partners[p.partner_id], "payout": p} for p in plan.payouts]
    reasons = carry_reasons()
    carried = [{"partner": partners[c.partner_id], "carried": c, "reason": reasons.get(c.reason, c.reason)}
               for c in plan.carried]
    return {"payouts": payouts, "carried": carried, "totals": plan_totals(plan)}


@console_view(write=Ability.FINANCE)
def close_preview_view(request: HttpRequest, month: str) -> HttpResponse:
    form = CloseMonthForm({"month": month})
    if not form.is_valid():
        return page(request, "payouts/console/close_start.html", {"form": form, "batches": batches_with_state()},
                    nav="close", status=422)
    period = parse_period(month)
    existing = PayoutBatch.objects.filter(period=period).first()
    if existing is not None:
        return redirect("payouts_console:batch", batch_id=existing.pk)
    if request.method == "POST" and confirmed(request):
        return _run_close(request, form, period)
    try:
        plan = close_preview(month=period)
    except ParceriaError as exc:
        add_domain_error(form, exc, "month")
        return page(request, "payouts/console/close_start.html", {"form": form, "batches": batches_with_state()},
                    nav="close", status=422)
    context = {"month": month, "plan": plan, "due": payout_due_date(period), **_plan_rows(plan)}
    return page(request, "payouts/console/close_preview.html", context, nav="close")


def _run_close(request: HttpRequest, form: CloseMonthForm, period: Any) -> HttpResponse:
    plan = attempt(form, lambda: period_close(month=period, actor=actor(request)))
    if plan is None:
        return page(request, "payouts/console/close_start.html", {"form": form, "batches": batches_with_state()},
                    nav="close", status=422)
    messages.success(request, _("The close of %(month)s is done: review and approve the batch.")
                     % {"month": f"{period:%Y-%m}"})
    return redirect("payouts_console:batch", batch_id=plan.batch_id)


def _batch_context(request: HttpRequest, batch: PayoutBatch) -> dict[str, Any]:
    payouts = list(batch.payouts.select_related("batch").order_by("partner_id"))
    reasons = carry_reasons()
    carried_rows = batch.carried.select_related("partner").order_by("partner_id")
    carried = [(c, reasons.get(c.reason, c.reason)) for c in carried_rows]
    return {
        "batch": batch,
        "state": batch_state(batch),
        "totals": plan_totals(stored_close(batch)),
        "second_approval_above": Decimal(str(settings.PARCERIA["BATCH_SECOND_APPROVAL_ABOVE"])),
        "rows": list(zip(payouts, payout_rows(payouts), strict=True)),
        "carried": carried,
        "exports": list(batch.exports.defer("content").order_by("-created_at", "-id")),
        "last_export": request.session.pop(f"console-export-{batch.pk}", None),
    }


def _batch_page(request: HttpRequest, batch: PayoutBatch, *, status: int = 200, **forms: Any) -> HttpResponse:
    context = {"export_form": ExportForm(), "return_form": ReturnFileForm(), **forms, **_batch_context(request, batch)}
    return page(request, "payouts/console/batch.html", context, nav="close", status=status)


@console_view()
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _batch_page(request, get_object_or_404(PayoutBatch, pk=batch_id))


@console_view(read=None, write=Ability.FINANCE)
def batch_approve_view(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(PayoutBatch, pk=batch_id)
    if not confirmed(request):
        state = batch_state(batch)
        lines = [
            _("Batch %(month)s: %(count)s payouts.")
            % {"month": f"{batch.period:%Y-%m}", "count": batch.payouts.count()},
            _("Approvals so far: %(done)s of %(needed)s.")
            % {"done": len(state.approvals), "needed": state.required_approvals},
        ]
        return confirm_page(request, title=_("Approve this payout batch?"), lines=lines, button=_("Approve the batch"),
                            cancel=reverse("payouts_console:batch", args=[batch.pk]))
    try:
        batch_approve(batch=batch, actor=actor(request))
        messages.success(request, _("Your approval is recorded."))
    except ParceriaError as exc:
        messages.error(request, exc.message)
    return redirect("payouts_console:batch", batch_id=batch.pk)


@console_view(read=None, write=Ability.FINANCE)
def batch_export_view(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(PayoutBatch, pk=batch_id)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _batch_page(request, batch, export_form=form, status=422)
    key = f"console-export-{batch.pk}"
    try:
        result = batch_export(batch=batch, kind=form.cleaned_data["kind"], actor=actor(request),
                              again=form.cleaned_data["again"])
    except Conflict as exc:
        skipped = _skipped(exc.details.get("skipped", []) if isinstance(exc.details, dict) else [])
        request.session[key] = {"export_id": None, "skipped": skipped, "error": exc.message}
        return redirect("payouts_console:batch", batch_id=batch.pk)
    except InvalidInput as exc:
        add_domain_error(form, exc, "kind")
        return _batch_page(request, batch, export_form=form, status=422)
    request.session[key] = {"export_id": result.export.pk, "filename": result.export.filename,
                            "included": len(result.included), "skipped": _skipped(result.skipped),
                            "warnings": result.warnings}
    return redirect("payouts_console:batch", batch_id=batch.pk)


def _skipped(skipped: list[dict[str, Any]]) -> list[dict[str, Any]]:
    reasons = {"not paid in BRL": _("not paid in BRL"), "no PIX key on file": _("no PIX key on file")}
    return [{**s, "reason": str(reasons.get(s["reason"], s["reason"]))} for s in skipped]


@console_view(read=Ability.FINANCE)
def export_download(request: HttpRequest, batch_id: int, export_id: int) -> HttpResponse:
    export = get_object_or_404(BatchExport, pk=export_id, batch_id=batch_id)
    content_type = CSV if export.kind == "csv" else TEXT
    return attachment(export.content.encode("utf-8"), content_type=content_type, filename=export.filename)


@console_view(read=None, write=Ability.FINANCE)
def return_import(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(PayoutBatch, pk=batch_id)
    form = ReturnFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _batch_page(request, batch, return_form=form, status=422)
    upload = form.cleaned_data["file"]
    report = attempt(form, lambda: return_file_import(text=upload.read(), filename=upload.name, actor=actor(request)),
                     "file")
    if report is None:
        return _batch_page(request, batch, return_form=form, status=422)
    return page(request, "payouts/console/return_report.html",
                {"batch": batch, "report": report, "filename": upload.name}, nav="close")


def _payouts(form: PayoutFilterForm) -> QuerySet[Any]:
    qs = payouts_with_status(Payout.objects.select_related("batch"))
    if form.is_valid():
        if form.cleaned_data["status"]:
            qs = qs.filter(current_status=form.cleaned_data["status"])
        if form.cleaned_data["late"]:
            qs = qs.filter(late=True)
    return qs


@console_view()
def payouts(request: HttpRequest) -> HttpResponse:
    form = PayoutFilterForm(request.GET)
    table = build_table(request, _payouts(form), sortable=PAYOUT_SORTS, default_sort="-due")
    if wants_export(request):
        found = payout_rows(list(table.page.paginator.object_list))
        header = [_("Payout"), _("Month"), _("Partner id"), _("Currency"), _("Gross"), _("Net"), _("Due date"),
                  _("Status"), _("Late")]
        return export_response(request, "payouts", header, (
            [r["id"], f"{r['period']:%Y-%m}", r["partner_id"], r["currency"], Decimal(r["gross"]), Decimal(r["net"]),
             r["due_date"], PayoutStatus(r["status"]).label, r["late"]] for r in found))
    objects = list(table.page.object_list)
    rows = list(zip(objects, payout_rows(objects), strict=True))
    return page(request, "payouts/console/payouts.html", {"form": form, "table": table, "rows": rows}, nav="payouts")


@console_view(read=Ability.FINANCE, write=Ability.FINANCE)
def payout_mark_view(request: HttpRequest, payout_id: int) -> HttpResponse:
    payout = get_object_or_404(Payout.objects.select_related("batch"), pk=payout_id)
    row = payout_rows([payout])[0]
    form = MarkPayoutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        status, reference = form.cleaned_data["status"], form.cleaned_data["reference"]
        if not confirmed(request):
            label = _("paid") if status == PayoutStatus.PAID else _("failed (the amount returns to the balance)")
            return confirm_page(request, title=_("Mark payout #%(id)s?") % {"id": payout.pk},
                                lines=[_("Payee: %(name)s") % {"name": payout.payee_name},
                                       _("New status: %(s)s") % {"s": label}],
                                button=_("Confirm"), cancel=reverse("payouts_console:payout_mark", args=[payout.pk]))
        done = attempt(form, lambda: payout_mark(payout=payout, status=status, source="console", reference=reference,
                                                 actor=actor(request)))
        if done is not None:
            messages.success(request, _("Payout #%(id)s is marked %(status)s.") % {"id": payout.pk, "status": status})
            return redirect("payouts_console:batch", batch_id=payout.batch_id)
    return page(request, "payouts/console/payout_mark.html", {"payout": payout, "row": row, "form": form},
                nav="payouts", status=422 if form.errors else 200)


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
