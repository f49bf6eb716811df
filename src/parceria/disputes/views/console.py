"""The dispute queue with SLA flags, the dispute page where staff answer, and the manual adjustments that wait
for a second approver (SPEC §6.6, §8). Every change goes through the dispute and adjustment services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability
from parceria.common.errors import NotFound, ParceriaError
from parceria.disputes.adjustments import (
    adjustment_approve,
    adjustment_reject,
    adjustment_request,
    adjustment_threshold,
)
from parceria.disputes.files import attachment_response
from parceria.disputes.forms import (
    AdjustmentFilterForm,
    AdjustmentForm,
    AttachmentForm,
    DisputeFilterForm,
    ReasonForm,
    ResolveForm,
    StaffCommentForm,
)
from parceria.disputes.models import ACTIVE_DISPUTE_STATUSES, Adjustment, AdjustmentStatus, Dispute
from parceria.disputes.selectors import (
    dispute_adjustments,
    dispute_attachment_get,
    dispute_attachments,
    dispute_comments,
    dispute_is_overdue,
    overdue_q,
)
from parceria.disputes.services import (
    dispute_attachment_add,
    dispute_comment_add,
    dispute_reject,
    dispute_resolve,
    dispute_review,
)
from parceria.web.access import actor, console_view
from parceria.web.forms import attempt
from parceria.web.pages import confirm_page, confirmed, page
from parceria.web.tables import build_table, export_response, wants_export

DISPUTE_SORTS = {"opened": "opened_at", "due": "response_due_at", "status": "status", "partner": "partner__name"}
ADJUSTMENT_SORTS = {"requested": "requested_at", "amount": "amount", "partner": "partner__name"}


def _disputes(form: DisputeFilterForm) -> QuerySet[Dispute]:
    qs = Dispute.objects.select_related("partner")
    status = form.cleaned_data["status"] if form.is_valid() else ""
    if not status:
        qs = qs.filter(status__in=[s.value for s in ACTIVE_DISPUTE_STATUSES])
    elif status != "all":
        qs = qs.filter(status=status)
    if form.is_valid() and form.cleaned_data["overdue"]:
        qs = qs.filter(overdue_q(timezone.now()))
    return qs


@console_view()
def disputes(request: HttpRequest) -> HttpResponse:
    form = DisputeFilterForm(request.GET)
    table = build_table(request, _disputes(form), sortable=DISPUTE_SORTS, default_sort="due")
    now = timezone.now()
    if wants_export(request):
        lines = ((d.pk, d.partner.name, d.get_subject_display(), d.get_status_display(), d.opened_at,
                  d.response_due_at, dispute_is_overdue(d, now=now)) for d in table.page.paginator.object_list)
        return export_response(request, "disputes", [_("Dispute"), _("Partner"), _("Subject"), _("Status"),
                                                     _("Opened at"), _("Response due"), _("Overdue")], lines)
    rows = [(d, dispute_is_overdue(d, now=now)) for d in table.page.object_list]
    return page(request, "disputes/console/disputes.html", {"form": form, "table": table, "rows": rows}, nav="disputes")


def _dispute_page(request: HttpRequest, dispute: Dispute, *, status: int = 200, **forms: Any) -> HttpResponse:
    context = {
        "dispute": dispute,
        "overdue": dispute_is_overdue(dispute),
        "active": dispute.status in ACTIVE_DISPUTE_STATUSES,
        "comments": dispute_comments(dispute, include_internal=True),
        "attachments": dispute_attachments(dispute),
        "adjustments": dispute_adjustments(dispute),
        "threshold": adjustment_threshold(dispute.partner.currency),
        "comment_form": StaffCommentForm(), "resolve_form": ResolveForm(), "reject_form": ReasonForm(),
        "attachment_form": AttachmentForm(),
        **forms,
    }
    return page(request, "disputes/console/dispute_detail.html", context, nav="disputes", status=status)


def _dispute(dispute_id: int) -> Dispute:
    return get_object_or_404(Dispute.objects.select_related("partner", "ledger_line", "payout"), pk=dispute_id)


@console_view()
def dispute_detail(request: HttpRequest, dispute_id: int) -> HttpResponse:
    return _dispute_page(request, _dispute(dispute_id))


@console_view(read=None, write=Ability.RESOLVE_DISPUTES)
def dispute_review_view(request: HttpRequest, dispute_id: int) -> HttpResponse:
    dispute = _dispute(dispute_id)
    try:
        dispute_review(dispute=dispute, actor=actor(request))
        messages.success(request, _("The dispute is now in review."))
    except ParceriaError as exc:
        messages.error(request, exc.message)
    return redirect("disputes_console:detail", dispute_id=dispute.pk)


@console_view(read=None, write=Ability.RESOLVE_DISPUTES)
def dispute_comment_view(request: HttpRequest, dispute_id: int) -> HttpResponse:
    dispute = _dispute(dispute_id)
    form = StaffCommentForm(request.POST)
    if form.is_valid() and attempt(form, lambda: dispute_comment_add(
            dispute=dispute, text=form.cleaned_data["text"], internal=form.cleaned_data["internal"],
            actor=actor(request), is_staff=True)):
        messages.success(request, _("Your comment is added."))
        return redirect("disputes_console:detail", dispute_id=dispute.pk)
    return _dispute_page(request, dispute, comment_form=form, status=422)


@console_view(read=None, write=Ability.RESOLVE_DISPUTES)
def dispute_attach_view(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """Staff attach a file to an active dispute (the partner sees it); a bad file is refused beside the field."""
    dispute = _dispute(dispute_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if attempt(form, lambda: dispute_attachment_add(dispute=dispute, filename=upload.name or "", content=upload,
                                                        actor=actor(request), is_staff=True), "file"):
            messages.success(request, _("The file is attached."))
            return redirect("disputes_console:detail", dispute_id=dispute.pk)
    return _dispute_page(request, dispute, attachment_form=form, status=422)


@console_view()
def dispute_attachment_view(request: HttpRequest, dispute_id: int, attachment_id: int) -> HttpResponseBase:
    """Download one of the dispute's attachments."""
    try:
        return attachment_response(dispute_attachment_get(_dispute(dispute_id), attachment_id))
    except NotFound:
        raise Http404("attachment not found") from None


@console_view(read=None, write=Ability.RESOLVE_DISPUTES)
def dispute_resolve_view(request: HttpRequest, dispute_id: int) -> HttpResponse:
    dispute = _dispute(dispute_id)
    form = ResolveForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if not confirmed(request):
            return confirm_page(
                request, title=_("Resolve dispute #%(id)s with an adjustment?") % {"id": dispute.pk},
                lines=[_("Partner: %(name)s") % {"name": dispute.partner.name},
                       _("Adjustment: %(amount)s %(currency)s") % {"amount": data["adjustment_amount"],
                                                                   "currency": dispute.partner.currency},
                       _("Resolution: %(text)s") % {"text": data["resolution"]}],
                button=_("Resolve"), cancel=reverse("disputes_console:detail", args=[dispute.pk]))
        if attempt(form, lambda: dispute_resolve(dispute=dispute, adjustment_amount=data["adjustment_amount"],
                                                 resolution=data["resolution"], actor=actor(request))):
            messages.success(request, _("The dispute is resolved (see the adjustment's state below)."))
            return redirect("disputes_console:detail", dispute_id=dispute.pk)
    return _dispute_page(request, dispute, resolve_form=form, status=422)


@console_view(read=None, write=Ability.RESOLVE_DISPUTES)
def dispute_reject_view(request: HttpRequest, dispute_id: int) -> HttpResponse:
    dispute = _dispute(dispute_id)
    form = ReasonForm(request.POST)
    if form.is_valid():
        if not confirmed(request):
            return confirm_page(request, title=_("Reject dispute #%(id)s?") % {"id": dispute.pk},
                                lines=[_("Reason (shown to the partner): %(text)s")
                                       % {"text": form.cleaned_data["reason"]}],
                                button=_("Reject the dispute"),
                                cancel=reverse("disputes_console:detail", args=[dispute.pk]))
        if attempt(form, lambda: dispute_reject(dispute=dispute, reason=form.cleaned_data["reason"],
                                                actor=actor(request))):
            messages.success(request, _("The dispute is rejected."))
            return redirect("disputes_console:detail", dispute_id=dispute.pk)
    return _dispute_page(request, dispute, reject_form=form, status=422)


def _adjustments(form: AdjustmentFilterForm) -> QuerySet[Adjustment]:
    qs = Adjustment.objects.select_related("partner")
    status = form.cleaned_data["status"] if form.is_valid() else ""
    if not status:
        return qs.filter(status=AdjustmentStatus.PENDING_APPROVAL)
    return qs if status == "all" else qs.filter(status=status)


def _adjustments_page(request: HttpRequest, *, status: int = 200,
                      reject_forms: dict[int, ReasonForm] | None = None) -> HttpResponse:
    form = AdjustmentFilterForm(request.GET)
    table = build_table(request, _adjustments(form), sortable=ADJUSTMENT_SORTS, default_sort="-requested")
    bound = reject_forms or {}
    rows = [(a, bound.get(a.pk) or ReasonForm(auto_id=f"id_reject{a.pk}_%s")) for a in table.page.object_list]
    context = {"form": form, "table": table, "rows": rows, "threshold": adjustment_threshold("BRL"),
               "me": request.user.pk}
    return page(request, "disputes/console/adjustments.html", context, nav="adjustments", status=status)


@console_view()
def adjustments(request: HttpRequest) -> HttpResponse:
    if wants_export(request):
        form = AdjustmentFilterForm(request.GET)
        rows = ((a.pk, a.partner.name, a.amount, a.currency, a.get_status_display(), a.reason, a.requested_by_label,
                 a.requested_at) for a in _adjustments(form).order_by("-requested_at"))
        return export_response(request, "adjustments", [_("Adjustment"), _("Partner"), _("Amount"), _("Currency"),
                                                         _("Status"), _("Reason"), _("Requested by"),
                                                         _("Requested at")], rows)
    return _adjustments_page(request)


@console_view(read=Ability.FINANCE, write=Ability.FINANCE)
def adjustment_new(request: HttpRequest) -> HttpResponse:
    form = AdjustmentForm(request.POST or None, initial={"partner": request.GET.get("partner")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        adjustment = attempt(form, lambda: adjustment_request(partner=data["partner"], amount=data["amount"],
                                                              reason=data["reason"], actor=actor(request)))
        if adjustment is not None:
            text = (_("Adjustment #%(id)s is posted.") if adjustment.status == AdjustmentStatus.POSTED
                    else _("Adjustment #%(id)s waits for a second approver.")) % {"id": adjustment.pk}
            messages.success(request, text)
            return redirect("disputes_console:adjustments")
    return page(request, "disputes/console/adjustment_new.html",
                {"form": form, "threshold": adjustment_threshold("BRL")}, nav="adjustments",
                status=422 if form.errors else 200)


@console_view(read=None, write=Ability.FINANCE)
def adjustment_approve_view(request: HttpRequest, adjustment_id: int) -> HttpResponse:
    adjustment = get_object_or_404(Adjustment.objects.select_related("partner"), pk=adjustment_id)
    if not confirmed(request):
        return confirm_page(
            request, title=_("Approve adjustment #%(id)s?") % {"id": adjustment.pk},
            lines=[_("Partner: %(name)s") % {"name": adjustment.partner.name},
                   _("Amount: %(amount)s %(currency)s")
                   % {"amount": adjustment.amount, "currency": adjustment.currency},
                   _("Reason: %(text)s") % {"text": adjustment.reason}],
            button=_("Approve and post"), cancel=reverse("disputes_console:adjustments"))
    try:
        adjustment_approve(adjustment=adjustment, actor=actor(request))
        messages.success(request, _("Adjustment #%(id)s is approved.") % {"id": adjustment.pk})
    except ParceriaError as exc:
        messages.error(request, exc.message)
    return redirect("disputes_console:adjustments")


@console_view(read=None, write=Ability.FINANCE)
def adjustment_reject_view(request: HttpRequest, adjustment_id: int) -> HttpResponse:
    adjustment = get_object_or_404(Adjustment, pk=adjustment_id)
    form = ReasonForm(request.POST, auto_id=f"id_reject{adjustment.pk}_%s")
    if form.is_valid() and attempt(form, lambda: adjustment_reject(adjustment=adjustment,
                                                                   reason=form.cleaned_data["reason"],
                                                                   actor=actor(request))):
        messages.success(request, _("Adjustment #%(id)s is rejected.") % {"id": adjustment.pk})
        return redirect("disputes_console:adjustments")
    return _adjustments_page(request, reject_forms={adjustment.pk: form}, status=422)
