"""The lifecycle's pages: the portal marks registrations expiring soon (list badge, home notice), a partner asks
once for an extension on the registration's page, staff see the queue and approve or refuse it after confirming;
another partner, a second request and an analyst change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from parceria.common.models import AuditRecord
from parceria.deals.models import DealRegistration, ExtensionStatus
from parceria.deals.services import deal_extension_request
from tests.deals.test_lifecycle import registered, stored
from tests.deals.test_pages import partner_client
from tests.deals.test_services import OTHER_CNPJ
from tests.factories import ACTOR, make_partner, staff_client

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def test_the_portal_marks_the_registrations_expiring_soon_on_the_list_and_the_home():
    alfa = make_partner(name="Alfa")
    soon = registered(alfa, expires_in=14)
    registered(alfa, expires_in=15, tax_id=OTHER_CNPJ, domain="outra.com.br", company_name="Outra Empresa")
    client = partner_client(alfa, "alfa@x")

    listing = client.get(reverse("deals_portal:list")).content.decode()
    home = client.get(reverse("portal:home")).content.decode()
    detail = client.get(reverse("deals_portal:detail", args=[soon.pk])).content.decode()

    assert listing.count('class="badge warn expires-soon"') == 1
    notice = home.split('id="expiring-deals"')[1].split("</div>")[0]
    assert "A deal registration of yours expires soon:" in notice
    assert reverse("deals_portal:detail", args=[soon.pk]) in notice and "Outra Empresa" not in notice
    assert 'id="expires-soon"' in detail


def test_no_notice_without_a_registration_expiring_soon():
    alfa = make_partner(name="Alfa")
    registered(alfa, expires_in=15)

    home = partner_client(alfa, "alfa@x").get(reverse("portal:home")).content.decode()

    assert 'id="expiring-deals"' not in home


def test_a_partner_asks_once_for_an_extension_in_the_portal():
    alfa = make_partner(name="Alfa")
    reg = registered(alfa, expires_in=10)
    client = partner_client(alfa, "alfa@x")
    url = reverse("deals_portal:extension", args=[reg.pk])
    assert url in client.get(reverse("deals_portal:detail", args=[reg.pk])).content.decode()

    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 422 and DealRegistration.objects.get().extension_status == ""

    asked = client.post(url, {"reason": "Aguardando a diretoria"}, follow=True)

    reg.refresh_from_db()
    assert asked.redirect_chain == [(reverse("deals_portal:detail", args=[reg.pk]), 302)]
    assert (reg.extension_status, reg.extension_reason) == (ExtensionStatus.REQUESTED, "Aguardando a diretoria")
    page = asked.content.decode()
    assert "Extension requested: our team will decide it." in page and url not in page
    before = stored()

    again = client.post(url, {"reason": "De novo"})

    assert again.status_code == 422
    assert "a registration may be extended once" in again.content.decode()
    assert stored() == before


def test_another_partner_cannot_ask_for_an_extension():
    reg = registered(make_partner(name="Alfa"), expires_in=10)
    other = partner_client(make_partner(name="Bravo"), "bravo@x")
    before = stored()

    response = other.post(reverse("deals_portal:extension", args=[reg.pk]), {"reason": "Meu"})

    assert response.status_code == 404 and stored() == before


def test_staff_approve_an_extension_from_the_queue_after_confirming():
    reg = registered(make_partner(name="Alfa"), expires_in=10)
    deal_extension_request(registration=reg, reason="Aguardando a diretoria", actor=ACTOR)
    staff = staff_client("pm@x", "partner_manager")
    queue = staff.get(reverse("deals_console:extensions")).content.decode()
    assert reverse("deals_console:detail", args=[reg.pk]) in queue
    url = reverse("deals_console:extension", args=[reg.pk])
    assert url in staff.get(reverse("deals_console:detail", args=[reg.pk])).content.decode()

    asked = staff.post(url, {"decision": "approve", "reason": ""})
    reg.refresh_from_db()
    assert (asked.status_code, reg.extension_status, reg.expires_on) == (200, "requested", TODAY + timedelta(days=10))
    assert "confirmed" in asked.content.decode()

    done = staff.post(url, {"decision": "approve", "reason": "", "confirmed": "1"})

    reg.refresh_from_db()
    assert (done.status_code, reg.extension_status, reg.expires_on) == (302, "approved", TODAY + timedelta(days=40))
    assert AuditRecord.objects.filter(action="deal_registration.extension_decided").count() == 1
    assert "No extension request is waiting" in staff.get(reverse("deals_console:extensions")).content.decode()


def test_staff_refuse_an_extension_and_the_expiry_stays():
    reg = registered(make_partner(name="Alfa"), expires_in=10)
    deal_extension_request(registration=reg, reason="Aguardando a diretoria", actor=ACTOR)
    staff = staff_client("pm@x", "partner_manager")

    done = staff.post(reverse("deals_console:extension", args=[reg.pk]),
                      {"decision": "refuse", "reason": "Prazo suficiente", "confirmed": "1"})

    reg.refresh_from_db()
    assert (done.status_code, reg.extension_status, reg.expires_on, reg.extension_decision_reason) == (
        302, "refused", TODAY + timedelta(days=10), "Prazo suficiente")


def test_the_analyst_may_read_but_not_decide_an_extension():
    reg = registered(make_partner(name="Alfa"), expires_in=10)
    deal_extension_request(registration=reg, reason="Aguardando a diretoria", actor=ACTOR)
    analyst = staff_client("an@x", "analyst")
    before = stored()

    page = analyst.get(reverse("deals_console:detail", args=[reg.pk])).content.decode()
    refused = analyst.post(reverse("deals_console:extension", args=[reg.pk]),
                           {"decision": "approve", "reason": "", "confirmed": "1"})

    assert "Aguardando a diretoria" in page and reverse("deals_console:extension", args=[reg.pk]) not in page
    assert refused.status_code == 403 and stored() == before
