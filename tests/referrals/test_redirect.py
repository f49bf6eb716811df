"""`/r/<code>`: the redirect to the landing with `ref=<code>`, the click recorded with a hashed address only, the
default landing for an unknown or inactive code, and the flood limit."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from parceria.common.audit import Actor
from parceria.partners.models import Partner
from parceria.referrals.models import ReferralClick, ReferralLink
from parceria.referrals.services import CODE_ALPHABET, link_create
from tests.factories import make_partner

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("tests")
ADDRESS = "203.0.113.77"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def visit(code: str, address: str = ADDRESS, **headers: str):
    return Client(REMOTE_ADDR=address).get(f"/r/{code}", **headers)


def test_code_is_generated_url_safe_and_long_enough():
    link = link_create(partner=make_partner(), landing_url="https://loja.example.com/", actor=ACTOR)
    assert len(link.code) == 10
    assert set(link.code) <= set(CODE_ALPHABET)


def test_redirects_to_the_landing_with_the_code_and_records_a_hashed_click():
    link = link_create(partner=make_partner(), landing_url="https://loja.example.com/oferta", actor=ACTOR)

    response = visit(link.code, HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 400, HTTP_REFERER="https://blog.example.org/")

    assert response.status_code == 302
    assert response["Location"] == f"https://loja.example.com/oferta?ref={link.code}"
    assert "Set-Cookie" not in response.headers and not response.cookies
    click = ReferralClick.objects.get()
    expected = hmac.new(settings.SECRET_KEY.encode(), ADDRESS.encode(), hashlib.sha256).hexdigest()
    assert (click.link_id, click.ip_hash, click.referrer) == (link.pk, expected, "https://blog.example.org/")
    assert click.user_agent == ("Mozilla/5.0 " + "x" * 400)[:300]
    rows = [str(v) for v in ReferralClick.objects.values_list().get()]
    assert not any(ADDRESS in value for value in rows)


def test_keeps_the_landing_urls_own_query():
    link = link_create(partner=make_partner(), landing_url="https://loja.example.com/?utm_source=parceiro&x=1",
                       actor=ACTOR)
    response = visit(link.code)
    assert response["Location"] == f"https://loja.example.com/?utm_source=parceiro&x=1&ref={link.code}"


def test_an_unknown_code_lands_on_the_default_landing_and_records_nothing():
    response = visit("naoexiste99")
    assert response.status_code == 302
    assert response["Location"] == settings.PARCERIA["REFERRAL_DEFAULT_LANDING"]
    assert ReferralClick.objects.count() == 0


@pytest.mark.parametrize("what", ["inactive link", "suspended partner"])
def test_an_inactive_code_lands_without_attribution(what):
    partner = make_partner()
    link = link_create(partner=partner, landing_url="https://loja.example.com/", actor=ACTOR)
    if what == "inactive link":
        ReferralLink.objects.filter(pk=link.pk).update(active=False)
    else:
        Partner.objects.filter(pk=partner.pk).update(status="suspended")
    response = visit(link.code)
    assert response["Location"] == settings.PARCERIA["REFERRAL_DEFAULT_LANDING"]
    assert ReferralClick.objects.count() == 0


def test_a_flood_from_one_address_still_lands_but_counts_only_the_limit():
    limit = settings.PARCERIA["REFERRAL_CLICKS_PER_MINUTE"]
    link = link_create(partner=make_partner(), landing_url="https://loja.example.com/", actor=ACTOR)

    responses = [visit(link.code) for _ in range(limit + 5)]
    other = visit(link.code, address="198.51.100.9")

    assert {r.status_code for r in responses} == {302}
    assert {r["Location"] for r in responses} == {f"https://loja.example.com/?ref={link.code}"}
    assert other.status_code == 302
    assert ReferralClick.objects.count() == limit + 1


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.com/", "loja.example.com", "https://" + "a" * 500]
)
def test_a_landing_url_must_be_http_or_https(url):
    from parceria.common.errors import InvalidInput

    with pytest.raises(InvalidInput):
        link_create(partner=make_partner(), landing_url=url, actor=ACTOR)
    assert ReferralLink.objects.count() == 0


def test_a_blank_landing_url_is_the_default_landing():
    link = link_create(partner=make_partner(), landing_url="", actor=ACTOR)
    assert link.landing_url == settings.PARCERIA["REFERRAL_DEFAULT_LANDING"]


@pytest.mark.parametrize("code", ["%00abc", "a" * 300, "caf%C3%A9", "a.b-c", "abc'--"])
def test_odd_codes_land_on_the_default_landing(code):
    response = Client().get(f"/r/{code}")
    assert response.status_code == 302
    assert response["Location"] == settings.PARCERIA["REFERRAL_DEFAULT_LANDING"]
    assert ReferralClick.objects.count() == 0
