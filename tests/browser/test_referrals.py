"""A partner copies its referral link in the portal, in a real browser, follows it, and sees the click counted;
screenshots of the page at 1280 and 390 px (pt-BR, es, en)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from parceria.referrals.models import ReferralClick, ReferralLink
from parceria.referrals.services import link_create
from tests.browser.conftest import sign_in
from tests.enablement.conftest import PASSWORD, partner_user
from tests.factories import ACTOR, make_partner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def member(transactional_db):
    cache.clear()
    partner = make_partner(name="Alfa Consultoria")
    return partner_user(partner, "ana@alfa", "partner_admin")


def test_a_partner_copies_its_link_follows_it_and_sees_one_click(page, screenshot, member, live_server):
    link_create(partner=member.partner, landing_url=f"{live_server.url}/healthz?utm_source=parceiro", actor=ACTOR)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, member.username, PASSWORD)
    page.wait_for_url("**/portal/")
    page.locator("#sidebar").get_by_role("link", name="Links de indicação").click()
    page.wait_for_url("**/portal/referrals/")
    card = page.locator(".links .card").first
    assert card.locator("[data-clicks]").inner_text() == "0"

    card.get_by_role("button", name="Copiar").click()
    page.wait_for_selector(".copy-status >> text=Copiado")
    screenshot(page, "referrals-copied-pt-BR-1280")
    copied = page.evaluate("navigator.clipboard.readText()")
    link = ReferralLink.objects.get()
    assert copied == f"{live_server.url}/r/{link.code}"
    assert card.locator("input").input_value() == copied

    page.goto(copied)
    assert page.url == f"{live_server.url}/healthz?utm_source=parceiro&ref={link.code}"
    assert ReferralClick.objects.filter(link=link).count() == 1

    page.goto("/portal/referrals/")
    assert page.locator(".links .card").first.locator("[data-clicks]").inner_text() == "1"
    screenshot(page, "referrals-links-pt-BR-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "referrals-links-pt-BR-390")


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_links_page_in_other_languages(page, screenshot, member, language):
    link_create(partner=member.partner, landing_url="https://loja.example.com/ofertas/primavera?utm_source=parceiro",
                actor=ACTOR)
    link_create(partner=member.partner, landing_url="", actor=ACTOR)
    sign_in(page, member.username, PASSWORD)
    page.wait_for_url("**/portal/")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])
    page.goto("/portal/referrals/")
    assert page.locator(".links .card").count() == 2
    screenshot(page, f"referrals-links-{language}-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, f"referrals-links-{language}-390")
