"""The leads offered to the partner in the portal: the list (CSV, Excel), and a lead's page with its facts, the
deadline, and accept (which registers the deal in the partner's name) or decline with a reason. A lead never offered
to the partner is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability
from parceria.common.errors import NotFound, ParceriaError
from parceria.deals.models import DealStatus
from parceria.leads.forms import DeclineForm
from parceria.leads.models import LeadOffer, OfferStatus
from parceria.leads.selectors import offer_list, partner_offer
from parceria.leads.services import lead_accept, lead_decline
from parceria.web.access import actor, partner_required, principal_for, require
from parceria.web.tables import build_table, export_response, wants_export

SORTS = {"offered": "offered_at", "company": "lead__company_name", "status": "status", "deadline": "deadline"}


def _offer(request: HttpRequest, lead_id: int) -> LeadOffer:
    try:
        return partner_offer(principal_for(request), lead_id)
    except NotFound:
        raise Http404 from None


@partner_required
def my_leads(request: HttpRequest) -> HttpResponse:
    table = build_table(request, offer_list(principal_for(request)), sortable=SORTS, default_sort="-offered",
                        per_page=10**9 if wants_export(request) else 25)
    if wants_export(request):
        header = [_("Lead"), _("Company"), _("Estimated value"), _("Currency"), _("Offered"), _("Answer by"),
                  _("Status")]
        rows = ([o.lead_id, o.lead.company_name, o.lead.estimated_value, o.lead.currency, o.offered_at, o.deadline,
                 o.get_status_display()] for o in table.page.object_list)
        return export_response(request, "leads", header, rows)
    return render(request, "leads/portal/list.html", {"nav": "leads", "table": table, "now": timezone.now()})


def _detail(request: HttpRequest, offer: LeadOffer, *, form: DeclineForm | None = None, error: str = "",
            status: int = 200) -> HttpResponse:
    answerable = offer.status == OfferStatus.PENDING and offer.deadline > timezone.now()
    return render(request, "leads/portal/detail.html", {
        "nav": "leads", "offer": offer, "lead": offer.lead, "answerable": answerable, "error": error,
        "form": form or DeclineForm(), "now": timezone.now(),
        "registered": offer.registration is not None and offer.registration.status != DealStatus.REJECTED,
    }, status=status)


@partner_required
def my_lead(request: HttpRequest, lead_id: int) -> HttpResponse:
    return _detail(request, _offer(request, lead_id))


@partner_required
def accept(request: HttpRequest, lead_id: int) -> HttpResponse:
    offer = _offer(request, lead_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    require(request, Ability.REGISTER_DEALS)
    try:
        accepted = lead_accept(offer=offer, actor=actor(request))
    except ParceriaError as exc:
        return _detail(request, offer, error=exc.message, status=exc.status)
    registration = accepted.offer.registration
    if registration is not None and registration.status == DealStatus.REJECTED:
        messages.info(request, _("The lead is accepted, but its deal registration was refused; the lead goes back "
                                 "to our team."))
    else:
        messages.success(request, _("The lead is accepted and registered as your deal."))
    return redirect("leads_portal:detail", lead_id=lead_id)


@partner_required
def decline(request: HttpRequest, lead_id: int) -> HttpResponse:
    offer = _offer(request, lead_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    require(request, Ability.REGISTER_DEALS)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            lead_decline(offer=offer, reason=form.cleaned_data["reason"], actor=actor(request))
        except ParceriaError as exc:
            return _detail(request, offer, form=form, error=exc.message, status=exc.status)
        messages.success(request, _("The lead is declined; it goes back to our team."))
        return redirect("leads_portal:detail", lead_id=lead_id)
    return _detail(request, offer, form=form, status=422)
