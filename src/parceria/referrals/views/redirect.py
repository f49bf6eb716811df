"""`/r/<code>`: a partner's referral link. Redirects (302) to the link's landing URL with `ref=<code>` and records
the click; an unknown or inactive code (or a partner that is not active) lands on the default landing without
attribution and records nothing. No session, no cookie."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET

from parceria.accounts.throttle import client_address
from parceria.referrals.selectors import link_for_code
from parceria.referrals.services import click_record, landing_for


@require_GET
def follow(request: HttpRequest, code: str) -> HttpResponse:
    link = link_for_code(code)
    if link is not None:
        click_record(
            link=link,
            address=client_address(request) or "",
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            referrer=request.META.get("HTTP_REFERER", ""),
        )
    response = HttpResponseRedirect(landing_for(link))
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
