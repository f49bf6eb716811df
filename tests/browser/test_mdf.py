"""Marketing funds in a real browser: the partner's admin requests funds, staff approve, the partner claims with a
proof file, staff approve the claim and the partner sees the reimbursement. Screenshots of every page at 1280 and
390 px (var/screenshots/mdf-*.png), in pt-BR and es."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import user_create
from parceria.mdf.models import FundRequest
from parceria.mdf.services import budgets_create
from parceria.partners.models import Partner
from tests.browser.conftest import sign_in
from tests.factories import ACTOR, make_partner
from tests.mdf.conftest import pdf_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"


def new_page(browser, live_server, width: int, locale: str):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    return context, context.new_page()


@pytest.mark.parametrize(("width", "locale", "reimbursed", "name"), [
    (1280, "pt-BR", "Reembolsado", "mdf"),
    (390, "pt-BR", "Reembolsado", "mdf-phone"),
    (1280, "es", "Reembolsado", "mdf-es"),
])
def test_a_partner_requests_and_claims_and_staff_approve(browser, live_server, screenshot, tmp_path, width, locale,
                                                         reimbursed, name):
    partner = make_partner(name="Alfa Consultoria")
    Partner.objects.filter(pk=partner.pk).update(tier="preferred")
    budgets_create(quarter=timezone.localdate(), actor=ACTOR)
    user_create(username="alfa", password=PASSWORD, role="partner_admin", partner=partner, email="a@alfa.example",
                actor=ACTOR)
    staff = user_create(username="pm", password=PASSWORD, role="partner_manager", email="pm@example.com", actor=ACTOR)
    key = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True).key
    proof = tmp_path / "nota-fiscal.pdf"
    proof.write_bytes(pdf_bytes())

    partner_ctx, portal = new_page(browser, live_server, width, locale)
    staff_ctx, console = new_page(browser, live_server, width, locale)
    try:
        sign_in(portal, "alfa", PASSWORD)
        portal.wait_for_url("**/portal/")
        portal.goto("/portal/mdf/")
        screenshot(portal, f"{name}-portal-budget")
        portal.goto("/portal/mdf/new/")
        portal.fill("#id_title", "Café com clientes em Campinas")
        portal.select_option("#id_kind", "event")
        portal.fill("#id_planned_on", timezone.localdate().isoformat())
        portal.fill("#id_amount", "3000.00")
        portal.fill("#id_description", "Café da manhã para 30 clientes")
        portal.fill("#id_expected_results", "10 oportunidades registradas")
        screenshot(portal, f"{name}-portal-new")
        with portal.expect_navigation():
            portal.click("main form button[type=submit]")
        fund = FundRequest.objects.get()
        portal.wait_for_url(f"**/portal/mdf/{fund.pk}/")

        sign_in(console, "pm", PASSWORD, totp_key_hex=key)
        console.wait_for_url("**/console/")
        console.goto("/console/mdf/")
        screenshot(console, f"{name}-console-list")
        console.click("main tbody a")
        console.wait_for_url(f"**/console/mdf/{fund.pk}/")
        screenshot(console, f"{name}-console-request")
        with console.expect_navigation():
            console.click("main form button[type=submit]")
        console.wait_for_url(f"**/console/mdf/{fund.pk}/")

        portal.reload()
        portal.fill("#id_amount", "2500.00")
        portal.set_input_files("#id_proofs", str(proof))
        screenshot(portal, f"{name}-portal-claim")
        # After a full-page screenshot at phone width the first pointer click only focuses the button (the screenshot
        # resizes the viewport and restores it; without the screenshot the first click submits): the keyboard is used.
        with portal.expect_navigation():
            portal.locator("main form[enctype] button[type=submit]").press("Enter")
        portal.wait_for_url(f"**/portal/mdf/{fund.pk}/")
        screenshot(portal, f"{name}-portal-claimed")

        console.reload()
        screenshot(console, f"{name}-console-claim")
        with console.expect_navigation():
            console.click("main form button[type=submit]")
        console.wait_for_url(f"**/console/mdf/{fund.pk}/")

        portal.goto("/portal/mdf/")
        assert reimbursed in portal.locator("main tbody").inner_text()
        assert portal.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(portal, f"{name}-portal-reimbursed")
        portal.goto(f"/portal/mdf/{fund.pk}/")
        screenshot(portal, f"{name}-portal-detail")
    finally:
        partner_ctx.close()
        staff_ctx.close()
    fund.refresh_from_db()
    assert (fund.status, fund.reimbursement) == ("reimbursed", 2500)
