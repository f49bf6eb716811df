"""The sign-in journey in a real browser: a partner user reaches the portal, staff pass TOTP."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import user_create
from tests.browser.conftest import sign_in
from tests.factories import ACTOR, make_partner

PASSWORD = "correct horse battery staple 7"
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_partner_user_signs_in_and_lands_on_the_portal(page, screenshot):
    partner = make_partner(name="Parceira Navegador")
    user_create(username="ana@browser", password=PASSWORD, role="partner_admin", partner=partner, actor=ACTOR)
    page.goto("/login/")
    screenshot(page, "login")
    sign_in(page, "ana@browser", PASSWORD)
    page.wait_for_url("**/portal/")
    assert "Parceira Navegador" in page.content()


def test_staff_need_a_totp_code(page, screenshot):
    staff = user_create(username="fin@browser", password=PASSWORD, role="finance", actor=ACTOR)
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    sign_in(page, "fin@browser", PASSWORD)
    page.wait_for_url("**/login/two-factor/")
    screenshot(page, "two-factor")
    from django_otp.oath import totp

    page.fill("input[name=token]", f"{totp(device.bin_key):06d}")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/console/" in page.url, page.inner_text("main")
