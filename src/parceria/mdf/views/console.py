"""Marketing funds in the console: the funds of a quarter with their ROI (CSV export), a request's page with the
decision on the request and on its claim."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from parceria.accounts.tenancy import Ability
from parceria.common.errors import InvalidInput
from parceria.mdf.files import proof_response
from parceria.mdf.forms import BudgetOverrideForm, DecisionForm
from parceria.mdf.models import Budget, FundRequest, RequestStatus
from parceria.mdf.selectors import funds_roi, scope_requests
from parceria.mdf.services import (
    budget_committed,
    budget_override,
    claim_decide,
    parse_quarter,
    quarter_label,
    quarter_start,
    request_decide,
)
from parceria.web.access import actor, console_view, principal_for
from parceria.web.forms import attempt
from parceria.web.tables import export_response, wants_export


def _quarter(request: HttpRequest) -> str:
    text = request.GET.get("quarter") or quarter_label(quarter_start(timezone.localdate()))
    try:
        parse_quarter(text)
    except InvalidInput:
        text = quarter_label(quarter_start(timezone.localdate()))
    return text


@console_view()
def funds(request: HttpRequest) -> HttpResponse:
    label = _quarter(request)
    quarter = parse_quarter(label)
    rows = list(scope_requests(principal_for(request)).filter(budget__quarter=quarter).order_by("partner__name", "id"))
    found = funds_roi(rows)
    if wants_export(request):
        header = [_("Request"), _("Partner"), _("Activity"), _("Status"), _("Currency"), pgettext("mdf", "Requested"),
                  pgettext("mdf", "Approved"), pgettext("mdf", "Reimbursed"), _("Linked deals"),
                  _("Converted customers"),
                  _("Revenue to date (R$)"), _("ROI")]
        return export_response(request, f"mdf-{label}", header, (
            [f.request.pk, f.request.partner.name, f.request.title, f.request.get_status_display(), f.currency,
             f.request.amount, f.request.approved_amount or "", f.reimbursed, f.deals, f.customers,
             "" if f.revenue_brl is None else f.revenue_brl, "" if f.roi is None else f.roi]
            for f in found
        ))
    quarters = sorted({quarter_label(q) for q in Budget.objects.values_list("quarter", flat=True)} | {label},
                      reverse=True)
    waiting = sum(1 for f in found if f.request.status in (RequestStatus.REQUESTED, RequestStatus.CLAIMED))
    return render(request, "mdf/console/funds.html", {
        "nav": "mdf", "funds": found, "quarter": label, "quarters": quarters, "waiting": waiting,
        "budgets": Budget.objects.filter(quarter=quarter).count(),
    })


def _fund_page(request: HttpRequest, fund: FundRequest, form: DecisionForm | None = None,
               status: int = 200) -> HttpResponse:
    (roi,) = funds_roi([fund])
    return render(request, "mdf/console/fund.html", {
        "nav": "mdf", "fund": fund, "roi": roi, "form": form or DecisionForm(), "proofs": list(fund.proofs.all()),
        "deals": list(fund.deals.filter(partner_id=fund.partner_id)),
    }, status=status)


@console_view()
def fund(request: HttpRequest, request_id: int) -> HttpResponse:
    return _fund_page(request, get_object_or_404(scope_requests(principal_for(request)), pk=request_id))


@console_view(read=None, write=Ability.MANAGE_PARTNERS)
def decide(request: HttpRequest, request_id: int) -> HttpResponse:
    fund = get_object_or_404(scope_requests(principal_for(request)), pk=request_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        approve = data["decision"] == "approve"
        service = claim_decide if fund.status == RequestStatus.CLAIMED else request_decide
        if attempt(form, lambda: service(request=fund, approve=approve, amount=data["amount"] if approve else None,
                                         reason=data["reason"], actor=actor(request))):
            messages.success(request, _("Decision recorded."))
            return redirect("mdf_console:detail", request_id=fund.pk)
    return _fund_page(request, fund, form, status=422)


@console_view()
def budgets(request: HttpRequest) -> HttpResponse:
    """The quarter's budgets: each with what its requests take and what is left (two queries)."""
    label = _quarter(request)
    rows = list(Budget.objects.filter(quarter=parse_quarter(label)).select_related("partner")
                .order_by("partner__name", "id"))
    taken: dict[int, Decimal] = {}
    for fund in FundRequest.objects.filter(budget__in=rows).only("budget_id", "status", "amount", "approved_amount",
                                                                 "reimbursement"):
        taken[fund.budget_id] = taken.get(fund.budget_id, Decimal(0)) + fund.committed
    quarters = sorted({quarter_label(q) for q in Budget.objects.values_list("quarter", flat=True)} | {label},
                      reverse=True)
    return render(request, "mdf/console/budgets.html", {
        "nav": "mdf", "quarter": label, "quarters": quarters,
        "rows": [(b, taken.get(b.pk, Decimal(0)), b.amount - taken.get(b.pk, Decimal(0))) for b in rows],
    })


@console_view(write=Ability.MANAGE_PARTNERS)
def budget(request: HttpRequest, budget_id: int) -> HttpResponse:
    found = get_object_or_404(Budget.objects.select_related("partner"), pk=budget_id)
    form = BudgetOverrideForm(request.POST or None, initial={"amount": found.amount})
    if request.method == "POST" and form.is_valid() and attempt(form, lambda: budget_override(
            budget=found, amount=form.cleaned_data["amount"], reason=form.cleaned_data["reason"],
            actor=actor(request))):
        messages.success(request, _("The budget is changed."))
        return redirect(f"{reverse('mdf_console:budgets')}?quarter={found.quarter_label}")
    return render(request, "mdf/console/budget.html", {
        "nav": "mdf", "budget": found, "form": form, "taken": budget_committed(found),
    }, status=422 if form.errors else 200)


@console_view()
def proof(request: HttpRequest, request_id: int, proof_id: int) -> HttpResponseBase:
    fund = get_object_or_404(scope_requests(principal_for(request)), pk=request_id)
    return proof_response(get_object_or_404(fund.proofs, pk=proof_id))
