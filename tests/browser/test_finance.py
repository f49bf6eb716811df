"""Finance in a real browser, in Brazilian Portuguese, Spanish and English: the overview, and the close wizard
from the proposed month to the bank's return file, with a second approver. Screenshots of every step at desktop
(1280 px) and phone (390 px) width go to var/screenshots/ (console-finance-*-<language>[-phone].png)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import user_create
from parceria.commissions.engine import Posting
from parceria.commissions.ledger import ledger_post
from parceria.common.months import add_months, month_start
from parceria.payouts.close import period_close
from parceria.payouts.models import BatchApproval, Payout, PayoutBatch
from tests.browser.conftest import sign_in
from tests.factories import ACTOR, credit, make_partner
from tests.test_cnab import make_return

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"
LOCALES = {"pt-br": "pt-BR", "es": "es-ES", "en": "en-US"}
MARCH = {"pt-br": "Março de 2026", "es": "Marzo de 2026", "en": "March 2026"}
SECOND = {"pt-br": "A segunda aprovação precisa vir de outra pessoa",
          "es": "La segunda aprobación debe venir de otra persona",
          "en": "The second approval must come from a different approver"}


def staff(username: str) -> str:
    user = user_create(username=username, password=PASSWORD, role="finance", email=f"{username}@example.com",
                       actor=ACTOR)
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key


def line(partner, kind: str, amount: str, when: datetime) -> None:
    posting = Posting(partner.pk, kind, "referral", Decimal(amount), partner.currency, None,
                      None, f"{kind} {amount}", f"browser-{kind}:{partner.pk}:{amount}:{when.isoformat()}")
    ledger_post([(posting, {"occurred_at": when})], created_by="tests")


@pytest.fixture
def program(db):
    """A program with a year of accruals and clawbacks in BRL and USD, a March that is due, a BRL payout above
    the second-approval limit, a partner paid by TED (left out of the PIX file), and five partners left with fractions
    of a cent."""
    aurora = make_partner(name="Agência Aurora", legal_name="Aurora Marketing Digital Ltda", pix_key_type="email",
                          pix_key="financeiro@aurora.com.br")
    boreal = make_partner(name="Consultoria Boreal", tax_regime="pj_simples", payout_method="br_ted")
    yankee = make_partner(name="Yankee Partners LLC", country="US")
    credit(aurora, "61250.40")
    credit(boreal, "480.50")
    credit(yankee, "320.00")
    for n in range(5):
        credit(make_partner(name=f"Studio Fração {n}", pix_key_type="email", pix_key=f"s{n}@fracao.com.br"),
               "150.0050")
    now = timezone.now()
    this_month = month_start(timezone.localdate())
    for back in range(12):
        month = add_months(this_month, months=-back)
        when = datetime(month.year, month.month, 10, 12, tzinfo=timezone.get_current_timezone())
        when = min(when, now - timedelta(minutes=5))
        line(aurora, "accrual", f"{4200 + 310 * (back % 5)}.2500", when)
        line(yankee, "accrual", f"{180 + 25 * (back % 4)}.0000", when)
        if back % 3 == 1:
            line(aurora, "clawback", f"-{600 + 40 * back}.0000", when)
    period_close(month=date(2026, 2, 1), actor=ACTOR,
                 now=datetime(2026, 3, 5, 9, tzinfo=timezone.get_current_timezone()))
    return {"aurora": aurora, "boreal": boreal}


def context_for(browser, live_server, language: str):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800},
                                  locale=LOCALES[language], accept_downloads=True)
    context.set_default_timeout(15_000)
    return context


def shoot(page, screenshot, name: str, language: str) -> None:
    """The page at 1280 px and at 390 px, then back to 1280; nothing may be wider than the phone's screen except
    inside a scrolling table."""
    screenshot(page, f"console-finance-{name}-{language}")
    page.set_viewport_size({"width": 390, "height": 844})
    overflow = page.evaluate(
        "() => [...document.querySelectorAll('main *')].filter(e => !e.closest('.table-wrap, .chart')"
        " && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
        ".map(e => e.outerHTML.slice(0, 80))")
    # nothing widens the page (the chart redraws at the new width on its next frame: wait for it)
    page.wait_for_function("() => document.documentElement.scrollWidth <= 390", timeout=5_000)
    screenshot(page, f"console-finance-{name}-{language}-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    assert overflow == [], (name, overflow)


@pytest.mark.parametrize("language", ["pt-br", "es", "en"])
def test_the_close_wizard_proposes_the_month_and_asks_for_a_second_approver(browser, live_server, screenshot,
                                                                             program, language):
    first = context_for(browser, live_server, language)
    page = first.new_page()
    sign_in(page, "fin", PASSWORD, totp_key_hex=staff("fin"))
    page.wait_for_url("**/console/")
    page.locator("#finance-chart").wait_for()
    page.wait_for_function("() => document.querySelector('#finance-chart').width > 0")
    assert MARCH[language] in page.locator("#next-close").inner_text()
    shoot(page, screenshot, "home", language)

    page.click("#next-close a.button")
    page.wait_for_url("**/console/close/2026-03/")
    page.goto("/console/close/")
    proposal = page.locator("#proposed-month")
    assert MARCH[language] in proposal.inner_text()
    assert page.input_value("main input[name=month]") == "2026-03"
    shoot(page, screenshot, "1-start", language)

    page.click("section.close-due a.button")
    page.wait_for_url("**/console/close/2026-03/")
    assert page.locator("main p.carried-small").count() == 1
    shoot(page, screenshot, "2-preview", language)

    page.click("main form[action='/console/close/2026-03/'] button[type=submit]")
    page.wait_for_url("**/console/batches/*/")
    batch = PayoutBatch.objects.get(period=date(2026, 3, 1))
    assert "R$" in page.locator("ul.messages").inner_text()
    shoot(page, screenshot, "3-batch", language)

    page.click(f"main form[action='/console/batches/{batch.pk}/approve/'] button[type=submit]")
    page.locator("main section.confirm").wait_for()
    shoot(page, screenshot, "4-approve-confirm", language)
    page.click("main form button[type=submit]:not(.secondary)")
    page.wait_for_url(f"**/console/batches/{batch.pk}/")
    assert SECOND[language] in page.locator("#second-approver").inner_text()
    assert page.locator(f"main form[action='/console/batches/{batch.pk}/approve/']").count() == 0
    page.goto(f"/console/batches/{batch.pk}/approve/")  # GET on the confirmation URL: back, with the reason
    page.wait_for_url(f"**/console/batches/{batch.pk}/")
    assert SECOND[language] in page.locator("ul.messages").inner_text()
    assert BatchApproval.objects.count() == 1
    shoot(page, screenshot, "5-second-approver", language)
    first.close()

    second = context_for(browser, live_server, language)
    page = second.new_page()
    sign_in(page, "fin2", PASSWORD, totp_key_hex=staff("fin2"))
    page.wait_for_url("**/console/")
    page.goto(f"/console/batches/{batch.pk}/")
    page.click(f"main form[action='/console/batches/{batch.pk}/approve/'] button[type=submit]")
    page.click("main form button[type=submit]:not(.secondary)")
    page.wait_for_url(f"**/console/batches/{batch.pk}/")
    assert BatchApproval.objects.count() == 2
    page.select_option("main select[name=kind]", "cnab")
    page.click(f"main form[action='/console/batches/{batch.pk}/export/'] button[type=submit]")
    result = page.locator("main section.result")
    assert "Consultoria Boreal" in result.inner_text() and "#" not in result.locator("ul.exceptions").inner_text()
    with page.expect_download() as info:
        result.locator("a.button").click()
    remittance = Path(info.value.path()).read_bytes().decode("latin-1")
    shoot(page, screenshot, "6-exported", language)

    aurora = Payout.objects.get(partner=program["aurora"], batch=batch)
    codes = {str(p.pk): "00" for p in batch.payouts.filter(currency="BRL").exclude(partner=program["boreal"])}
    codes[str(aurora.pk)] = "RJ"
    answer = make_return(remittance, codes)
    page.set_input_files("main input[name=file]", files=[{"name": "RET001.ret", "mimeType": "text/plain",
                                                          "buffer": answer.encode("latin-1")}])
    page.click(f"main form[action='/console/batches/{batch.pk}/return/'] button[type=submit]")
    page.locator("main dl.report").wait_for()
    shoot(page, screenshot, "7-return", language)

    page.goto(f"/console/payouts/{batch.payouts.get(partner=program['boreal']).pk}/mark/")
    shoot(page, screenshot, "8-mark", language)
    page.select_option("main select[name=status]", "paid")
    page.click("main form button[type=submit]")
    page.locator("main section.confirm").wait_for()
    page.click("main form button[type=submit]:not(.secondary)")
    page.wait_for_url(f"**/console/batches/{batch.pk}/")
    assert "R$ 480" in page.locator("ul.messages").inner_text()
    page.goto("/console/")
    shoot(page, screenshot, "home-after", language)
    second.close()
