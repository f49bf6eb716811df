"""Leads in the staff console: the list with a status filter (CSV, Excel), the form to add a lead, and a lead's page:
its facts, its offers (the history), and while it is with staff the ranking of partners for it — every reason with
its weight and points, the partners excluded with why — from which staff offer it to one (confirmed on a second
step)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parceria.accounts.tenancy import Ability
from parceria.common.errors import ParceriaError
from parceria.leads.forms import LeadFilterForm, LeadForm, OfferForm
from parceria.leads.models import Lead, LeadStatus, OfferStatus
from parceria.leads.routing import rank_partners
from parceria.leads.selectors import lead_list, lead_offers
from parceria.leads.services import lead_create, lead_offer, offer_hours
from parceria.partners.models import Partner
from parceria.web.access import actor, console_view
from parceria.web.forms import attempt
from parceria.web.pages import confirm_page, confirmed, page
from parceria.web.tables import build_table, export_response, wants_export

SORTS = {"created": "created_at", "company": "company_name", "status": "status", "value": "estimated_value"}
REASON_LABELS = {"exclusivity": gettext_lazy("Exclusivity"), "vertical": gettext_lazy("Vertical"),
                 "region": gettext_lazy("Region"), "tier": gettext_lazy("Tier"), "capacity": gettext_lazy("Capacity"),
                 "conversion": gettext_lazy("Past conversion")}


def _export_header() -> list[str]:
    return [_("Lead"), _("Company"), _("Country"), _("Tax id"), _("Web domain"), _("Vertical"), _("Region"),
            _("Estimated value"), _("Currency"), _("Status"), _("Created")]


def _export_row(lead: Lead) -> list[object]:
    return [lead.pk, lead.company_name, lead.country, lead.tax_id, lead.domain, lead.vertical, lead.region,
            lead.estimated_value, lead.currency, lead.get_status_display(), lead.created_at]


@console_view()
def leads(request: HttpRequest) -> HttpResponse:
    form = LeadFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    table = build_table(request, lead_list(status=status or None), sortable=SORTS, default_sort="-created",
                        per_page=10**9 if wants_export(request) else 25)
    if wants_export(request):
        return export_response(request, "leads", _export_header(), (_export_row(r) for r in table.page.object_list))
    return page(request, "leads/console/list.html", {"form": form, "table": table}, nav="leads")


@console_view(write=Ability.MANAGE_PARTNERS)
def lead_new(request: HttpRequest) -> HttpResponse:
    form = LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = attempt(form, lambda: lead_create(fields=form.fields_given(), actor=actor(request),
                                                   external_id=form.external_id_given()))
        if result is not None:
            lead, created = result
            if created:
                messages.success(request, _("The lead is added. Choose the partner to offer it to."))
            else:
                messages.info(request, _("A lead with this external id already exists: here it is."))
            return redirect("leads_console:detail", lead_id=lead.pk)
    return page(request, "leads/console/new.html", {"form": form}, nav="leads", status=422 if form.errors else 200)


def _routable(lead: Lead, offers: list[Any]) -> bool:
    """Whether staff may offer the lead now: it is with them, or its offer's deadline has passed."""
    pending = next((o for o in offers if o.status == OfferStatus.PENDING), None)
    return lead.status == LeadStatus.OPEN or (pending is not None and pending.deadline <= timezone.now())


def _detail(request: HttpRequest, lead: Lead, *, error: str = "", status: int = 200) -> HttpResponse:
    offers = list(lead_offers(lead))
    routable = _routable(lead, offers)
    ranking = rank_partners(lead) if routable else None
    rows = []
    for offer in offers:
        reasons = (offer.ranking or {}).get("reasons", [])
        rows.append({"offer": offer, "points": (offer.ranking or {}).get("points"),
                     "position": (offer.ranking or {}).get("position"), "reasons": reasons})
    return page(request, "leads/console/detail.html", {
        "lead": lead, "offers": rows, "ranking": ranking, "routable": routable, "error": error,
        "reason_labels": REASON_LABELS, "offer_hours": offer_hours(),
        "now": timezone.now(),
    }, nav="leads", status=status)


@console_view()
def lead(request: HttpRequest, lead_id: int) -> HttpResponse:
    return _detail(request, get_object_or_404(Lead, pk=lead_id))


@console_view(read=None, write=Ability.MANAGE_PARTNERS)
def offer(request: HttpRequest, lead_id: int) -> HttpResponse:
    found = get_object_or_404(Lead, pk=lead_id)
    form = OfferForm(request.POST)
    if not form.is_valid():
        return _detail(request, found, error=_("Choose a partner from the ranking."), status=422)
    partner = Partner.objects.filter(pk=form.cleaned_data["partner"]).first()
    if partner is None:
        return _detail(request, found, error=_("Choose a partner from the ranking."), status=422)
    if not confirmed(request):
        return confirm_page(
            request, title=_("Offer the lead %(company)s to %(partner)s?") % {"company": found.company_name,
                                                                             "partner": partner.name},
            lines=[_("The partner's admins are told by e-mail; the partner has %(hours)s hours to accept or "
                     "decline it, after which the lead comes back to you.") % {"hours": offer_hours()}],
            button=_("Offer the lead"), cancel=reverse("leads_console:detail", args=[found.pk]))
    try:
        lead_offer(lead=found, partner=partner, actor=actor(request), base_url=request.build_absolute_uri("/"))
    except ParceriaError as exc:
        return _detail(request, found, error=exc.message, status=exc.status)
    messages.success(request, _("The lead is offered to %(partner)s.") % {"partner": partner.name})
    return redirect("leads_console:detail", lead_id=found.pk)
