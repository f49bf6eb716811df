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
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timesince
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability
from parceria.common.audit import actor_name
from parceria.common.downloads import CSV, PDF, TEXT, attachment
from parceria.common.errors import Conflict, InvalidInput, ParceriaError
from parceria.common.formatting import format_money
from parceria.common.money import get_currency
from parceria.common.months import parse_month as parse_period
from parceria.common.payout_methods import METHODS, account_summary
from parceria.common.pix import masked_pix_key
from parceria.partners.models import PIX_KEY_TYPE_LABELS, Partner
from parceria.partners.payout_details import payout_details_held_until
from parceria.payouts import informe
from parceria.payouts.bank_files import (
    CNAB_KINDS,
    ExportResult,
    TransferGroup,
    batch_export,
    batch_export_all,
    batch_transfer_groups,
    return_file_import,
)
from parceria.payouts.close import (
    ClosePlan,
    close_due,
    close_preview,
    payout_due_date,
    period_close,
    stored_close,
)
from parceria.payouts.close_summary import plan_totals
from parceria.payouts.forms import (
    FILE_KIND_LABELS,
    BatchStageFilterForm,
    CloseMonthForm,
    ExportForm,
    MarkPayoutForm,
    PayoutFilterForm,
    ReturnFileForm,
)
from parceria.payouts.models import BatchExport, Payout, PayoutBatch, PayoutStatus
from parceria.payouts.selectors import payees_without_method, payout_rows, payouts_with_status
from parceria.payouts.services import batch_approve, batch_stages, batch_state, batches_with_state, payout_mark
from parceria.privacy.models import LegalBasis
from parceria.privacy.sensitive_reads import sensitive_read_record
from parceria.privacy.sharing import partner_document_shared
from parceria.web.access import actor, console_view, may
from parceria.web.forms import add_domain_error, attempt
from parceria.web.pages import confirm_page, confirmed, page
from parceria.web.tables import build_table, export_response, wants_export

PAYOUT_SORTS = {"due": "due_date", "gross": "gross", "net": "net", "payee": "payee_name", "period": "batch__period"}


def carry_reasons() -> dict[str, str]:
    return {
        "negative": _("negative balance, carried to the next month"),
        "held": _("partner is not active (payouts held)"),
        "flagged": _("open safeguard flag: payouts held until staff clear it"),
        "no_fx_rate": _("no exchange rate to convert the minimum payout"),
        "below_minimum": _("below the minimum payout"),
        "remainder": _("fraction of a cent left after rounding"),
        "details_changed": _("PIX key changed in the last hours: payouts to it wait"),
        "no_method": _("no payout method for this currency: the partner must add one"),
    }


def _details_changed(partner: Partner) -> str:
    """Why a balance waits after a change of payout method, with how long ago it changed and until when it waits."""
    changed = partner.payout_details_changed_at
    if changed is None:
        return carry_reasons()["details_changed"]
    return _("payout method changed %(ago)s ago: payouts to it wait until %(until)s") % {
        "ago": timesince(changed, depth=1), "until": date_format(timezone.localtime(payout_details_held_until(
            partner) or changed), "SHORT_DATETIME_FORMAT")}


def money(amount: Decimal, currency: str) -> str:
    """An amount as the viewer reads it (R$ 1.234,56 in pt-BR), for messages written by the views."""
    return format_money(amount, currency, language=get_language() or "en")


def month_name(month: Any) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


@console_view()
def close_start(request: HttpRequest) -> HttpResponse:
    """Step 1: the month to close, proposed (the month due: the earliest month not closed whose last day has
    passed), and the closed months with the stage of their batches."""
    form = CloseMonthForm(request.GET) if "month" in request.GET else None
    if form is not None and form.is_valid():
        return redirect("payouts_console:close_preview", month=f"{form.cleaned_data['month']:%Y-%m}")
    return _start_page(request, form, status=422 if form is not None else 200)


def _start_page(request: HttpRequest, form: CloseMonthForm | None, *, status: int = 200) -> HttpResponse:
    due = close_due()
    if form is None:
        form = CloseMonthForm(initial={"month": f"{due.month:%Y-%m}"} if due.ready else None)
    stage_form = BatchStageFilterForm(request.GET)
    stage = stage_form.cleaned_data["stage"] if stage_form.is_valid() else ""
    batches = batches_with_state()
    stages = batch_stages([b for b, _state in batches], {b.pk: state for b, state in batches})
    rows = [(b, state, stages[b.pk], actor_name(b.created_by)) for b, state in batches
            if not stage or stages[b.pk] == stage]
    context = {"form": form, "due": due, "batches": rows, "stage_form": stage_form, "stage": stage,
               "without_method": payees_without_method(due.month)}
    return page(request, "payouts/console/close_start.html", context, nav="close", status=status)


def _carried_rows(carried: list[tuple[Partner, str, Decimal, str]], *, live: bool = False) -> dict[str, Any]:
    """The carried balances as rows (`live`: a preview, whose held partners say since when and until when), except
    the balances under one minor unit (the fractions of a cent left after rounding a payout down, or a tiny
    balance), which are summed per currency in one line each."""
    reasons = carry_reasons()
    rows: list[dict[str, Any]] = []
    small: dict[str, dict[str, Any]] = {}
    for partner, currency, balance, reason in carried:
        unit = get_currency(currency).minor_unit
        if abs(balance) < unit:
            entry = small.setdefault(currency, {"currency": currency, "unit": unit, "partners": set(),
                                                "total": Decimal("0.0000")})
            entry["partners"].add(partner.pk)
            entry["total"] += balance
            continue
        text = _details_changed(partner) if live and reason == "details_changed" else reasons.get(reason, reason)
        rows.append({"partner": partner, "currency": currency, "balance": balance, "reason": text})
    summaries = [{**e, "partners": len(e["partners"])} for _c, e in sorted(small.items())]
    return {"carried": rows, "carried_small": summaries,
            "carried_count": len(rows) + sum(e["partners"] for e in summaries)}


def _plan_rows(plan: ClosePlan) -> dict[str, Any]:
    ids = {p.partner_id for p in plan.payouts} | {c.partner_id for c in plan.carried}
    partners = Partner.objects.only("name", "legal_name", "payout_details_changed_at").in_bulk(ids)
    payouts = [{"partner": partners[p.partner_id], "payout": p} for p in plan.payouts]
    carried = _carried_rows([(partners[c.partner_id], c.currency, c.balance, c.reason) for c in plan.carried],
                            live=plan.batch_id is None)
    return {"payouts": payouts, **carried, "totals": plan_totals(plan)}


@console_view(write=Ability.FINANCE)
def close_preview_view(request: HttpRequest, month: str) -> HttpResponse:
    form = CloseMonthForm({"month": month})
    if not form.is_valid():
        return _start_page(request, form, status=422)
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
        return _start_page(request, form, status=422)
    context = {"month": month, "plan": plan, "due": payout_due_date(period), **_plan_rows(plan),
               "without_method": payees_without_method(period)}
    return page(request, "payouts/console/close_preview.html", context, nav="close")


def _run_close(request: HttpRequest, form: CloseMonthForm, period: Any) -> HttpResponse:
    plan = attempt(form, lambda: period_close(month=period, actor=actor(request)))
    if plan is None:
        return _start_page(request, form, status=422)
    net = " · ".join(money(t.net, t.currency) for t in plan_totals(plan)) or "—"
    messages.success(request, ngettext(
        "The close of %(month)s is done: %(count)s payout, %(net)s net to send. Review and approve the batch.",
        "The close of %(month)s is done: %(count)s payouts, %(net)s net to send. Review and approve the batch.",
        len(plan.payouts)) % {"month": month_name(period), "count": len(plan.payouts), "net": net})
    return redirect("payouts_console:batch", batch_id=plan.batch_id)


def _batch_context(request: HttpRequest, batch: PayoutBatch, groups: list[TransferGroup]) -> dict[str, Any]:
    payouts = list(batch.payouts.select_related("batch").order_by("partner_id"))
    carried = _carried_rows([(c.partner, c.currency, c.balance, c.reason)
                             for c in batch.carried.select_related("partner").order_by("partner_id")])
    state = batch_state(batch)
    last_export = request.session.pop(_export_key(batch), None)
    if last_export is not None:
        for file in last_export.get("files", []):
            file["label"] = FILE_KIND_LABELS.get(file["kind"], file["kind"])
    return {
        "batch": batch,
        "state": state,
        "approved_by_me": actor(request).label in state.approvals,
        "approvers": [actor_name(label) for label in state.approvals],
        "totals": plan_totals(stored_close(batch)),
        "second_approval_above": Decimal(str(settings.PARCERIA["BATCH_SECOND_APPROVAL_ABOVE"])),
        "rows": list(zip(payouts, payout_rows(payouts), [_sent_to(p) for p in payouts], strict=True)),
        **carried,
        "transfer_files": [{"group": g, "label": FILE_KIND_LABELS.get(g.kind, g.kind)} for g in groups],
        "exports": [(e, actor_name(e.created_by), FILE_KIND_LABELS.get(e.kind, e.kind))
                    for e in batch.exports.defer("content").order_by("-created_at", "-id")],
        "last_export": last_export,
    }


def _export_key(batch: PayoutBatch) -> str:
    """Where the outcome of the last export of `batch` waits in the session for the batch page to show it."""
    return f"console-export-{batch.pk}"


def _export_currencies(groups: list[TransferGroup]) -> list[str]:
    """The currencies to choose among for a transfer file (not a CNAB remittance: always BRL) whose pending payouts
    are in more than one (those already in a file count too: they may be sent again); none when no file needs it."""
    by_kind: dict[str, set[str]] = {}
    for g in groups:
        if g.kind and g.kind not in CNAB_KINDS:
            by_kind.setdefault(g.kind, set()).add(g.currency)
    return sorted({currency for currencies in by_kind.values() if len(currencies) > 1 for currency in currencies})


def _batch_page(request: HttpRequest, batch: PayoutBatch, *, status: int = 200, **forms: Any) -> HttpResponse:
    groups = batch_transfer_groups(batch)
    context = {"export_form": ExportForm(currencies=_export_currencies(groups)), "return_form": ReturnFileForm(),
               **forms, **_batch_context(request, batch, groups)}
    return page(request, "payouts/console/batch.html", context, nav="close", status=status)


@console_view()
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _batch_page(request, get_object_or_404(PayoutBatch, pk=batch_id))


@console_view(write=Ability.FINANCE)
def batch_approve_view(request: HttpRequest, batch_id: int) -> HttpResponse:
    """GET (or a first POST) asks to confirm; a POST with confirmed=1 approves. An approver who already approved is
    told that a different approver is needed, and is not asked again."""
    batch = get_object_or_404(PayoutBatch, pk=batch_id)
    back = redirect("payouts_console:batch", batch_id=batch.pk)
    if not may(request, Ability.FINANCE):
        return back
    state = batch_state(batch)
    if state.approved:
        messages.info(request, _("This batch is approved."))
        return back
    if actor(request).label in state.approvals:
        messages.info(request, _("You have already approved this batch. The second approval must come from a "
                                 "different approver."))
        return back
    gross = " · ".join(money(total, currency) for currency, total in state.totals.items()) or "—"
    if not (request.method == "POST" and confirmed(request)):
        count = batch.payouts.count()
        lines = [
            ngettext("Batch %(month)s: %(count)s payout, %(gross)s gross.",
                     "Batch %(month)s: %(count)s payouts, %(gross)s gross.", count)
            % {"month": month_name(batch.period), "count": count, "gross": gross},
            _("Approvals so far: %(done)s of %(needed)s.")
            % {"done": len(state.approvals), "needed": state.required_approvals},
        ]
        return confirm_page(request, title=_("Approve this payout batch?"), lines=lines, button=_("Approve the batch"),
                            cancel=reverse("payouts_console:batch", args=[batch.pk]))
    try:
        after = batch_approve(batch=batch, actor=actor(request))
    except ParceriaError as exc:
        messages.error(request, exc.message)
        return back
    if after.approved:
        messages.success(request, _("Your approval is recorded: the batch of %(month)s (%(gross)s gross) is approved "
                                    "and can be exported.") % {"month": month_name(batch.period), "gross": gross})
    else:
        messages.success(request, _("Your approval is recorded (%(done)s of %(needed)s). The batch of %(month)s "
                                    "(%(gross)s gross) needs a second approval from a different approver.")
                         % {"done": len(after.approvals), "needed": after.required_approvals,
                            "month": month_name(batch.period), "gross": gross})
    return back


@console_view(write=Ability.FINANCE)
def batch_export_view(request: HttpRequest, batch_id: int) -> HttpResponse:
    """POST creates the file; GET goes to the batch page, whose form has the button."""
    batch = get_object_or_404(PayoutBatch, pk=batch_id)
    if request.method != "POST":
        return redirect(reverse("payouts_console:batch", args=[batch.pk]) + "#export")
    form = ExportForm(request.POST, currencies=_export_currencies(batch_transfer_groups(batch)))
    if not form.is_valid():
        return _batch_page(request, batch, export_form=form, status=422)
    kind = form.cleaned_data["kind"]
    transfer = kind not in (*CNAB_KINDS, "csv")
    try:
        result = batch_export(batch=batch, kind=kind, actor=actor(request), again=form.cleaned_data["again"],
                              currency=(form.cleaned_data.get("currency") or None) if transfer else None)
    except Conflict as exc:
        skipped = _named(exc.details.get("skipped", []) if isinstance(exc.details, dict) else [])
        request.session[_export_key(batch)] = {"export_id": None, "skipped": skipped, "error": exc.message}
        return redirect("payouts_console:batch", batch_id=batch.pk)
    except InvalidInput as exc:
        add_domain_error(form, exc, "kind")
        return _batch_page(request, batch, export_form=form, status=422)
    request.session[_export_key(batch)] = {
        "export_id": result.export.pk, "filename": result.export.filename, "included": len(result.included),
        "skipped": _named(result.skipped), "warnings": _named(result.warnings)}
    return redirect("payouts_console:batch", batch_id=batch.pk)


@console_view(write=Ability.FINANCE)
def batch_export_all_view(request: HttpRequest, batch_id: int) -> HttpResponse:
    """POST writes every transfer file the batch still needs (one per method and currency, all or none); GET goes to
    the batch page, whose Transfer files table has the button. The outcome waits in the session, as for one file."""
    batch = get_object_or_404(PayoutBatch, pk=batch_id)
    back = redirect(reverse("payouts_console:batch", args=[batch.pk]) + "#transfer-files")
    if request.method != "POST":
        return back
    try:
        results = batch_export_all(batch=batch, actor=actor(request))
    except ParceriaError as exc:
        skipped = exc.details.get("skipped", []) if isinstance(exc.details, dict) else []
        request.session[_export_key(batch)] = {"export_id": None, "skipped": _named(_left_out(skipped)),
                                               "error": exc.message}
        return back
    files = [{"export_id": r.export.pk, "filename": r.export.filename, "kind": r.export.kind,
              "included": len(r.included)} for r in results]
    request.session[_export_key(batch)] = {
        "export_id": None, "files": files, "included": sum(f["included"] for f in files),
        "skipped": _named(_left_out([s for r in results for s in r.skipped], _included(results))),
        "warnings": _named([w for r in results for w in r.warnings])}
    return back


#: The reasons a file leaves out a payout that another file sends: not worth telling when every file is written.
OTHER_FILES_REASONS = ("paid by ", "paid in ", "not paid in BRL", "already sent in ")
NO_METHOD_REASONS = ("no PIX key on file", "no payout method", "paid by no method")


def _included(results: list[ExportResult]) -> set[int]:
    return {payout_id for r in results for payout_id in r.included}


def _left_out(skipped: list[dict[str, Any]], included: set[int] | frozenset[int] = frozenset()) -> list[dict[str, Any]]:
    """The payouts the files of one "Export every file" left out that no file of it sends, once each, with the reason
    their own method's file gave (a payout with no method: "no payout method"), not that of another method's file."""
    found: dict[int, dict[str, Any]] = {}
    for entry in skipped:
        payout_id, reason = entry["payout_id"], str(entry["reason"])
        if payout_id in included or payout_id in found:
            continue
        if reason in NO_METHOD_REASONS:
            found[payout_id] = {"payout_id": payout_id, "reason": "no payout method"}
        elif not reason.startswith(OTHER_FILES_REASONS):
            found[payout_id] = entry
    return list(found.values())


def _named(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Export exceptions (each about one payout) with the partner they concern, its name and the payout's net, so
    that finance reads who is left out, not a payout number; reasons translated."""
    reasons = {"not paid in BRL": _("not paid in BRL"), "no PIX key on file": _("no PIX key on file"),
               "no payout method": _("no payout method: the partner must add one")}
    payouts = _payout_partners([e["payout_id"] for e in entries])
    named = []
    for e in entries:
        entry = {**e, **payouts.get(e["payout_id"], {})}
        if "reason" in e:
            entry["reason"] = _skip_reason(e["reason"], reasons)
        named.append(entry)
    return named


def _sent_to(payout: Payout) -> str:
    """Where a payout goes, every number masked but its last 4 characters: its PIX key, or its method's account."""
    if payout.pix_key:
        return masked_pix_key(payout.pix_key)
    return account_summary(payout.method, payout.account) if payout.method else ""


def _skip_reason(reason: str, known: dict[str, str]) -> str:
    """An export's reason to leave a payout out, in the reader's language where the product knows it."""
    method = METHODS.get(reason.removeprefix("paid by ")) if reason.startswith("paid by ") else None
    if method is not None:
        return _("paid by %(method)s, in that method's own file") % {"method": method.label}
    return str(known.get(reason, reason))


def _payout_partners(payout_ids: list[int]) -> dict[int, dict[str, Any]]:
    """For each payout id: its partner's id and name, and its net amount (as text: kept in the session)."""
    rows = Payout.objects.filter(pk__in=payout_ids).values_list("pk", "partner_id", "partner__name", "net", "currency")
    return {pk: {"partner_id": partner_id, "partner": name, "net": str(net), "currency": currency}
            for pk, partner_id, name, net, currency in rows}


@console_view(read=Ability.FINANCE)
def export_download(request: HttpRequest, batch_id: int, export_id: int) -> HttpResponse:
    """The bank (CNAB) or CSV file as sent; every download is audited (a sensitive read: names, tax ids, PIX keys)."""
    export = get_object_or_404(BatchExport.objects.select_related("batch"), pk=export_id, batch_id=batch_id)
    sensitive_read_record(actor=actor(request), action="payout_batch.file_downloaded", obj=export.batch,
                          details={"export_id": export.pk, "filename": export.filename, "kind": export.kind,
                                   "payouts": len(export.payout_ids)})
    content_type = TEXT if export.kind in CNAB_KINDS else CSV
    return attachment(export.content.encode("utf-8"), content_type=content_type, filename=export.filename)


@console_view(read=Ability.READ_PAYOUTS)
def payout_pix_key(request: HttpRequest, payout_id: int) -> HttpResponse:
    """The whole PIX key a payout was paid to (the batch page shows it masked); showing it is audited."""
    payout = get_object_or_404(Payout.objects.select_related("batch"), pk=payout_id)
    if payout.pix_key:
        sensitive_read_record(actor=actor(request), action="payout.pix_key_viewed", obj=payout,
                              details={"pix_key_type": payout.pix_key_type, "partner_id": payout.partner_id})
    label = PIX_KEY_TYPE_LABELS.get(payout.pix_key_type, payout.pix_key_type)
    return page(request, "payouts/console/payout_pix_key.html", {"payout": payout, "pix_label": label}, nav="close")


@console_view(write=Ability.FINANCE)
def return_import(request: HttpRequest, batch_id: int) -> HttpResponse:
    """POST imports the file; GET goes to the batch page, whose form has the button."""
    batch = get_object_or_404(PayoutBatch, pk=batch_id)
    if request.method != "POST":
        return redirect(reverse("payouts_console:batch", args=[batch.pk]) + "#return")
    form = ReturnFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _batch_page(request, batch, return_form=form, status=422)
    upload = form.cleaned_data["file"]
    report = attempt(form, lambda: return_file_import(text=upload.read(), filename=upload.name, actor=actor(request)),
                     "file")
    if report is None:
        return _batch_page(request, batch, return_form=form, status=422)
    references = [int(p["reference"]) for p in report.problems if str(p["reference"]).isdigit()]
    named = _payout_partners([*report.paid, *report.failed, *references])
    context = {"batch": batch, "report": report, "filename": upload.name,
               "paid": [named[pk] for pk in report.paid if pk in named],
               "failed": [named[pk] for pk in report.failed if pk in named],
               "problems": [{**p, **named.get(int(p["reference"]) if str(p["reference"]).isdigit() else 0, {})}
                            for p in report.problems]}
    return page(request, "payouts/console/return_report.html", context, nav="close")


def _payouts(form: PayoutFilterForm) -> QuerySet[Any]:
    qs = payouts_with_status(Payout.objects.select_related("batch"))
    if form.is_valid():
        if form.cleaned_data["status"]:
            qs = qs.filter(current_status=form.cleaned_data["status"])
        if form.cleaned_data["currency"]:
            qs = qs.filter(currency=form.cleaned_data["currency"])
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
            return confirm_page(request, title=_("Mark the payout to %(name)s?") % {"name": payout.payee_name},
                                lines=[_("Payee: %(name)s") % {"name": payout.payee_name},
                                       _("Net: %(net)s") % {"net": money(payout.net, payout.currency)},
                                       _("New status: %(s)s") % {"s": label}],
                                button=_("Confirm"), cancel=reverse("payouts_console:payout_mark", args=[payout.pk]))
        done = attempt(form, lambda: payout_mark(payout=payout, status=status, source="console", reference=reference,
                                                 actor=actor(request)))
        if done is not None:
            text = (_("The payout of %(net)s to %(name)s is marked paid.") if status == PayoutStatus.PAID else
                    _("The payout of %(net)s to %(name)s is marked failed: %(gross)s is back on the balance."))
            messages.success(request, text % {"net": money(payout.net, payout.currency), "name": payout.payee_name,
                                              "gross": money(payout.gross, payout.currency)})
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
        response = attachment(pdf, content_type=PDF, filename=name)
    else:
        response = attachment(informe.income_statement_csv(annual), content_type=CSV, filename=name)
    partner_document_shared(partner=partner, channel="informe", legal_basis=LegalBasis.LEGAL_OBLIGATION,
                            description=f"Income statement {year} ({fmt.upper()}) downloaded in the console to send "
                                        f"to the partner", actor=actor(request))
    return response
