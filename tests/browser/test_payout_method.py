"""A partner's user changes how the partner is paid, in a real browser: from the PIX key it was registered with to a
Banco do Brasil account (tests.factories.TED_ACCOUNT, the Icatu Seguros rules' worked example), choosing the method
without scripts, correcting a wrong check digit, confirming with the password, and seeing the hold on the profile.
At 1280 and 390 px in English, Portuguese and Spanish, nothing wider than the window; screenshots in var/screenshots/
(payout-method-*.png)."""

from __future__ import annotations

import re

import pytest

from parceria.accounts.services import user_create
from parceria.partners.models import Partner, PayoutMethodChange
from tests.browser.conftest import sign_in
from tests.factories import ACTOR, TED_ACCOUNT, make_partner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"
HELD = {
    "en": "payouts to this account are held until",
    "pt-BR": "pagamentos para esta conta ficam retidos até",
    "es": "los pagos a esta cuenta quedan retenidos hasta",
}
DONE = {
    "en": "Your admins were notified; payouts to the new account start after 48 hours.",
    "pt-BR": "Seus administradores foram avisados; os pagamentos para a nova conta começam após 48 horas.",
    "es": "Sus administradores fueron avisados; los pagos a la nueva cuenta empiezan después de 48 horas.",
}
TED_LABEL = {"en": "Bank account (TED)", "pt-BR": "Conta bancária (TED)", "es": "Cuenta bancaria en Brasil (TED)"}


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("locale", ["en", "pt-BR", "es"])
def test_a_partner_user_changes_from_pix_to_a_bank_account_and_sees_the_hold(browser, live_server, screenshot, width,
                                                                             locale):
    partner = make_partner(name="Alfa Consultoria", tax_id="11222333000181")
    user_create(username="ana@alfa.example", email="ana@alfa.example", password=PASSWORD, role="partner_member",
                partner=partner, actor=ACTOR)
    user_create(username="admin@alfa.example", email="admin@alfa.example", password=PASSWORD, role="partner_admin",
                partner=partner, actor=ACTOR)
    name = f"payout-method-{locale.lower()}-{'phone' if width < 800 else 'desktop'}"
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, "ana@alfa.example", PASSWORD)
        page.wait_for_url("**/portal/")
        page.goto("/portal/profile/")
        card = page.locator("section[aria-labelledby=pix-title]")
        assert "11.222.333/0001-81" in card.locator("#payout-method-account").inner_text()
        fits(page, width)
        card.screenshot(path=str(screenshot(page, f"{name}-profile-before")))

        card.locator("#change-payout-method").click()
        page.wait_for_url("**/portal/profile/payout-method/")
        assert page.locator("#choose_method").input_value() == "pix"  # the current method's form first
        assert page.locator("input[name=key]").count() == 1
        page.select_option("#choose_method", "br_ted")
        page.locator("form.method-chooser button").click()
        page.wait_for_url(re.compile(r".*/payout-method/\?method=br_ted$"))
        assert page.locator("#method-title").inner_text() == TED_LABEL[locale]
        fits(page, width)
        screenshot(page, f"{name}-form")

        page.select_option("select[name=bank_code]", "001")
        for field, value in (("branch", TED_ACCOUNT["branch"]), ("branch_digit", TED_ACCOUNT["branch_digit"]),
                             ("account", TED_ACCOUNT["account"]), ("account_digit", "7"),
                             ("holder_tax_id", "11.222.333/0001-81"), ("password", PASSWORD)):
            page.fill(f"input[name={field}]", value)
        page.select_option("select[name=account_type]", "checking")
        page.locator("#payout-method-change button[type=submit]").last.click()
        error = page.locator(".field-error:has(input[name=account_digit]) .errorlist")
        error.wait_for()
        assert Partner.objects.get(pk=partner.pk).payout_method == "pix"  # refused: nothing stored
        fits(page, width)
        screenshot(page, f"{name}-error")

        page.fill("input[name=account_digit]", TED_ACCOUNT["account_digit"])
        page.fill("input[name=password]", PASSWORD)
        page.locator("#payout-method-change button[type=submit]").last.click()
        page.wait_for_url("**/portal/profile/")
        assert DONE[locale] in page.locator(".messages").inner_text()
        card = page.locator("section[aria-labelledby=pix-title]")
        assert card.locator("#payout-method-label").inner_text() == TED_LABEL[locale]
        assert card.locator("#payout-method-account").inner_text() == "001 Banco do Brasil · 1584 · ••••0169-6"
        assert HELD[locale] in card.locator("#payout-method-changed").inner_text()
        assert page.locator("input[name=key]").count() == 0  # the PIX key's own form is for a partner paid by PIX
        fits(page, width)
        card.screenshot(path=str(screenshot(page, f"{name}-profile-after")))
        screenshot(page, f"{name}-profile")

        page.goto("/portal/profile/payout-method/")
        assert page.locator("#choose_method").input_value() == "br_ted"
        rows = page.locator("#payout-method-history tbody tr")
        assert rows.count() == 2
        assert "ana@alfa.example" in rows.first.inner_text() and "0169" in rows.first.inner_text()
        assert "00210169" not in page.locator("main").inner_text()
        fits(page, width)
        screenshot(page, f"{name}-page")
    finally:
        context.close()
    partner.refresh_from_db()
    assert (partner.payout_method, partner.payout_account["account"]) == ("br_ted", "00210169")
    assert partner.payout_details_changed_at is not None
    assert PayoutMethodChange.objects.filter(partner=partner).count() == 2
