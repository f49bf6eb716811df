"""The partner's referral links in the portal (namespace referrals_portal, under /portal/referrals/): each link
with a copy button and its clicks, sign-ups and paying customers, and a form for a new link. The partner always
comes from `request.user`; rows are read through `selectors.scope_referral_links`."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from parceria.common.errors import InvalidInput, ParceriaError
from parceria.referrals import selectors, services
from parceria.referrals.forms import LinkForm
from parceria.web.access import actor, partner_of, partner_required, principal_for


@partner_required
@require_http_methods(["GET", "POST"])
def links(request: HttpRequest) -> HttpResponse:
    form = LinkForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                link = services.link_create(partner=partner_of(request),
                                            landing_url=form.cleaned_data["landing_url"], actor=actor(request))
            except InvalidInput:
                form.add_error("landing_url", _("Enter an address starting with http:// or https://."))
            except ParceriaError:
                form.add_error(None, _("A new link cannot be created for your partnership now."))
            else:
                messages.success(request, _("Your new link is ready: %(url)s") % {"url": _url(request, link.code)})
                return redirect("referrals_portal:links")
        status = 422
    figures = selectors.link_figures(principal_for(request))
    items = [{"figures": f, "url": _url(request, f.link.code)} for f in figures]
    return render(request, "referrals/portal/links.html",
                  {"nav": "referrals", "items": items, "form": form,
                   "default_landing": services.default_landing()}, status=status)


def _url(request: HttpRequest, code: str) -> str:
    return request.build_absolute_uri(reverse("referrals:follow", args=[code]))
