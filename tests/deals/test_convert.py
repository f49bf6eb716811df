"""Converting an approved deal registration into a customer: the customer it creates or links, the attribution claim
the one rule decides, the states that refuse (nothing written), idempotence, the API and the console action."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from parceria.common.errors import Conflict, InvalidInput
from parceria.common.models import AuditRecord
from parceria.customers.attribution import claim_attribution
from parceria.customers.models import AttributionClaim, ClaimSource, Customer
from parceria.deals.models import DealRegistration, DealStatus
from parceria.deals.services import deal_convert, deal_register
from parceria.partners.models import Partner
from tests.conftest import ApiClient
from tests.deals.test_services import CNPJ_HQ, OTHER_CNPJ, fields
from tests.factories import ACTOR, make_customer, make_key, make_partner, staff_client

pytestmark = pytest.mark.django_db


def stored() -> dict[str, Any]:
    """Everything a conversion writes."""
    return {
        "registrations": list(DealRegistration.objects.order_by("id").values()),
        "customers": list(Customer.objects.order_by("id").values()),
        "claims": list(AttributionClaim.objects.order_by("id").values()),
        "audit": AuditRecord.objects.count(),
    }


def claims() -> list[tuple[int, int, str, str, bool]]:
    return list(AttributionClaim.objects.order_by("id").values_list("customer_id", "partner_id", "source", "code",
                                                                     "won"))


@pytest.fixture
def alfa():
    return make_partner(name="Alfa")


@pytest.fixture
def approved(alfa):
    reg = deal_register(partner=alfa, fields=fields(), actor=ACTOR)
    assert reg.status == DealStatus.APPROVED
    return reg


def test_convert_creates_the_customer_attributed_to_the_partner_with_a_won_deal_claim(alfa, approved):
    result = deal_convert(registration=approved, actor=ACTOR)

    customer = Customer.objects.get()
    reg = DealRegistration.objects.get()
    assert (customer.external_id, customer.name, customer.tax_id, customer.domain, customer.country,
            customer.vertical) == (f"deal-{reg.pk}", "Padaria São João Ltda.", CNPJ_HQ, "padariasj.com.br", "BR",
                                   "retail")
    assert customer.partner_id == alfa.pk and customer.attributed_at == reg.converted_at
    assert (reg.status, reg.customer_id) == (DealStatus.CONVERTED, customer.pk)
    assert claims() == [(customer.pk, alfa.pk, ClaimSource.DEAL, "", True)]
    assert (result.registration.pk, result.customer.pk, result.claim.applied, result.claim.reason) == (
        reg.pk, customer.pk, True, "attributed")
    audit = AuditRecord.objects.get(action="deal_registration.converted")
    assert (audit.object_id, audit.before["status"], audit.after["status"], audit.after["customer_id"],
            audit.after["claim"]) == (str(reg.pk), "approved", "converted", customer.pk, "attributed")


def test_the_deal_wins_over_a_coupon_of_another_partner_and_the_coupon_claim_is_kept(alfa, approved):
    bravo = make_partner(name="Bravo")
    customer = make_customer(name="Padaria SJ", external_id="plat-1")
    claim_attribution(customer=customer, partner_id=bravo.pk, source=ClaimSource.COUPON, code="BRAVO10",
                      actor=ACTOR)
    customer.refresh_from_db()
    assert customer.partner_id == bravo.pk

    result = deal_convert(registration=approved, customer=customer, actor=ACTOR)

    customer.refresh_from_db()
    assert customer.partner_id == alfa.pk
    assert Customer.objects.count() == 1
    assert claims() == [(customer.pk, bravo.pk, ClaimSource.COUPON, "BRAVO10", False),
                        (customer.pk, alfa.pk, ClaimSource.DEAL, "", True)]
    assert (result.claim.applied, result.registration.customer_id) == (True, customer.pk)


def test_a_customer_attributed_by_hand_keeps_its_partner_and_the_deal_claim_is_a_losing_one(alfa, approved):
    bravo = make_partner(name="Bravo")
    customer = make_customer(bravo, name="Padaria SJ", external_id="plat-1")

    result = deal_convert(registration=approved, customer=customer, actor=ACTOR)

    customer.refresh_from_db()
    assert customer.partner_id == bravo.pk
    assert claims() == [(customer.pk, alfa.pk, ClaimSource.DEAL, "", False)]
    assert (result.claim.applied, result.claim.reason, result.registration.status) == (False, "already_attributed",
                                                                                       DealStatus.CONVERTED)


def _in_review():
    deal_register(partner=make_partner(), fields=fields(), actor=ACTOR)
    return deal_register(partner=make_partner(), actor=ACTOR, fields=fields(
        company_name="Padaria Sao Joao SA", tax_id=OTHER_CNPJ, domain="x.com.br"))


def _rejected():
    deal_register(partner=make_partner(), fields=fields(), actor=ACTOR)
    return deal_register(partner=make_partner(), fields=fields(), actor=ACTOR)


def _expired_by_date():
    reg = deal_register(partner=make_partner(), fields=fields(), actor=ACTOR)
    DealRegistration.objects.filter(pk=reg.pk).update(expires_on=timezone.localdate())
    return reg


def _expired_status():
    reg = deal_register(partner=make_partner(), fields=fields(), actor=ACTOR)
    DealRegistration.objects.filter(pk=reg.pk).update(status=DealStatus.EXPIRED)
    return reg


@pytest.mark.parametrize(("make", "status", "code"), [
    (_in_review, "in_review", "invalid_transition"),
    (_rejected, "rejected", "invalid_transition"),
    (_expired_by_date, "approved", "registration_expired"),
    (_expired_status, "expired", "registration_expired"),
])
def test_only_an_approved_unexpired_registration_converts_and_a_refusal_writes_nothing(make, status, code):
    reg = make()
    before = stored()

    with pytest.raises(Conflict) as refused:
        deal_convert(registration=reg, actor=ACTOR)

    assert (refused.value.status, refused.value.code) == (409, code)
    assert DealRegistration.objects.get(pk=reg.pk).status == status
    assert stored() == before


def test_a_partner_terminated_since_cannot_be_attributed_and_nothing_is_written(alfa, approved):
    Partner.objects.filter(pk=alfa.pk).update(status="terminated")
    before = stored()

    with pytest.raises(InvalidInput) as refused:
        deal_convert(registration=approved, actor=ACTOR)

    assert (refused.value.status, refused.value.code) == (422, "partner_terminated")
    assert stored() == before


def test_converting_again_into_the_same_customer_answers_the_same_without_a_second_claim(approved):
    first = deal_convert(registration=approved, actor=ACTOR)
    after_first = stored()

    again = deal_convert(registration=approved, actor=ACTOR)
    named = deal_convert(registration=approved, customer=first.customer, actor=ACTOR)

    assert (again.registration.pk, again.customer.pk, again.claim) == (first.registration.pk, first.customer.pk, None)
    assert (named.customer.pk, named.registration.converted_at) == (first.customer.pk,
                                                                    first.registration.converted_at)
    assert stored() == after_first


def test_converting_a_converted_registration_into_another_customer_is_refused(approved):
    deal_convert(registration=approved, actor=ACTOR)
    other = make_customer()
    before = stored()

    with pytest.raises(Conflict) as refused:
        deal_convert(registration=approved, customer=other, actor=ACTOR)

    assert (refused.value.status, refused.value.code) == (409, "invalid_transition")
    assert stored() == before


# --- the API -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["admin", "platform"])
def test_staff_and_the_platform_convert_through_the_api(alfa, approved, scope):
    response = ApiClient(make_key(scope)).post(f"/deal-registrations/{approved.pk}/convert", {})

    customer = Customer.objects.get()
    body = response.json()
    assert response.status_code == 200, response.content
    assert (body["id"], body["status"], body["customer_id"], body["partner_id"]) == (
        approved.pk, "converted", customer.pk, alfa.pk)
    assert body["converted_at"] is not None and body["company_name"] == "Padaria São João Ltda."
    assert customer.partner_id == alfa.pk


def test_the_api_links_a_named_customer_and_converts_with_no_body(alfa, approved):
    customer = make_customer(name="Padaria SJ", external_id="plat-1")
    client = ApiClient(make_key("platform"))

    unknown = client.post(f"/deal-registrations/{approved.pk}/convert", {"customer_id": 2**40})
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "not_found")
    assert DealRegistration.objects.get().status == DealStatus.APPROVED

    linked = client.post(f"/deal-registrations/{approved.pk}/convert", {"customer_id": customer.pk})
    again = client.post(f"/deal-registrations/{approved.pk}/convert")

    assert (linked.status_code, linked.json()["customer_id"]) == (200, customer.pk)
    assert (again.status_code, again.json()) == (200, linked.json())
    assert Customer.objects.count() == 1 and claims() == [(customer.pk, alfa.pk, ClaimSource.DEAL, "", True)]


@pytest.mark.parametrize(("who", "status", "code"), [
    ("own_partner", 403, "forbidden"),
    ("other_partner", 404, "not_found"),
    ("analytics", 403, "forbidden"),
    ("finance", 403, "forbidden"),
])
def test_the_wrong_keys_may_not_convert_and_nothing_changes(alfa, approved, who, status, code):
    key = {"own_partner": lambda: make_key("partner", alfa),
           "other_partner": lambda: make_key("partner", make_partner(name="Bravo")),
           "analytics": lambda: make_key("analytics"), "finance": lambda: make_key("finance")}[who]()
    before = stored()

    response = ApiClient(key).post(f"/deal-registrations/{approved.pk}/convert", {})

    assert (response.status_code, response.json()["error"]["code"]) == (status, code), response.content
    assert "Padaria" not in response.content.decode()
    assert stored() == before


def test_the_api_answers_409_for_a_registration_in_review():
    reg = _in_review()
    client = ApiClient(make_key("admin"))
    before = stored()

    response = client.post(f"/deal-registrations/{reg.pk}/convert", {})

    assert (response.status_code, response.json()["error"]["code"]) == (409, "invalid_transition")
    assert stored() == before


# --- the console -----------------------------------------------------------------------------------------------------


def test_staff_convert_from_the_registration_page_after_confirming(alfa, approved):
    staff = staff_client("pm@x", "partner_manager")
    url = reverse("deals_console:convert", args=[approved.pk])
    detail = staff.get(reverse("deals_console:detail", args=[approved.pk])).content.decode()
    assert url in detail and detail.count("Convert into a customer") == 1  # once, in the page, not in its <title>
    assert f"<title>{approved.company_name} · Parceria</title>" in detail

    asked = staff.post(url, {"customer": ""})
    assert asked.status_code == 200 and "confirmed" in asked.content.decode()
    assert DealRegistration.objects.get().status == DealStatus.APPROVED and Customer.objects.count() == 0

    done = staff.post(url, {"customer": "", "confirmed": "1"})

    reg = DealRegistration.objects.get()
    assert (done.status_code, reg.status, reg.customer.partner_id) == (302, DealStatus.CONVERTED, alfa.pk)
    page = staff.get(reverse("deals_console:detail", args=[reg.pk])).content.decode()
    assert f"deal-{reg.pk}" in page and url not in page


def test_the_console_refuses_an_expired_registration_and_the_analyst_may_not_convert():
    reg = _expired_by_date()
    staff = staff_client("pm@x", "partner_manager")
    analyst = staff_client("an@x", "analyst")
    before = stored()

    refused = staff.post(reverse("deals_console:convert", args=[reg.pk]), {"customer": "", "confirmed": "1"})
    forbidden = analyst.post(reverse("deals_console:convert", args=[_rejected().pk]),
                             {"customer": "", "confirmed": "1"})

    assert refused.status_code == 422 and "This registration has expired." in refused.content.decode()
    assert forbidden.status_code == 403
    assert stored()["customers"] == before["customers"] == []
    assert DealRegistration.objects.get(pk=reg.pk).status == DealStatus.APPROVED


def test_the_expiry_is_checked_at_conversion_time(approved):
    DealRegistration.objects.filter(pk=approved.pk).update(expires_on=timezone.localdate() + timedelta(days=1))

    result = deal_convert(registration=approved, actor=ACTOR)

    assert result.registration.status == DealStatus.CONVERTED
