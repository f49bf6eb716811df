"""The partner's directory listing in the portal: how the partner appears in the public directory, edited by its
admins (other users read it)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability
from parceria.common.errors import ParceriaError
from parceria.privacy.consent import has_consent
from parceria.privacy.consent_texts import current_text
from parceria.privacy.models import ConsentPurpose
from parceria.recruiting.forms import ListingForm, listing_initial
from parceria.recruiting.services import listing_for, listing_update
from parceria.web.access import actor, partner_of, partner_required, principal_for, require
from parceria.web.forms import add_domain_error


@partner_required
def directory_profile(request: HttpRequest) -> HttpResponse:
    partner = partner_of(request)
    current = listing_for(partner)
    may_edit = principal_for(request).can(Ability.MANAGE_USERS)
    form = ListingForm(request.POST or None, request.FILES or None, initial=listing_initial(current))
    if request.method == "POST":
        require(request, Ability.MANAGE_USERS)
        if form.is_valid():
            try:
                listing_update(partner=partner, fields=form.fields_given(), actor=actor(request))
            except ParceriaError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Your directory listing is saved."))
                return redirect("recruiting_portal:directory_profile")
    return render(request, "recruiting/portal/directory_profile.html",
                  {"nav": "directory_profile", "listing": current, "form": form, "may_edit": may_edit,
                   "partner": partner, "consent_text": current_text(ConsentPurpose.DIRECTORY_LISTING),
                   "consented": has_consent(purpose=ConsentPurpose.DIRECTORY_LISTING, partner_id=partner.pk)},
                  status=422 if form.errors else 200)
