"""Disputes in the portal (SPEC §8): list, open, follow, comment, attach files, withdraw. Staff answer in the
console."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parceria.accounts.tenancy import sees_staff_notes
from parceria.common.errors import Conflict, InvalidInput, NotFound, ParceriaError
from parceria.disputes.files import attachment_response
from parceria.disputes.forms import SUBJECT_LABELS, AttachmentForm, DisputeForm, PartnerCommentForm, WithdrawForm
from parceria.disputes.models import ACTIVE_DISPUTE_STATUSES, Dispute, DisputeComment, DisputeStatus
from parceria.disputes.selectors import (
    dispute_attachment_get,
    dispute_attachments,
    dispute_comments,
    dispute_is_overdue,
    scope_disputes,
)
from parceria.disputes.services import dispute_attachment_add, dispute_comment_add, dispute_open, dispute_withdraw
from parceria.web.access import actor, partner_of, partner_required, principal_for
from parceria.web.tables import build_table, export_response, wants_export


def _comments(request: HttpRequest, dispute: Dispute) -> list[DisputeComment]:
    """The dispute's conversation as its partner sees it: without staff notes (tenancy.sees_staff_notes)."""
    return dispute_comments(dispute, include_internal=sees_staff_notes(principal_for(request)))


def _labels() -> dict[str, object]:
    return {"statuses": dict(DisputeStatus.choices), "subjects": SUBJECT_LABELS}


@partner_required
def disputes(request: HttpRequest) -> HttpResponse:
    rows = scope_disputes(principal_for(request)).select_related("ledger_line", "payout")
    sortable = {"opened": "opened_at", "status": "status", "due": "response_due_at"}
    table = build_table(request, rows, sortable=sortable, default_sort="-opened",
                        per_page=10**9 if wants_export(request) else 25)
    if wants_export(request):
        header = [_("Dispute"), _("Opened at"), _("Subject"), _("Status"), _("Refers to"), _("Description")]
        return export_response(request, "disputes", header, (
            [d.pk, d.opened_at, SUBJECT_LABELS.get(d.subject, d.subject), d.get_status_display(), _about(d),
             d.description]
            for d in table.page.object_list
        ))
    return render(request, "disputes/portal/disputes.html", {"nav": "disputes", "table": table, **_labels()})


def _about(dispute: Dispute) -> str:
    if dispute.ledger_line_id:
        return _("commission line #%(id)s") % {"id": dispute.ledger_line_id}
    if dispute.payout_id:
        return _("payout #%(id)s") % {"id": dispute.payout_id}
    return " ".join(filter(None, [dispute.customer_name, dispute.customer_external_id]))


@partner_required
def dispute_new(request: HttpRequest) -> HttpResponse:
    partner = partner_of(request)
    initial = _initial_subject(request)
    form = DisputeForm(request.POST or None, partner=partner, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            dispute = dispute_open(partner=partner, subject=form.cleaned_data["subject"], claim=form.claim(),
                                   actor=actor(request))
        except Conflict:
            form.add_error("subject", _("There is already an open dispute about this. Follow it in your disputes."))
        except (InvalidInput, NotFound):
            form.add_error(None, _("Check the details of the dispute and try again."))
        else:
            messages.success(request, _("Dispute opened. We answer within the response time shown."))
            return redirect("disputes_portal:detail", dispute_id=dispute.pk)
    return render(request, "disputes/portal/dispute_new.html", {"nav": "disputes", "form": form},
                  status=422 if form.errors else 200)


def _initial_subject(request: HttpRequest) -> dict[str, object]:
    line, payout = request.GET.get("line", ""), request.GET.get("payout", "")
    if line.isdigit():
        return {"subject": "ledger_line", "ledger_line": int(line)}
    if payout.isdigit():
        return {"subject": "payout", "payout": payout}
    if request.GET.get("subject") == "missing_attribution":
        return {"subject": "missing_attribution"}
    return {}


def _own_dispute(request: HttpRequest, dispute_id: int) -> Dispute:
    dispute: Dispute = get_object_or_404(scope_disputes(principal_for(request)), pk=dispute_id)
    return dispute


def _detail(request: HttpRequest, dispute: Dispute, *, comment_form: PartnerCommentForm | None = None,
            withdraw_form: WithdrawForm | None = None, attachment_form: AttachmentForm | None = None,
            status: int = 200) -> HttpResponse:
    context = {
        "nav": "disputes", "dispute": dispute, "comments": _comments(request, dispute),
        "attachments": dispute_attachments(dispute), "overdue": dispute_is_overdue(dispute),
        "active": dispute.status in ACTIVE_DISPUTE_STATUSES,
        "comment_form": comment_form or PartnerCommentForm(), "withdraw_form": withdraw_form or WithdrawForm(),
        "attachment_form": attachment_form or AttachmentForm(),
        **_labels(),
    }
    return render(request, "disputes/portal/dispute.html", context, status=status)


@partner_required
def dispute(request: HttpRequest, dispute_id: int) -> HttpResponse:
    return _detail(request, _own_dispute(request, dispute_id))


@partner_required
@require_POST
def dispute_comment(request: HttpRequest, dispute_id: int) -> HttpResponse:
    item = _own_dispute(request, dispute_id)
    form = PartnerCommentForm(request.POST)
    if form.is_valid():
        try:
            dispute_comment_add(dispute=item, text=form.cleaned_data["text"], actor=actor(request),
                                is_staff=False)
        except (InvalidInput, Conflict):
            form.add_error("text", _("This dispute is closed: it takes no more comments."))
    if request.htmx and form.is_valid() and not form.errors:  # type: ignore[attr-defined]
        context = {"dispute": item, "comments": _comments(request, item),
                   "comment_form": PartnerCommentForm(), "active": True}
        return render(request, "disputes/portal/_dispute_comments.html", context)
    if form.errors:
        return _detail(request, item, comment_form=form, status=422)
    return redirect("disputes_portal:detail", dispute_id=item.pk)


@partner_required
@require_POST
def dispute_withdraw_view(request: HttpRequest, dispute_id: int) -> HttpResponse:
    item = _own_dispute(request, dispute_id)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            dispute_withdraw(dispute=item, actor=actor(request), reason=form.cleaned_data["reason"])
        except (InvalidInput, Conflict):
            form.add_error("reason", _("This dispute cannot be withdrawn now."))
    if form.errors:
        return _detail(request, item, withdraw_form=form, status=422)
    messages.success(request, _("Dispute withdrawn."))
    return redirect("disputes_portal:detail", dispute_id=item.pk)


@partner_required
@require_POST
def dispute_attach(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """Attach a file to the partner's own active dispute; a bad file is refused beside the field."""
    item = _own_dispute(request, dispute_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            dispute_attachment_add(dispute=item, filename=upload.name or "", content=upload,
                                   actor=actor(request), is_staff=False)
        except ParceriaError as exc:
            form.add_error("file", exc.message)
    if form.errors:
        return _detail(request, item, attachment_form=form, status=422)
    messages.success(request, _("File attached."))
    return redirect("disputes_portal:detail", dispute_id=item.pk)


@partner_required
def dispute_attachment(request: HttpRequest, dispute_id: int, attachment_id: int) -> HttpResponseBase:
    """Download an attachment of the partner's own dispute (404 for anyone else's)."""
    item = _own_dispute(request, dispute_id)
    try:
        attachment = dispute_attachment_get(item, attachment_id)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET"])
        return attachment_response(attachment)
    except NotFound:
        raise Http404("attachment not found") from None
