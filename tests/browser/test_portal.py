"""A partner's week in the portal, in a real browser: dashboard, find a ledger line, download a statement,
open a dispute. Screenshots of the main pages land in var/screenshots/."""

from __future__ import annotations

import re

import pytest

from parceria.disputes.models import Dispute
from tests.browser.conftest import sign_in
from tests.portal.conftest import PASSWORD, build_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def world(transactional_db):
    return build_world()


def test_a_partner_reads_its_dashboard_finds_a_line_downloads_a_statement_and_opens_a_dispute(
    page, screenshot, world
):
    a = world["a"]
    sign_in(page, a.admin.username, PASSWORD)
    page.wait_for_url("**/portal/")
    main = page.locator("main")
    assert "Alfa Consultoria" in page.content() and "Bravo" not in page.content()
    page.wait_for_function("document.getElementById('earnings-chart').width > 0")
    assert main.locator("#available-balance .value").inner_text().startswith("R$")
    screenshot(page, "portal-dashboard")

    page.goto("/portal/commissions/")
    main.get_by_label(re.compile("Pesquisar|Search")).fill("inv_alfa_2")
    main.get_by_role("button", name=re.compile("^(Filtrar|Apply filters)$")).click()
    page.wait_for_url(re.compile(r".*q=inv_alfa_2.*"))
    rows = main.locator("tbody tr")
    assert rows.count() == 2  # the accrual of inv_alfa_2 and its clawback
    screenshot(page, "portal-ledger")
    rows.first.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r".*/portal/commissions/\d+/$"))
    assert "inv_alfa_2" in main.inner_text()

    page.goto("/portal/payouts/")
    with page.expect_download() as download_info:
        main.locator("a[href='/portal/statements/2026-03.pdf']").click()
    download = download_info.value
    assert download.suggested_filename == "parceria-statement-2026-03.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
    screenshot(page, "portal-payouts")

    page.goto("/portal/disputes/new/")
    main.get_by_label(re.compile("Um pagamento|A payout")).check()
    main.get_by_label(re.compile("^(Pagamento|Payout)")).select_option(str(a.payout.pk))
    main.get_by_label(re.compile("Descreva|Describe")).fill("O valor do pagamento de março parece baixo.")
    main.get_by_role("button", name=re.compile("Abrir a contestação|Open the dispute")).click()
    page.wait_for_url(re.compile(r".*/portal/disputes/\d+/$"))
    dispute = Dispute.objects.get(partner=a.partner, payout=a.payout)
    assert dispute.status == "open" and "parece baixo" in dispute.description
    main.get_by_label(re.compile("Sua mensagem|Your message")).fill("Segue o extrato em anexo.")
    main.get_by_role("button", name=re.compile("Enviar comentário|Post comment")).click()
    page.wait_for_selector("#comments >> text=Segue o extrato")
    page.goto("/portal/disputes/")
    screenshot(page, "portal-disputes")

    page.goto("/portal/profile/")
    screenshot(page, "portal-profile")
    page.goto("/portal/customers/")
    screenshot(page, "portal-customers")
    page.goto("/portal/users/")
    screenshot(page, "portal-users")
