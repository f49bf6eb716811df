"""CSV uploads in a real browser: staff upload the direct-sales pipeline in the console (a bad file first: every bad
line listed, nothing stored; then the corrected one) and a partner uploads deal registrations in the portal and sees
each row's outcome, one rejected because the pipeline holds the company. Screenshots at 1280 and 390 px
(var/screenshots/deal-upload-*.png), in pt-BR, es and en."""

from __future__ import annotations

from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import user_create
from parceria.deals.models import DealRegistration, Opportunity
from parceria.deals.uploads import opportunity_upsert
from tests.browser.conftest import sign_in
from tests.deals.test_services import CNPJ_BRANCH, CNPJ_HQ, OTHER_CNPJ
from tests.factories import ACTOR, make_partner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"

PIPELINE_HEADER = "external_id,company_name,country,tax_id,domain,stage,owner,amount,currency,expected_close_on\n"
PIPELINE_GOOD = (
    PIPELINE_HEADER
    + f"crm-1001,Padaria São João Ltda,BR,{CNPJ_HQ},padariasj.com.br,open,Ana Souza,48000.00,BRL,2027-03-31\n"
    + "crm-1002,Mercado Central S.A.,BR,,mercadocentral.com.br,open,Bruno Reis,125000.00,BRL,2027-05-15\n"
    + "crm-1003,Acme Comercio SA de CV,MX,,acme.mx,won,Luis Pérez,90000.00,MXN,\n")
PIPELINE_BAD = (
    PIPELINE_GOOD
    + "crm-1004,Loja Azul,BR,11.222.333/0001-99,,,,,,\n"
    + "crm-1005,Loja Verde,BR,,gmail.com,,,,,\n"
    + "crm-1001,Padaria Repetida,BR,,outra.com.br,,,,,\n")


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("width", "locale", "name"), [
    (1280, "pt-BR", "deal-upload-pipeline"),
    (390, "pt-BR", "deal-upload-pipeline-phone"),
    (1280, "en", "deal-upload-pipeline-en"),
])
def test_staff_upload_the_pipeline(browser, live_server, screenshot, tmp_path, width, locale, name):
    user = user_create(username="pm", password=PASSWORD, role="partner_manager", email="pm@example.com", actor=ACTOR)
    key = TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, "pm", PASSWORD, totp_key_hex=key)
        page.wait_for_url("**/console/")
        page.goto("/console/opportunities/")
        page.set_input_files("#id_file", write(tmp_path, "pipeline-bad.csv", PIPELINE_BAD))
        page.locator("main form[method=post] button[type=submit]").click()
        page.wait_for_selector("#row-errors")

        rows = page.locator("section[aria-labelledby=row-errors] tbody tr")
        assert [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())] == ["5", "6", "7"]
        assert not Opportunity.objects.exists()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"{name}-refused")

        page.set_input_files("#id_file", write(tmp_path, "pipeline.csv", PIPELINE_GOOD))
        page.locator("main form[method=post] button[type=submit]").click()
        page.wait_for_selector("main table tbody tr")

        assert sorted(Opportunity.objects.values_list("external_id", "stage")) == [
            ("crm-1001", "open"), ("crm-1002", "open"), ("crm-1003", "won")]
        assert page.locator("main tbody tr").count() == 3
        stages = page.locator("main tbody .badge").all_inner_texts()
        assert stages == (["Ganha", "Aberta", "Aberta"] if locale == "pt-BR" else ["Won", "Open", "Open"])
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"{name}-imported")
    finally:
        context.close()


REGISTRATIONS = (
    "company_name,country,tax_id,domain,contact_name,contact_email,estimated_value,currency,vertical,region\n"
    + f"Mercearia Boa Vista Ltda,BR,{OTHER_CNPJ},boavista.com.br,Carla Dias,carla@boavista.com.br,8000.00,BRL,"
      "varejo,SP\n"
    + f"Padaria São João - Filial,BR,{CNPJ_BRANCH},,Joana Lima,joana@padariasj.com.br,12500.00,BRL,varejo,SP\n"
    + "Mercado Central,BR,,mercado-central.com.br,Rui Alves,rui@mercado-central.com.br,30000.00,BRL,,RJ\n")


@pytest.mark.parametrize(("width", "locale", "badges", "name"), [
    (1280, "pt-BR", ["Aprovado", "Recusado", "Em análise"], "deal-upload-portal"),
    (390, "pt-BR", ["Aprovado", "Recusado", "Em análise"], "deal-upload-portal-phone"),
    (390, "es", ["Aprobado", "Rechazado", "En revisión"], "deal-upload-portal-es-phone"),
])
def test_a_partner_uploads_registrations_and_sees_each_outcome(browser, live_server, screenshot, tmp_path, width,
                                                               locale, badges, name):
    for values in ({"external_id": "crm-1001", "company_name": "Padaria São João Ltda", "country": "BR",
                    "tax_id": CNPJ_HQ}, {"external_id": "crm-1002", "company_name": "Mercado Central S.A.",
                                         "country": "BR", "domain": "mercadocentral.com.br"}):
        opportunity_upsert(values=values, actor=ACTOR)
    partner = make_partner(name="Alfa Consultoria")
    user_create(username="alfa", password=PASSWORD, role="partner_member", partner=partner, email="a@alfa.example",
                actor=ACTOR)
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, "alfa", PASSWORD)
        page.wait_for_url("**/portal/")
        page.goto("/portal/deals/")
        page.click("a[href='/portal/deals/upload/']")
        page.wait_for_url("**/portal/deals/upload/")
        screenshot(page, f"{name}-form")
        page.set_input_files("#id_file", write(tmp_path, "deals.csv", REGISTRATIONS))
        page.locator("main form[method=post] button[type=submit]").click()
        page.wait_for_selector("#outcomes")

        assert sorted(DealRegistration.objects.values_list("company_name", "status")) == [
            ("Mercado Central", "in_review"), ("Mercearia Boa Vista Ltda", "approved"),
            ("Padaria São João - Filial", "rejected")]
        assert page.locator("#outcomes ~ div .badge").all_inner_texts() == badges
        assert page.locator("#outcomes").inner_text() in ("3 registros feitos", "3 registros hechos")
        text = page.locator("#outcomes").locator("xpath=..").inner_text()
        assert "Ana" not in text and "crm-1001" not in text
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"{name}-outcomes")
    finally:
        context.close()
