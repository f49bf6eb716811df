"""The deal registration pages: a partner registers a deal in the portal and sees the outcome; another partner's
registration is a 404; staff filter the list, see the conflicting record and decide a review after confirming."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from parceria.accounts.services import user_create
from parceria.common.models import AuditRecord
from parceria.deals.models import DealRegistration
from parceria.deals.services import deal_register
from tests.deals.test_services import CNPJ_HQ, OTHER_CNPJ, fields
from tests.factories import ACTOR, PASSWORD, make_partner, staff_client

pytestmark = pytest.mark.django_db

FORM = {"company_name": "Padaria São João Ltda", "country": "BR", "tax_id": "45.997.418/0001-" + CNPJ_HQ[-2:],
        "domain": "padariasj.com.br", "contact_name": "Joana Lima", "contact_email": "joana@padariasj.com.br",
        "estimated_value": "12500,50", "currency": "BRL", "vertical": "", "region": "", "notes": ""}


def partner_client(partner, username: str) -> Client:
    user = user_create(username=username, email=username, password=PASSWORD, role="partner_member",
                       partner=partner, actor=ACTOR)
    client = Client()
    client.force_login(user)
    return client


def test_a_partner_registers_a_deal_and_sees_it_approved():
    partner = make_partner(name="Alfa")
    client = partner_client(partner, "alfa@x")

    form = client.get(reverse("deals_portal:new"))
    response = client.post(reverse("deals_portal:new"), FORM, follow=True)

    reg = DealRegistration.objects.get()
    assert form.status_code == 200
    assert (reg.partner_id, reg.status, reg.tax_id, str(reg.estimated_value)) == (partner.pk, "approved", CNPJ_HQ,
                                                                                "12500.5000")
    assert response.redirect_chain == [(reverse("deals_portal:detail", args=[reg.pk]), 302)]
    page = response.content.decode()
    assert "Deal registered and approved." in page and "Padaria São João Ltda" in page
    assert "Padaria São João Ltda" in client.get(reverse("deals_portal:list")).content.decode()


@pytest.mark.parametrize(("change", "message"), [
    ({"domain": "gmail.com"}, "is a public e-mail provider"),
    ({"tax_id": "45.997.418/0001-00"}, "is not a valid tax id of BR"),
    ({"tax_id": "", "domain": ""}, "Give the company"),
])
def test_bad_input_is_shown_beside_the_form_and_nothing_is_stored(change, message):
    client = partner_client(make_partner(), "alfa@x")

    response = client.post(reverse("deals_portal:new"), {**FORM, **change})

    assert response.status_code == 422
    assert message in response.content.decode()
    assert DealRegistration.objects.count() == 0


def test_the_loser_sees_a_refusal_that_names_no_partner_in_portuguese():
    deal_register(partner=make_partner(name="Alfa Secreta"), fields=fields(), actor=ACTOR)
    client = partner_client(make_partner(name="Bravo"), "bravo@x")

    response = client.post(reverse("deals_portal:new"), {**FORM, "company_name": "Outra"}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="pt-br")

    page = response.content.decode()
    assert "Esta empresa já está registrada por outro parceiro." in page
    assert "Alfa Secreta" not in page


def test_partner_b_cannot_open_a_registration_of_a():
    reg = deal_register(partner=make_partner(name="Alfa"), fields=fields(), actor=ACTOR)
    client = partner_client(make_partner(name="Bravo"), "bravo@x")

    detail = client.get(reverse("deals_portal:detail", args=[reg.pk]))
    listed = client.get(reverse("deals_portal:list"))

    assert detail.status_code == 404
    assert "Padaria" not in listed.content.decode()


def test_staff_filter_the_list_and_see_the_conflict():
    alfa = make_partner(name="Alfa")
    deal_register(partner=alfa, fields=fields(), actor=ACTOR)
    lost = deal_register(partner=make_partner(name="Bravo"), fields=fields(), actor=ACTOR)
    staff = staff_client("pm@x", "partner_manager")

    rejected = staff.get(reverse("deals_console:list"), {"status": "rejected"}).content.decode()
    in_review = staff.get(reverse("deals_console:list"), {"status": "in_review"}).content.decode()
    detail = staff.get(reverse("deals_console:detail", args=[lost.pk])).content.decode()

    assert rejected.count("Padaria São João Ltda.") == 1 and "Bravo" in rejected
    assert "Padaria" not in in_review
    assert "Conflicting record (staff only)" in detail and "Tax id" in detail
    assert f'{reverse("partners_console:lifecycle", args=[alfa.pk])}">Alfa</a>' in detail


def test_staff_decide_a_review_after_confirming():
    deal_register(partner=make_partner(), fields=fields(), actor=ACTOR)
    review = deal_register(partner=make_partner(), fields=fields(company_name="Padaria Sao Joao SA", tax_id=OTHER_CNPJ,
                                                                 domain="x.com.br"), actor=ACTOR)
    staff = staff_client("pm@x", "partner_manager")
    url = reverse("deals_console:decide", args=[review.pk])
    assert "Padaria Sao Joao SA" in staff.get(reverse("deals_console:review")).content.decode()

    asked = staff.post(url, {"decision": "approve", "reason": "Another bakery"})
    review.refresh_from_db()
    assert (asked.status_code, review.status) == (200, "in_review")
    assert "confirmed" in asked.content.decode()

    done = staff.post(url, {"decision": "approve", "reason": "Another bakery", "confirmed": "1"})

    review.refresh_from_db()
    assert (done.status_code, review.status, review.reason) == (302, "approved", "Another bakery")
    assert AuditRecord.objects.filter(action="deal_registration.decided").count() == 1


def test_the_analyst_may_read_but_not_decide():
    deal_register(partner=make_partner(), fields=fields(), actor=ACTOR)
    review = deal_register(partner=make_partner(), fields=fields(company_name="Padaria Sao Joao SA", tax_id=OTHER_CNPJ,
                                                                 domain="x.com.br"), actor=ACTOR)
    analyst = staff_client("an@x", "analyst")

    page = analyst.get(reverse("deals_console:detail", args=[review.pk]))
    refused = analyst.post(reverse("deals_console:decide", args=[review.pk]),
                           {"decision": "reject", "reason": "no", "confirmed": "1"})

    review.refresh_from_db()
    assert page.status_code == 200 and "Decide" not in page.content.decode().split("<main")[1]
    assert refused.status_code == 403 and review.status == "in_review"


def test_exports_hold_only_the_partners_own_registrations():
    alfa = make_partner(name="Alfa")
    deal_register(partner=alfa, fields=fields(), actor=ACTOR)
    deal_register(partner=make_partner(name="Bravo"), actor=ACTOR, fields=fields(
        company_name="Bravo Prospect", tax_id=OTHER_CNPJ, domain="bravo-prospect.com.br"))

    portal = partner_client(alfa, "alfa@x").get(reverse("deals_portal:list"), {"export": "csv"})
    console = staff_client("an@x", "analyst").get(reverse("deals_console:list"), {"export": "csv"})

    portal_rows = portal.content.decode("utf-8-sig").splitlines()
    assert portal["Content-Type"].startswith("text/csv")
    assert len(portal_rows) == 2 and "Padaria São João Ltda." in portal_rows[1]
    assert "Bravo" not in portal.content.decode("utf-8-sig")
    assert len(console.content.decode("utf-8-sig").splitlines()) == 3
