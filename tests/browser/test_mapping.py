"""Account mapping in a real browser: a partner uploads its customer list in the portal and sees the overlap counts
(and, once both sides share overlaps, the matched customer); staff read the mapping in the console. Screenshots at
1280 and 390 px (var/screenshots/mapping-*.png), in pt-BR, es and en."""

from __future__ import annotations

from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import user_create
from parceria.common.audit import Actor
from parceria.mapping.models import AccountMapping, SharingLevel
from parceria.mapping.services import mapping_create, partner_sharing_set, program_sharing_set
from tests.browser.conftest import sign_in
from tests.factories import ACTOR, make_customer, make_partner
from tests.mapping.test_services import cnpj_of, csv

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"


def the_list(tmp_path: Path) -> Path:
    path = tmp_path / "clientes.csv"
    path.write_bytes(csv(
        f"{cnpj_of(1, '0002')},,customer",      # our customer by its CNPJ root
        ",padaria-central.com.br,customer",      # our customer by its domain
        f"{cnpj_of(7)},mercado-novo.com.br,prospect",
        f"{cnpj_of(8)},,prospect",
        "11.111.111/1111-11,,customer",          # invalid: reported
        f"{cnpj_of(8)},,prospect",               # repeated: reported
    ))
    return path


@pytest.mark.parametrize(("width", "locale", "name"), [
    (1280, "pt-BR", "mapping-portal"),
    (390, "pt-BR", "mapping-portal-phone"),
    (390, "es", "mapping-portal-es-phone"),
    (1280, "en", "mapping-portal-en"),
])
def test_a_partner_uploads_its_list_and_sees_the_counts(browser, live_server, screenshot, tmp_path, width, locale,
                                                        name):
    partner = make_partner(name="Alfa Consultoria")
    make_customer(tax_id=cnpj_of(1), name="Loja Um Comércio")
    make_customer(domain="padaria-central.com.br", name="Padaria Central")
    member = user_create(username="alfa", password=PASSWORD, role="partner_member", partner=partner,
                         email="a@alfa.example", actor=ACTOR)
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, "alfa", PASSWORD)
        page.wait_for_url("**/portal/")
        page.goto("/portal/account-mapping/")
        page.set_input_files("#id_file", str(the_list(tmp_path)))
        screenshot(page, f"{name}-form")
        page.locator("main form[enctype] button[type=submit]").click()
        page.wait_for_url("**/portal/account-mapping/*/")

        mapping = AccountMapping.objects.get()
        assert (mapping.partner_id, mapping.accounts, mapping.issue_count) == (partner.pk, 4, 3)
        total = page.locator("tr[data-total]")
        assert [total.locator(f"[data-{c}]").inner_text() for c in ("accounts", "customers", "not-ours")] == [
            "4", "2", "2"]
        assert page.locator("[data-no-matches]").count() == 1
        assert page.locator("tr[data-issue]").count() == 3
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"{name}-counts")

        program_sharing_set(level=SharingLevel.OVERLAPS, actor=ACTOR)
        # the partner's person chooses the level, which records its consent to share matched accounts
        partner_sharing_set(partner=partner, partner_level=SharingLevel.OVERLAPS,
                            actor=Actor(label="user:alfa", user=member))
        page.reload()
        assert page.locator("tr[data-match]").count() == 2
        assert "Padaria Central" in page.locator("main").inner_text()
        screenshot(page, f"{name}-matches")
        page.goto("/portal/account-mapping/")
        assert page.locator("main tbody tr").count() == 1
        screenshot(page, f"{name}-list")
    finally:
        context.close()


@pytest.mark.parametrize(("width", "name"), [(1280, "mapping-console"), (390, "mapping-console-phone")])
def test_staff_read_a_mapping_and_share_overlaps_with_the_partner(browser, live_server, screenshot, width, name):
    partner = make_partner(name="Bravo Sistemas")
    make_customer(domain="padaria-central.com.br", name="Padaria Central")
    mapping = mapping_create(partner=partner, actor=ACTOR, data=csv(
        ",padaria-central.com.br,customer", ",outra-loja.com.br,prospect", ",gmail.com,customer"))
    admin = user_create(username="bravo", password=None, role="partner_admin", partner=partner,
                        email="admin@bravo.example", actor=ACTOR)
    partner_sharing_set(partner=partner, partner_level=SharingLevel.ALL, actor=Actor(label="user:bravo", user=admin))
    user = user_create(username="pm", password=PASSWORD, role="partner_manager", email="pm@example.com", actor=ACTOR)
    key = TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale="pt-BR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, "pm", PASSWORD, totp_key_hex=key)
        page.wait_for_url("**/console/")
        page.goto("/console/account-mappings/")
        screenshot(page, f"{name}-list")
        page.click("main tbody a")
        page.wait_for_url(f"**/console/account-mappings/{mapping.pk}/")
        assert page.locator("[data-no-matches]").count() == 1
        page.select_option("#id_level", "overlaps")
        page.locator(f"main form[action$='/{mapping.pk}/sharing/'] button[type=submit]").click()
        page.wait_for_url(f"**/console/account-mappings/{mapping.pk}/")
        assert page.locator("tr[data-match]").count() == 1
        assert "50,0 %" in page.locator("[data-overlap]").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"{name}-detail")
    finally:
        context.close()
