"""The one attribution rule (customers.attribution): a referral code on customer creation, a coupon on invoice.paid,
first claim wins within a source, a higher source overrides a lower one, every losing claim is kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parceria.commissions.models import LedgerLine
from parceria.common.audit import Actor
from parceria.customers.attribution import claim_attribution, claim_by_code, conflict_count
from parceria.customers.models import AttributionClaim, ClaimSource, Customer
from parceria.partners.models import Partner
from parceria.referrals.services import coupon_create, link_create
from tests.factories import ingest, make_customer, make_partner, paid

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("tests")


def claims(customer: Customer) -> list[tuple[int, str, bool]]:
    return list(AttributionClaim.objects.filter(customer=customer).order_by("id").values_list(
        "partner_id", "source", "won"))


def new_customer(api, external_id: str = "cus_ref", **extra):
    return api.post("/customers", {"external_id": external_id, "name": "Loja Azul", "country": "BR", **extra})


# --- a referral code on POST /api/v1/customers ------------------------------------------------------------------------


def test_a_referral_code_attributes_the_new_customer(platform_api):
    partner = make_partner()
    link = link_create(partner=partner, landing_url="https://loja.example.com/", actor=ACTOR)

    response = new_customer(platform_api, referral_code=link.code)

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["partner_id"], data["source"]) == (partner.pk, "partner")
    assert data["referral"] == {"code": link.code, "applied": True, "reason": "attributed"}
    customer = Customer.objects.get()
    assert customer.partner_id == partner.pk
    assert claims(customer) == [(partner.pk, "referral", True)]


@pytest.mark.parametrize("case", ["unknown", "suspended", "inactive"])
def test_a_code_that_attributes_nothing_still_creates_the_customer(platform_api, case):
    partner = make_partner()
    link = link_create(partner=partner, landing_url="https://loja.example.com/", actor=ACTOR)
    code = "desconhecido" if case == "unknown" else link.code
    if case == "suspended":
        Partner.objects.filter(pk=partner.pk).update(status="suspended")
    if case == "inactive":
        link.active = False
        link.save()

    response = new_customer(platform_api, referral_code=code)

    assert response.status_code == 201, response.content
    assert response.json()["partner_id"] is None
    assert response.json()["referral"] == {"code": code, "applied": False, "reason": "unknown_code"}
    assert Customer.objects.get().partner_id is None
    assert AttributionClaim.objects.count() == 0


def test_a_customer_attributed_by_partner_id_keeps_it_and_the_referral_is_a_conflict(platform_api):
    direct, referrer = make_partner(), make_partner()
    link = link_create(partner=referrer, landing_url="https://loja.example.com/", actor=ACTOR)

    response = new_customer(platform_api, partner_id=direct.pk, referral_code=link.code)

    assert response.json()["partner_id"] == direct.pk
    assert response.json()["referral"]["reason"] == "already_attributed"
    assert claims(Customer.objects.get()) == [(referrer.pk, "referral", False)]
    assert conflict_count() == 1


def test_without_a_code_the_answer_has_no_referral(platform_api):
    response = new_customer(platform_api)
    assert response.status_code == 201
    assert response.json()["referral"] is None


@pytest.mark.parametrize("code", ["x" * 33, 7])
def test_a_bad_referral_code_is_a_422_and_stores_nothing(platform_api, code):
    response = new_customer(platform_api, referral_code=code)
    assert response.status_code == 422, response.content
    assert Customer.objects.count() == 0


# --- a coupon on invoice.paid -----------------------------------------------------------------------------------------


def test_a_coupon_on_invoice_paid_attributes_the_customer_and_the_invoice_accrues_to_its_partner():
    partner = make_partner(tier="preferred")
    coupon_create(partner=partner, code="bemvindo10", actor=ACTOR)
    customer = make_customer()

    result = ingest({**paid(customer, "100.00"), "coupon_code": "BemVindo10"})

    assert result.accepted == 1, result.rejected
    customer.refresh_from_db()
    assert customer.partner_id == partner.pk
    assert claims(customer) == [(partner.pk, "coupon", True)]
    assert set(LedgerLine.objects.values_list("partner_id", flat=True)) == {partner.pk}


def test_the_same_coupon_on_every_invoice_claims_once():
    partner = make_partner()
    coupon_create(partner=partner, code="FIEL", actor=ACTOR)
    customer = make_customer()
    ingest({**paid(customer, "100.00"), "coupon_code": "FIEL"})
    ingest({**paid(customer, "100.00"), "coupon_code": "fiel"})
    assert claims(customer) == [(partner.pk, "coupon", True)]


def test_a_suspended_partners_coupon_attributes_nothing():
    partner = make_partner(status="active")
    coupon_create(partner=partner, code="PAUSA", actor=ACTOR)
    Partner.objects.filter(pk=partner.pk).update(status="suspended")
    customer = make_customer()

    result = ingest({**paid(customer, "100.00"), "coupon_code": "PAUSA"})

    assert result.accepted == 1
    customer.refresh_from_db()
    assert customer.partner_id is None
    assert AttributionClaim.objects.count() == 0
    assert LedgerLine.objects.count() == 0


def test_a_coupon_does_not_reattribute_an_attributed_customer_and_the_claim_is_kept():
    owner, other = make_partner(), make_partner()
    coupon_create(partner=other, code="OUTRO", actor=ACTOR)
    customer = make_customer(owner)

    ingest({**paid(customer, "100.00"), "coupon_code": "OUTRO"})

    customer.refresh_from_db()
    assert customer.partner_id == owner.pk
    assert claims(customer) == [(other.pk, "coupon", False)]
    assert conflict_count() == 1


# --- precedence -------------------------------------------------------------------------------------------------------


def claim(customer: Customer, partner: Partner, source: str, **kw):
    return claim_attribution(customer=customer, partner_id=partner.pk, source=source, actor=ACTOR, **kw)


@pytest.mark.parametrize(("first", "second", "winner"), [
    # the later claim wins only when its source ranks higher: deal > referral > coupon
    ("coupon", "referral", "second"),
    ("coupon", "deal", "second"),
    ("referral", "deal", "second"),
    ("referral", "coupon", "first"),
    ("deal", "referral", "first"),
    ("deal", "coupon", "first"),
    # first claim wins within a source
    ("deal", "deal", "first"),
    ("referral", "referral", "first"),
    ("coupon", "coupon", "first"),
])
def test_precedence_between_two_partners(first, second, winner):
    a, b = make_partner(), make_partner()
    customer = make_customer()

    one = claim(customer, a, first)
    two = claim(customer, b, second)

    customer.refresh_from_db()
    expected = a if winner == "first" else b
    assert customer.partner_id == expected.pk
    assert (one.applied, two.applied) == (True, winner == "second")
    assert claims(customer) == [(a.pk, first, winner == "first"), (b.pk, second, winner == "second")]
    assert conflict_count() == 1


def test_three_sources_the_deal_holds_the_customer():
    a, b, c = make_partner(), make_partner(), make_partner()
    customer = make_customer()
    claim(customer, c, ClaimSource.COUPON)
    claim(customer, b, ClaimSource.REFERRAL)
    claim(customer, a, ClaimSource.DEAL)
    claim(customer, c, ClaimSource.COUPON)  # the same claim again: nothing new
    customer.refresh_from_db()
    assert customer.partner_id == a.pk
    assert claims(customer) == [(c.pk, "coupon", False), (b.pk, "referral", False), (a.pk, "deal", True)]
    assert conflict_count() == 2


def test_a_referral_after_the_window_claims_nothing_but_is_kept(settings):
    settings.PARCERIA = {**settings.PARCERIA, "REFERRAL_WINDOW_DAYS": 30}
    a = make_partner()
    customer = make_customer()
    late = customer.created_at + timedelta(days=31)

    outcome = claim(customer, a, ClaimSource.REFERRAL, at=late)

    customer.refresh_from_db()
    assert (outcome.applied, outcome.reason, customer.partner_id) == (False, "outside_window", None)
    assert claims(customer) == [(a.pk, "referral", False)]
    inside = claim(make_customer(), a, ClaimSource.REFERRAL, at=timezone.now() + timedelta(days=29))
    assert inside.applied


def test_an_unknown_code_claims_nothing():
    outcome = claim_by_code(customer=make_customer(), source=ClaimSource.COUPON, code="NADA", actor=ACTOR)
    assert (outcome.applied, outcome.reason) == (False, "unknown_code")
    assert AttributionClaim.objects.count() == 0


def test_a_coupon_column_in_the_events_csv_attributes_the_customer():
    from parceria.commissions.intake_csv import events_import_csv

    partner = make_partner()
    coupon_create(partner=partner, code="CSV10", actor=ACTOR)
    customer = make_customer()
    data = (
        "id,type,occurred_at,customer,invoice_id,amount,currency,period_start,period_end,coupon_code\n"
        f"e1,invoice.paid,2026-03-31T12:00:00-03:00,{customer.external_id},inv_csv,400.00,BRL,2026-03-01,2026-03-31,"
        "csv10\n"
    ).encode()

    events_import_csv(data=data, submitted_by="tests")

    customer.refresh_from_db()
    assert customer.partner_id == partner.pk
    assert claims(customer) == [(partner.pk, "coupon", True)]


def test_a_claim_of_the_partner_that_already_holds_the_customer_is_kept_but_is_no_conflict():
    owner, other = make_partner(), make_partner()
    customer = make_customer(owner)
    claim(customer, owner, ClaimSource.COUPON)
    claim(customer, other, ClaimSource.COUPON)
    customer.refresh_from_db()
    assert customer.partner_id == owner.pk
    assert claims(customer) == [(owner.pk, "coupon", False), (other.pk, "coupon", False)]
    assert conflict_count() == 1
