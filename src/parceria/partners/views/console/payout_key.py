"""A partner's whole PIX key in the console. The partner's page shows it masked (all but its last 4 characters);
whoever may read payouts opens it whole here, and each opening is audited (partner.pix_key_viewed)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from parceria.accounts.tenancy import Ability
from parceria.partners.models import Partner
from parceria.privacy.sensitive_reads import sensitive_read_record
from parceria.web.access import actor, console_view
from parceria.web.pages import page


@console_view(read=Ability.READ_PAYOUTS)
def pix_key(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=partner_id)
    if partner.pix_key:
        sensitive_read_record(actor=actor(request), action="partner.pix_key_viewed", obj=partner,
                              details={"pix_key_type": partner.pix_key_type})
    return page(request, "partners/console/pix_key.html", {"partner": partner}, nav="partners")
