"""Marketing funds in the portal: the quarter's budget, requests, claims with proofs, linked deals. The partner's
admins request and claim; every user of the partner reads."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability
from parceria.deals.models import DealRegistration
from parceria.mdf.files import proof_response
from parceria.mdf.forms import ClaimForm, DealsForm, RequestForm
from parceria.mdf.models import FundRequest, RequestStatus
from parceria.mdf.selectors import funds_roi, scope_budgets, scope_requests
from parceria.mdf.services import (
    Upload,
    budget_available,
    claim_deadline,
    claim_submit,
    request_create,
    request_link_deals,
)
from parceria.web.access import actor, may, partner_of, partner_required, principal_for, require
from parceria.web.forms import attempt


def _request(request: HttpRequest, request_id: int) -> FundRequest:
    return get_object_or_404(scope_requests(principal_for(request)), pk=request_id)


@partner_required
def funds(request: HttpRequest) -> HttpResponse:
    principal = principal_for(request)
    today = timezone.localdate()
    budget = scope_budgets(principal).filter(quarter__lte=today, expires_on__gte=today).order_by("-quarter").first()
    rows = list(scope_requests(principal))
    return render(request, "mdf/portal/funds.html", {
        "nav": "mdf", "budget": budget, "available": budget_available(budget) if budget else None,
        "funds": funds_roi(rows), "can_request": may(request, Ability.MANAGE_USERS),
    })


@partner_required
def request_new(request: HttpRequest) -> HttpResponse:
    require(request, Ability.MANAGE_USERS)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = attempt(form, lambda: request_create(
            partner=partner_of(request), actor=actor(request), title=data["title"], kind=data["kind"],
            planned_on=data["planned_on"], amount=data["amount"], description=data["description"],
            expected_results=data["expected_results"]), "amount")
        if created is not None:
            messages.success(request, _("Request sent. The Parceria team will answer it."))
            return redirect("mdf_portal:detail", request_id=created.pk)
    return render(request, "mdf/portal/request_new.html", {"nav": "mdf", "form": form},
                  status=422 if form.errors else 200)


def _fund_page(request: HttpRequest, fund: FundRequest, *, claim_form: ClaimForm | None = None,
               status: int = 200) -> HttpResponse:
    deals = DealRegistration.objects.filter(partner_id=fund.partner_id).order_by("company_name")
    linked = fund.deals.filter(partner_id=fund.partner_id).values_list("pk", flat=True)
    deals_form = DealsForm(initial={"deals": [str(pk) for pk in linked]},
                           choices=[(d.pk, d.company_name) for d in deals])
    (roi,) = funds_roi([fund])
    return render(request, "mdf/portal/fund.html", {
        "nav": "mdf", "fund": fund, "roi": roi, "claim_form": claim_form or ClaimForm(),
        "deals_form": deals_form, "can_act": may(request, Ability.MANAGE_USERS),
        "claimable": fund.status == RequestStatus.APPROVED, "deadline": claim_deadline(fund.budget),
        "proofs": list(fund.proofs.all()),
    }, status=status)


@partner_required
def fund(request: HttpRequest, request_id: int) -> HttpResponse:
    return _fund_page(request, _request(request, request_id))


@partner_required
def claim(request: HttpRequest, request_id: int) -> HttpResponse:
    require(request, Ability.MANAGE_USERS)
    fund = _request(request, request_id)
    if request.method != "POST":
        return redirect("mdf_portal:detail", request_id=fund.pk)
    form = ClaimForm(request.POST, request.FILES)
    if form.is_valid():
        files = [Upload(f.name or "proof", f.read()) for f in form.cleaned_data["proofs"]]
        amount: Decimal = form.cleaned_data["amount"]
        if attempt(form, lambda: claim_submit(request=fund, amount=amount, files=files, actor=actor(request)),
                   "amount"):
            messages.success(request, _("Claim sent. The Parceria team will review your proofs."))
            return redirect("mdf_portal:detail", request_id=fund.pk)
    return _fund_page(request, fund, claim_form=form, status=422)


@partner_required
def link_deals(request: HttpRequest, request_id: int) -> HttpResponse:
    require(request, Ability.MANAGE_USERS)
    fund = _request(request, request_id)
    if request.method == "POST":
        try:
            ids = [int(v) for v in request.POST.getlist("deals")]
        except ValueError:
            raise Http404 from None
        request_link_deals(request=fund, deal_ids=ids, actor=actor(request))
        messages.success(request, _("Linked deals saved."))
    return redirect("mdf_portal:detail", request_id=fund.pk)


@partner_required
def proof(request: HttpRequest, request_id: int, proof_id: int) -> HttpResponseBase:
    fund = _request(request, request_id)
    return proof_response(get_object_or_404(fund.proofs, pk=proof_id))
