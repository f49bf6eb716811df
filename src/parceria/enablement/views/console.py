"""Enablement in the staff console: certifications by partner, a partner's enablement (confirm the product
demo, start onboarding, log check-ins) and the overdue check-ins, the signed-in manager's partners first."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability
from parceria.enablement import selectors, services
from parceria.enablement.forms import CheckInForm, DemoForm, OnboardingForm
from parceria.enablement.models import DemoConfirmation, OnboardingPlan
from parceria.partners.models import Partner
from parceria.web.access import actor, console_view
from parceria.web.forms import attempt
from parceria.web.pages import page
from parceria.web.tables import build_table, export_response, wants_export

NAV = "enablement"


@console_view()
def certifications(request: HttpRequest) -> HttpResponse:
    """Certifications by partner: one page of partners, their certificates held, training and checklist."""
    now = timezone.now()
    table = build_table(request, Partner.objects.exclude(status="terminated"),
                        sortable={"name": "name", "status": "status"}, default_sort="name",
                        per_page=10**9 if wants_export(request) else 25)
    rows = selectors.enablement_rows(list(table.page.object_list), now)
    if wants_export(request):
        header = [_("Partner"), _("Status"), _("Core courses completed"), _("Core courses"), _("Product demo"),
                  _("Pilot customer"), _("Certifications held")]
        return export_response(request, "certifications", header, (
            [r.partner.name, r.partner.get_status_display(), r.core_done, r.core_total, r.demo, r.pilot,
             "; ".join(f"{c.certification.name} ({date_format(timezone.localdate(c.expires_at), 'SHORT_DATE_FORMAT')})"
                       for c in r.held)] for r in rows))
    return page(request, "enablement/console/certifications.html", {"table": table, "rows": rows}, nav=NAV)


def _partner_page(request: HttpRequest, partner: Partner, *, status: int = 200, **forms: object) -> HttpResponse:
    now = timezone.now()
    plan = OnboardingPlan.objects.filter(partner=partner).first()
    context = {
        "partner": partner,
        "statuses": selectors.partner_certifications(partner, now),
        "progress": selectors.partner_progress(partner),
        "demo": DemoConfirmation.objects.select_related("confirmed_by").filter(partner=partner).first(),
        "plan": plan,
        "schedule": selectors.onboarding_schedule(plan, now) if plan else [],
        "demo_form": forms.get("demo_form") or DemoForm(),
        "onboarding_form": forms.get("onboarding_form") or OnboardingForm(
            initial={"started_on": plan.started_on if plan else timezone.localdate()}),
        "check_in_form": forms.get("check_in_form") or CheckInForm(initial={"held_on": timezone.localdate()}),
    }
    return page(request, "enablement/console/partner.html", context, nav=NAV, status=status)


@console_view()
def partner(request: HttpRequest, partner_id: int) -> HttpResponse:
    return _partner_page(request, get_object_or_404(Partner, pk=partner_id))


@console_view(read=None, write=Ability.MANAGE_PARTNERS)
def demo_confirm(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=partner_id)
    form = DemoForm(request.POST)
    if form.is_valid() and attempt(form, lambda: services.demo_confirm(
            partner=partner, confirmed_by=request.user, note=form.cleaned_data["note"], actor=actor(request))):
        messages.success(request, _("Product demo confirmed."))
        return redirect("enablement_console:partner", partner_id=partner.pk)
    return _partner_page(request, partner, status=422, demo_form=form)


@console_view(read=None, write=Ability.MANAGE_PARTNERS)
def onboarding(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=partner_id)
    form = OnboardingForm(request.POST)
    if form.is_valid() and attempt(form, lambda: services.onboarding_start(
            partner=partner, started_on=form.cleaned_data["started_on"], actor=actor(request))):
        messages.success(request, _("Onboarding plan saved."))
        return redirect("enablement_console:partner", partner_id=partner.pk)
    return _partner_page(request, partner, status=422, onboarding_form=form)


@console_view(read=None, write=Ability.MANAGE_PARTNERS)
def check_in(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=partner_id)
    form = CheckInForm(request.POST)
    if form.is_valid() and attempt(form, lambda: services.check_in_log(
            partner=partner, held_on=form.cleaned_data["held_on"], notes=form.cleaned_data["notes"],
            logged_by=request.user, actor=actor(request))):
        messages.success(request, _("Check-in logged."))
        return redirect("enablement_console:partner", partner_id=partner.pk)
    return _partner_page(request, partner, status=422, check_in_form=form)


@console_view()
def overdue(request: HttpRequest) -> HttpResponse:
    rows = selectors.overdue_check_ins(timezone.now(), manager=request.user)
    return page(request, "enablement/console/overdue.html", {"rows": rows}, nav=NAV)
