"""The staff console in a real browser: finance previews and runs a close and exports the batch; a partner
manager answers a dispute. Screenshots of the main console pages go to var/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import user_create
from parceria.common.audit import Actor
from parceria.customers.models import EventBatch, EventSource
from parceria.disputes.adjustments import adjustment_request
from parceria.disputes.models import Dispute
from parceria.disputes.services import DisputeClaim, dispute_open
from parceria.payouts.models import BatchExport, PayoutBatch
from tests.browser.conftest import sign_in
from tests.factories import ACTOR, credit, make_customer, make_partner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"


def staff(username: str, role: str) -> str:
    user = user_create(username=username, password=PASSWORD, role=role, email=f"{username}@example.com", actor=ACTOR)
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key


@pytest.fixture
def program(db):
    keyed = make_partner(name="Agência Aurora", legal_name="Aurora Marketing Digital Ltda", pix_key_type="email",
                         pix_key="financeiro@aurora.com.br")  # registered with its key: no 48-hour hold
    other = make_partner(name="Consultoria Boreal", tax_regime="pj_simples", payout_method="br_ted")
    small = make_partner(name="Studio Cometa")
    make_customer(keyed, name="Padaria Central", domain="padariacentral.com.br")
    credit(keyed, "1000.00")
    credit(other, "480.50")
    credit(small, "42.10")
    claim = DisputeClaim(customer_name="Mercado Sol", description="O Mercado Sol veio por indicação nossa.")
    dispute = dispute_open(partner=keyed, subject="missing_attribution", actor=ACTOR, claim=claim)
    adjustment_request(partner=other, amount="1500.00", reason="Bônus de campanha", actor=Actor(label="user:outra"))
    EventBatch.objects.create(source=EventSource.API, submitted_by="api-key:plataforma", received=3, accepted=2,
                              duplicates=0, rejected=[{"index": 2, "id": "evt_9", "error": "unknown customer cus_x"}])
    return {"partner": keyed, "dispute": dispute}


def test_finance_previews_runs_and_exports_a_close(page, screenshot, program):
    sign_in(page, "fin", PASSWORD, totp_key_hex=staff("fin", "finance"))
    page.wait_for_url("**/console/")
    assert page.locator("main .attention li").count() == 6
    screenshot(page, "console-overview")
    page.goto("/console/partners/")
    assert page.locator("main table tbody tr").count() == 3
    screenshot(page, "console-partners")
    page.click("main a:text('Agência Aurora')")
    page.locator("main h2#balance").wait_for()
    screenshot(page, "console-partner-detail")
    for path, name in (("/console/adjustments/", "console-adjustments"), ("/console/intake/", "console-intake"),
                       ("/console/disputes/", "console-disputes")):
        page.goto(path)
        screenshot(page, name)

    page.goto("/console/close/")
    page.fill("main input[name=month]", "2026-03")
    page.click("main form[action='/console/close/'] button[type=submit]")
    page.wait_for_url("**/console/close/2026-03/")
    main = page.locator("main")
    assert "R$ 985,00" in main.inner_text()  # 1.000,00 less IRRF 15,00
    screenshot(page, "console-close-preview")
    page.click("main form[action='/console/close/2026-03/'] button[type=submit]")
    page.wait_for_url("**/console/batches/*/")
    batch = PayoutBatch.objects.get()
    assert batch.payouts.count() == 2

    page.click(f"main form[action='/console/batches/{batch.pk}/approve/'] button[type=submit]")
    page.click("main form button[type=submit]:not(.secondary)")  # the confirmation step
    page.wait_for_url(f"**/console/batches/{batch.pk}/")
    page.select_option("main select[name=kind]", "cnab")
    page.click(f"main form[action='/console/batches/{batch.pk}/export/'] button[type=submit]")
    link = page.locator("main section.result a.button")
    with page.expect_download() as info:
        link.click()
    download = info.value
    content = Path(download.path()).read_text(encoding="latin-1")
    assert all(len(line) == 240 for line in content.split("\r\n")[:-1])
    assert download.suggested_filename == BatchExport.objects.get().filename
    # left out of the PIX file, named by partner with its amount, not by payout number
    result = page.locator("main section.result").inner_text()
    assert ("Consultoria Boreal (R$ 480,50): pago por Conta bancária (TED), no arquivo próprio dessa forma de "
            "pagamento") in result
    screenshot(page, "console-batch")


def test_a_partner_manager_answers_a_dispute(page, screenshot, program):
    dispute = program["dispute"]
    sign_in(page, "pm", PASSWORD, totp_key_hex=staff("pm", "partner_manager"))
    page.wait_for_url("**/console/")
    page.goto("/console/disputes/")
    page.click(f"main a[href='/console/disputes/{dispute.pk}/'] >> nth=0")
    page.click(f"main form[action='/console/disputes/{dispute.pk}/review/'] button")
    page.wait_for_url(f"**/console/disputes/{dispute.pk}/")
    page.fill("main textarea[name=text]", "Estamos verificando a origem do cliente.")
    page.click(f"main form[action='/console/disputes/{dispute.pk}/comment/'] button")
    page.wait_for_url(f"**/console/disputes/{dispute.pk}/")
    assert "Estamos verificando" in page.locator("main ol.comments").inner_text()
    page.fill("main input[name=adjustment_amount]", "120.00")
    page.fill("main textarea[name=resolution]", "Atribuição confirmada: comissão de março creditada.")
    page.click(f"main form[action='/console/disputes/{dispute.pk}/resolve/'] button")
    page.click("main form button[type=submit]:not(.secondary)")  # confirm
    page.wait_for_url(f"**/console/disputes/{dispute.pk}/")
    screenshot(page, "console-dispute-detail")
    dispute.refresh_from_db()
    assert dispute.status == "resolved_with_adjustment"
    assert Dispute.objects.get(pk=dispute.pk).adjustments.get().status == "posted"
