"""Finance in a real browser, in English, Brazilian Portuguese and Spanish: the close's pages list the partners no
payout method pays, and a closed batch with payouts in five methods is approved and sent with "Export every file",
one file per method and currency. Screenshots of the close's first page, its preview and the batch page (before and
after the approval, after the export), at desktop (1280 px) and phone (390 px) width, go to var/screenshots/
(console-transfer-files-*-<language>[-phone].png)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import user_create
from parceria.payouts.close import period_close
from parceria.payouts.models import BatchApproval, BatchExport, PayoutBatch
from parceria.payouts.services import batch_state
from tests.browser.conftest import sign_in
from tests.factories import ACTOR, SP, credit, make_partner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"
LOCALES = {"en": "en-US", "pt-br": "pt-BR", "es": "es-ES"}
EXPORT_ALL = {"en": "Export every file", "pt-br": "Exportar todos os arquivos", "es": "Exportar todos los archivos"}
NO_METHOD = {"en": "1 partner cannot be paid: no payout method for BRL",
             "pt-br": "1 parceiro não pode ser pago: nenhuma forma de pagamento em BRL",
             "es": "1 socio no puede recibir pagos: ningún método de pago en BRL"}
WRITTEN = {"en": "5 files written:", "pt-br": "5 arquivos gerados:", "es": "5 archivos generados:"}
# the file of each row of the Transfer files table, in the table's order (file kind, then currency)
FILES = {
    "en": ["PIX remittance (CNAB 240)", "TED remittance (CNAB 240)", "International transfers (CSV)",
           "International transfers (CSV)", "SPEI (CSV)"],
    "pt-br": ["Remessa PIX (CNAB 240)", "Remessa TED (CNAB 240)", "Transferências internacionais (CSV)",
              "Transferências internacionais (CSV)", "SPEI (CSV)"],
    "es": ["Remesa PIX (CNAB 240)", "Remesa TED (CNAB 240)", "Transferencias internacionales (CSV)",
           "Transferencias internacionales (CSV)", "SPEI (CSV)"],
}


def finance_user(username: str) -> str:
    user = user_create(username=username, password=PASSWORD, role="finance", email=f"{username}@example.com",
                       actor=ACTOR)
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key


@pytest.fixture
def program(db) -> PayoutBatch:
    """March closed with payouts by PIX (two), TED, SPEI and international transfers in USD and in MXN; a partner
    without a payout method carries its balance, and has another in April, the month to close next."""
    partners = {
        "pix": make_partner(name="Agência Aurora", legal_name="Aurora Marketing Digital Ltda",
                            tax_regime="pj_simples"),
        "pix2": make_partner(name="Estúdio Boreal", tax_regime="pj_simples"),
        "ted": make_partner(name="Consultoria Cerrado", tax_regime="pj_simples", payout_method="br_ted"),
        "mx": make_partner(name="Agencia Monterrey", country="MX"),
        "us": make_partner(name="Yankee Partners LLC", country="US"),
        "us_mxn": make_partner(name="Border Partners LLC", country="US", currency="MXN"),
        "none": make_partner(name="Parceira Sem Conta Cadastrada", pix_key_type="", pix_key=""),
    }
    for key, amount in {"pix": "1000.00", "pix2": "250.50", "ted": "2500.55", "mx": "12345.67", "us": "777.77",
                        "us_mxn": "4000.00", "none": "800.00"}.items():
        credit(partners[key], amount)
    period_close(month=date(2026, 3, 1), actor=ACTOR, now=datetime(2026, 4, 6, 10, tzinfo=SP))
    for key, amount in {"pix": "420.00", "none": "95.40", "mx": "600.00"}.items():
        credit(partners[key], amount, at="2026-04-15T12:00:00-03:00")
    return PayoutBatch.objects.get(period=date(2026, 3, 1))


def shoot(page, screenshot, name: str, language: str) -> None:
    """The page at 1280 px and at 390 px, then back to 1280: nothing may be wider than the screen at either width,
    except inside a scrolling table."""
    for width, suffix in ((1280, ""), (390, "-phone")):
        page.set_viewport_size({"width": width, "height": 844 if width == 390 else 800})
        screenshot(page, f"console-transfer-files-{name}-{language}{suffix}")
        overflow = page.evaluate(
            "() => [...document.querySelectorAll('main *')].filter(e => !e.closest('.table-wrap')"
            " && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
            ".map(e => e.outerHTML.slice(0, 80))")
        assert overflow == [], (name, width, overflow)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width, (name, width)
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.mark.parametrize("language", ["en", "pt-br", "es"])
def test_finance_approves_the_batch_and_exports_every_file(browser, live_server, screenshot, program, language):
    batch = program
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800},
                                  locale=LOCALES[language], accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, "fin", PASSWORD, totp_key_hex=finance_user("fin"))
    page.wait_for_url("**/console/")

    page.goto("/console/close/")
    assert NO_METHOD[language] in page.locator("main section.no-method").inner_text()
    shoot(page, screenshot, "start", language)

    page.goto("/console/close/2026-04/")
    notice = page.locator("main section.no-method")
    assert NO_METHOD[language] in notice.inner_text()
    assert notice.locator("a").inner_text() == "Parceira Sem Conta Cadastrada"
    shoot(page, screenshot, "preview", language)

    page.goto(f"/console/batches/{batch.pk}/")
    rows = page.locator("main table.transfer-files tbody tr")
    assert rows.count() == 5
    assert [rows.nth(n).locator("th").inner_text() for n in range(5)] == FILES[language]
    assert page.locator(f"main form[action='/console/batches/{batch.pk}/export-all/']").count() == 0
    shoot(page, screenshot, "batch", language)

    assert batch_state(batch).required_approvals == 1  # every total is under the second-approval limit
    page.click(f"main form[action='/console/batches/{batch.pk}/approve/'] button[type=submit]")
    page.locator("main section.confirm").wait_for()
    page.click("main form button[type=submit]:not(.secondary)")
    page.wait_for_url(f"**/console/batches/{batch.pk}/")
    assert BatchApproval.objects.filter(batch=batch).count() == 1
    currencies = page.locator("main select[name=currency] option")  # two currencies of international transfers
    assert [currencies.nth(n).get_attribute("value") for n in range(currencies.count())] == ["", "MXN", "USD"]
    shoot(page, screenshot, "approved", language)

    page.get_by_role("button", name=EXPORT_ALL[language]).click()
    page.wait_for_url(f"**/console/batches/{batch.pk}/#transfer-files")
    result = page.locator("main section.result")
    assert WRITTEN[language] in result.inner_text()
    exports = list(BatchExport.objects.filter(batch=batch).order_by("pk"))
    assert sorted(e.kind for e in exports) == ["cnab", "cnab_ted", "intl", "intl", "spei"]
    links = result.locator("ul.files a")
    assert sorted(links.nth(n).inner_text() for n in range(links.count())) == sorted(e.filename for e in exports)
    with page.expect_download() as info:
        result.locator("ul.files a", has_text="-spei-").click()
    assert Path(info.value.path()).read_text(encoding="utf-8").count("\n") == 2  # the header and one payment
    assert [rows.nth(n).locator("td").last.inner_text() for n in range(5)] == ["2", "1", "1", "1", "1"]
    shoot(page, screenshot, "exported", language)
    context.close()
