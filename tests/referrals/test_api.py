"""GET/POST /api/v1/referral-links: a partner key lists and creates its own links; staff list all and name the
partner of a new link; another partner's link or partner is a 404; bad input is a 4xx with nothing stored."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from parceria.common.audit import Actor
from parceria.partners.models import Partner
from parceria.referrals.models import ReferralLink
from parceria.referrals.services import click_record, link_create
from tests.conftest import ApiClient
from tests.factories import make_key, make_partner

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("tests")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def test_a_partner_key_lists_only_its_own_links_with_their_figures():
    alfa, bravo = make_partner(), make_partner()
    mine = link_create(partner=alfa, landing_url="https://loja.example.com/", actor=ACTOR)
    link_create(partner=bravo, landing_url="https://bravo.example.com/", actor=ACTOR)
    click_record(link=mine, address="203.0.113.5", user_agent="", referrer="")

    response = ApiClient(make_key("partner", alfa)).get("/referral-links", partner_id=bravo.pk)
    assert response.json()["count"] == 0  # B's partner_id filters A's own links: none

    body = ApiClient(make_key("partner", alfa)).get("/referral-links").json()
    assert body["count"] == 1
    assert body["items"] == [{
        "id": mine.pk, "partner_id": alfa.pk, "code": mine.code, "url": f"http://testserver/r/{mine.code}",
        "landing_url": "https://loja.example.com/", "active": True, "created_at": body["items"][0]["created_at"],
        "clicks": 1, "sign_ups": 0, "paying_customers": 0,
    }]


def test_staff_list_every_link_or_one_partners():
    alfa, bravo = make_partner(), make_partner()
    link_create(partner=alfa, landing_url="", actor=ACTOR)
    theirs = link_create(partner=bravo, landing_url="", actor=ACTOR)
    admin = ApiClient(make_key("admin"))
    assert admin.get("/referral-links").json()["count"] == 2
    assert [i["id"] for i in admin.get("/referral-links", partner_id=bravo.pk).json()["items"]] == [theirs.pk]


def test_a_partner_key_creates_a_link_for_its_own_partner():
    alfa = make_partner()
    response = ApiClient(make_key("partner", alfa)).post("/referral-links", {"landing_url": "https://a.example.com/"})
    assert response.status_code == 201, response.content
    link = ReferralLink.objects.get()
    assert (link.partner_id, link.landing_url) == (alfa.pk, "https://a.example.com/")
    assert response.json()["code"] == link.code


def test_a_partner_key_cannot_create_a_link_for_another_partner():
    alfa, bravo = make_partner(), make_partner()
    response = ApiClient(make_key("partner", alfa)).post("/referral-links", {"partner_id": bravo.pk})
    assert response.status_code == 404
    assert ReferralLink.objects.count() == 0


def test_staff_name_the_partner():
    alfa = make_partner()
    admin = ApiClient(make_key("admin"))
    missing = admin.post("/referral-links", {"landing_url": "https://a.example.com/"})
    unknown = admin.post("/referral-links", {"partner_id": 999_999})
    made = admin.post("/referral-links", {"partner_id": alfa.pk})
    assert (missing.status_code, missing.json()["error"]["code"]) == (422, "partner_required")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "unknown_partner")
    assert made.status_code == 201
    assert list(ReferralLink.objects.values_list("partner_id", flat=True)) == [alfa.pk]


@pytest.mark.parametrize("scope", ["platform", "analytics", "finance"])
def test_other_staff_keys_may_not_create_links(scope):
    alfa = make_partner()
    response = ApiClient(make_key(scope)).post("/referral-links", {"partner_id": alfa.pk})
    assert response.status_code == 403
    assert ReferralLink.objects.count() == 0


@pytest.mark.parametrize("body", [
    {"landing_url": "javascript:alert(1)"}, {"landing_url": "https://" + "a" * 600}, {"landing_url": 5},
    {"extra": 1},
])
def test_bad_input_is_refused_and_nothing_is_stored(body):
    response = ApiClient(make_key("partner", make_partner())).post("/referral-links", body)
    assert response.status_code == 422, response.content
    assert ReferralLink.objects.count() == 0


def test_a_terminated_partner_gets_no_new_link():
    alfa = make_partner()
    Partner.objects.filter(pk=alfa.pk).update(status="terminated")
    response = ApiClient(make_key("admin")).post("/referral-links", {"partner_id": alfa.pk})
    assert response.status_code == 409
    assert ReferralLink.objects.count() == 0
