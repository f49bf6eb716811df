"""Recruiting in the staff console: the applications (list with filters, CSV/Excel) and an application's page (its
answers, the prospect's pipeline page, and review, accept or decline), and the directory listings (the list, and a
partner's listing edited by staff)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability
from parceria.common.errors import ParceriaError
from parceria.partners.models import Partner
from parceria.privacy.consent import consenting_partner_ids, has_consent
from parceria.privacy.models import ConsentPurpose
from parceria.recruiting.data import COUNTRY_NAMES, KINDS
from parceria.recruiting.forms import AcceptForm, ApplicationFilterForm, DeclineForm, ListingForm, listing_initial
from parceria.recruiting.models import OPEN_STATUSES, Application, DirectoryListing
from parceria.recruiting.selectors import application_list
from parceria.recruiting.services import (
    application_accept,
    application_decline,
    application_review,
    listing_for,
    listing_update,
)
from parceria.web.access import actor, console_view
from parceria.web.forms import add_domain_error, attempt
from parceria.web.pages import page
from parceria.web.tables import build_table, export_response, wants_export

SORTS = {"submitted": "submitted_at", "name": "partner__name", "status": "status", "country": "partner__country"}


@console_view()
def applications(request: HttpRequest) -> HttpResponse:
    form = ApplicationFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = application_list(**{k: v for k, v in filters.items() if v})
    table = build_table(request, rows, sortable=SORTS, default_sort="-submitted",
                        per_page=10**9 if wants_export(request) else 25)
    if wants_export(request):
        header = [_("Application"), _("Company"), _("Kind"), _("Country"), _("Tax id"), _("Contact"), _("E-mail"),
                  _("Status"), _("Received"), _("Decided")]
        rows_out = ([a.pk, a.partner.name, KINDS[a.kind].label if a.kind in KINDS else a.kind, a.partner.country,
                     a.partner.tax_id, a.contact_name, a.contact_email, a.get_status_display(), a.submitted_at,
                     a.decided_at] for a in table.page.object_list)
        return export_response(request, "applications", header, rows_out)
    return page(request, "recruiting/console/applications.html",
                {"form": form, "table": table, "kinds": KINDS, "countries": COUNTRY_NAMES}, nav="applications")


def _detail(request: HttpRequest, application: Application, *, accept: AcceptForm | None = None,
            decline: DeclineForm | None = None, status: int = 200) -> HttpResponse:
    refused = [str(e) for f in (accept, decline) if f is not None for errors in f.errors.values() for e in errors]
    return page(request, "recruiting/console/application.html", {
        "error": " ".join(refused) if application.status not in OPEN_STATUSES else "",
        "application": application, "kind": KINDS.get(application.kind),
        "country": COUNTRY_NAMES.get(application.partner.country, application.partner.country),
        "open": application.status in OPEN_STATUSES,
        "accept_form": accept or AcceptForm(initial={"admin_email": application.contact_email}),
        "decline_form": decline or DeclineForm(),
    }, nav="applications", status=status)


@console_view(write=Ability.MANAGE_PARTNERS)
def application(request: HttpRequest, application_id: int) -> HttpResponse:
    found = get_object_or_404(Application.objects.select_related("partner", "admin_user"), pk=application_id)
    if request.method != "POST":
        return _detail(request, found)
    action = request.POST.get("action")
    base_url = request.build_absolute_uri("/")
    if action == "review":
        application_review(application=found, actor=actor(request))
        messages.success(request, _("The applicant now sees that the application is in review."))
        return redirect("recruiting_console:application", application_id=found.pk)
    if action == "accept":
        form = AcceptForm(request.POST)
        if form.is_valid() and attempt(form, lambda: application_accept(
                application=found, actor=actor(request), base_url=base_url,
                admin_email=form.cleaned_data["admin_email"]), field="admin_email") is not None:
            messages.success(request, _("Accepted: the partner is active and its admin was invited."))
            return redirect("recruiting_console:application", application_id=found.pk)
        return _detail(request, found, accept=form, status=422)
    if action == "decline":
        decline = DeclineForm(request.POST)
        if decline.is_valid() and attempt(decline, lambda: application_decline(
                application=found, reason=decline.cleaned_data["reason"], actor=actor(request),
                base_url=base_url), field="reason") is not None:
            messages.success(request, _("Declined: the applicant was told why."))
            return redirect("recruiting_console:application", application_id=found.pk)
        return _detail(request, found, decline=decline, status=422)
    return _detail(request, found, status=400)


@console_view()
def listings(request: HttpRequest) -> HttpResponse:
    rows = DirectoryListing.objects.select_related("partner")
    table = build_table(request, rows, sortable={"partner": "partner__name", "listed": "opted_in",
                                                 "updated": "updated_at"}, default_sort="-listed", per_page=50)
    consenting = set(consenting_partner_ids(ConsentPurpose.DIRECTORY_LISTING).values_list("partner_id", flat=True))
    return page(request, "recruiting/console/listings.html", {"table": table, "consenting": consenting},
                nav="directory")


@console_view(write=Ability.MANAGE_PARTNERS)
def listing(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=partner_id)
    current = listing_for(partner)
    form = ListingForm(request.POST or None, request.FILES or None, initial=listing_initial(current))
    if request.method == "POST" and form.is_valid():
        try:
            listing_update(partner=partner, fields=form.fields_given(), actor=actor(request))
        except ParceriaError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The directory listing is saved."))
            return redirect("recruiting_console:listing", partner_id=partner.pk)
    return page(request, "recruiting/console/listing.html",
                {"partner": partner, "listing": current, "form": form,
                 "consented": has_consent(purpose=ConsentPurpose.DIRECTORY_LISTING, partner_id=partner.pk)},
                nav="directory",
                status=422 if form.errors else 200)
