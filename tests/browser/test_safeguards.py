"""Attribution safeguards in a real browser: finance staff open the Safeguards page, read a flag's evidence in words,
clear it with a note after confirming, and see the partner's page and the close preview. Screenshots at 1280 and
390 px (var/screenshots/safeguards-*.png), in pt-BR, es and en."""

from __future__ import annotations

from datetime import datetime

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.br import cnpj

from parceria.accounts.services import user_create
from parceria.partners.models import Partner
from parceria.safeguards.detection import Finding
from parceria.safeguards.models import SafeguardFlag
from parceria.safeguards.services import flags_raise, safeguards_scan
from tests.browser.conftest import sign_in
from tests.factories import ACTOR, SP, credit, make_customer, make_partner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"
NOW = datetime(2026, 4, 5, 10, 0, tzinfo=SP)


def program() -> tuple[Partner, SafeguardFlag]:
    norte = make_partner(name="Agência Norte Digital")
    sul, leste = make_partner(name="Sul Consultoria"), make_partner(name="Leste Sistemas")
    root = norte.tax_id[:8] + "0002"
    make_customer(norte, name="Padaria São João", external_id="cus_padaria", tax_id=root + cnpj.calc_check_digits(root))
    for p in (sul, leste):
        Partner.objects.filter(pk=p.pk).update(pix_key_type="email", pix_key="financeiro@sulleste.com.br")
    # Two more paid by TED into one Banco do Brasil account, written two ways (no PIX key then, as the method's
    # writer leaves it).
    for name, number in (("Oeste Dados", "0098765"), ("Centro Apps", "98765")):
        Partner.objects.filter(pk=make_partner(name=name).pk).update(
            pix_key_type="", pix_key="", payout_method="br_ted", payout_account={
            "bank_code": "001", "bank_name": "Banco do Brasil", "branch": "1234", "branch_digit": "3",
            "account": number, "account_digit": "X", "account_type": "checking"})
    safeguards_scan(actor=ACTOR, now=NOW)
    flags_raise([
        Finding("refund_rate", leste.pk, {
            "window_start": "2026-01-05T13:00:00+00:00", "window_end": "2026-04-05T13:00:00+00:00",
            "window_days": 90, "invoices": 40, "refunded": 18, "rate": "0.4500", "peers": 12,
            "peer_median": "0.0500", "peer_mad": "0.0200", "by_factor": "0.1500", "by_mad": "0.1100",
            "threshold": "0.1500", "median_factor": "3", "mad_k": "3", "min_rate": "0.05", "chance": "0.000000",
            "max_p": "0.01", "refunded_invoice_ids": []}, ("r",)),
        Finding("click_burst", sul.pk, {
            "ip_hash": "3f9a0c7e51b2", "clicks": 64, "limit": 20, "minutes": 10,
            "first_at": "2026-04-01T12:00:00+00:00", "last_at": "2026-04-01T12:07:41+00:00", "link_ids": [1],
            "first_click_id": 1, "last_click_id": 64}, ("c",)),
    ], actor=ACTOR, now=NOW)
    credit(norte, "1250.00")
    return norte, SafeguardFlag.objects.get(partner=norte)


@pytest.mark.parametrize(("width", "locale", "cleared", "name"), [
    (1280, "pt-BR", "Liberado", "safeguards"),
    (390, "pt-BR", "Liberado", "safeguards-phone"),
    (390, "es", "Levantada", "safeguards-es-phone"),
    (1280, "en", "Cleared", "safeguards-en"),
])
def test_finance_clears_a_flag_after_reading_its_evidence(browser, live_server, screenshot, width, locale, cleared,
                                                          name):
    norte, flag = program()
    user = user_create(username="fin", password=PASSWORD, role="finance", email="fin@example.com", actor=ACTOR)
    key = TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, "fin", PASSWORD, totp_key_hex=key)
        page.wait_for_url("**/console/")
        page.goto("/console/safeguards/")
        assert page.locator("main tbody tr").count() == 7
        screenshot(page, f"{name}-list")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shared = SafeguardFlag.objects.get(partner__name="Oeste Dados")
        page.goto(f"/console/safeguards/{shared.pk}/")
        evidence = page.locator("main").inner_text()
        assert "••••8765-X" in evidence and "Centro Apps" in evidence and "98765" not in evidence
        screenshot(page, f"{name}-shared-account")
        page.goto(f"/console/partners/{norte.pk}/")
        screenshot(page, f"{name}-partner")
        page.goto("/console/close/2026-03/")
        screenshot(page, f"{name}-close-preview")
        page.goto(f"/console/safeguards/{flag.pk}/")
        page.fill("#id_note", "Filial própria contratada no acordo de parceria; verificado com o gerente.")
        screenshot(page, f"{name}-detail")
        page.locator("main form[method=post] button[type=submit]").click()
        screenshot(page, f"{name}-confirm")
        page.locator("main form[method=post] button[type=submit]").click()
        page.wait_for_url(f"**/console/safeguards/{flag.pk}/")

        flag.refresh_from_db()
        assert (flag.status, flag.cleared_by_label) == ("cleared", "user:fin")
        assert page.locator("h1 .badge").inner_text() == cleared
        screenshot(page, f"{name}-cleared")
    finally:
        context.close()
