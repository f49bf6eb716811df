"""Privacy in the portal: a person's own data-subject requests, and starting an access request for themselves (the
answer — a copy of their data — is prepared and sent by the program's administrator, LGPD art. 19)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.common.errors import ParceriaError
from parceria.privacy import selectors
from parceria.privacy.models import RequestKind
from parceria.privacy.services import NewRequest, request_register
from parceria.web.access import actor, partner_required, portal_user

#: What a person may ask for from the portal; the other rights are exercised by writing to the program.
PORTAL_KINDS = (RequestKind.ACCESS, RequestKind.PORTABILITY, RequestKind.SHARING)


@partner_required
def requests_page(request: HttpRequest) -> HttpResponse:
    user = portal_user(request)
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if kind not in PORTAL_KINDS:
            messages.error(request, _("Choose what you are asking for."))
            return redirect("privacy_portal:requests")
        if selectors.own_requests(user).filter(kind=kind, status="open").exists():
            messages.info(request, _("You already have an open request of this kind; we are answering it."))
            return redirect("privacy_portal:requests")
        try:
            request_register(new=NewRequest(kind=kind, user=user, email=user.email, channel="portal"),
                             actor=actor(request))
        except ParceriaError as exc:
            messages.error(request, exc.message)
            return redirect("privacy_portal:requests")
        messages.success(request, _("Your request is registered. We answer within 15 days."))
        return redirect("privacy_portal:requests")
    today = timezone.localdate()
    rows = [(r, selectors.deadline(r, today)) for r in selectors.own_requests(user)]
    return render(request, "privacy/portal/requests.html", {
        "nav": "privacy", "rows": rows, "kinds": [(k, RequestKind(k).label) for k in PORTAL_KINDS],
    })
