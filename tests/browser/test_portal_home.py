"""The partner home answers how much, when and why, in a real browser: earnings by status to the cent before and
after a close, the next payout with its net amount, date and masked PIX key; and a ledger line's status through
its payout (open, in payout #N, paid on …; failed). Screenshots at 1280 and 390 px in pt-BR, es and en:
var/screenshots/portal-home-{before,after}-<lang>[-phone].png, portal-commissions-<lang>[-phone].png,
portal-line-<lang>[-phone].png."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import formats, timezone, translation

from parceria.accounts.services import user_create
from parceria.commissions.models import LedgerLine
from parceria.common.months import add_months, month_start
from parceria.payouts.close import payout_due_date, period_close
from parceria.payouts.models import Payout, PayoutStatus
from parceria.payouts.services import payout_mark
from tests.browser.conftest import sign_in
from tests.factories import credit, ingest, make_customer, make_partner, paid
from tests.portal.conftest import ACTOR, PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LANGUAGES = {"pt-BR": "pt-br", "es": "es", "en": "en"}


def day(moment, language: str) -> str:
    with translation.override(language):
        return formats.date_format(moment, "SHORT_DATE_FORMAT")


@pytest.fixture
def home(transactional_db):
    """Last month: an adjustment of R$ 1,000.00 and 25 % of an invoice of R$ 934.24 (R$ 233.56); this month 25 % of
    R$ 400.00 (R$ 100.00). No month is closed yet. PIX key: a mobile phone."""
    this = month_start(timezone.localdate())
    last = add_months(this, months=-1)
    last_day = timezone.make_aware(datetime(last.year, last.month, 10, 12, 0))
    partner = make_partner(name="Alfa Consultoria", legal_name="Alfa Consultoria Ltda", tier="preferred",
                           pix_key_type="phone", pix_key="+5511987654321")
    customer = make_customer(partner, name="Padaria Alfa", external_id="cus_alfa")
    credit(partner, "1000.00", at=last_day, note="Launch bonus")
    ingest(paid(customer, "934.24", invoice_id="inv_alfa_1", at=(last_day + timedelta(days=2)).isoformat()))
    ingest(paid(customer, "400.00", invoice_id="inv_alfa_2", at=(timezone.now() - timedelta(minutes=5)).isoformat()))
    user = user_create(username="alfa@example.com", email="alfa@example.com", password=PASSWORD,
                       role="partner_member", partner=partner, actor=ACTOR)
    return partner, user, last


def open_page(browser, live_server, locale: str, width: int = 1280):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def shoot(page, screenshot, name: str) -> None:
    """Desktop and phone screenshots of the page as it is (the phone in a new 390-px window with the same session,
    so that the page is laid out for it from the start); nothing wider than the phone's screen."""
    screenshot(page, name)
    browser = page.context.browser
    phone = browser.new_context(base_url=page.url.split("/portal/")[0], viewport={"width": 390, "height": 800},
                                locale=page.evaluate("navigator.language"),
                                storage_state=page.context.storage_state())
    try:
        small = phone.new_page()
        small.goto(page.url)
        if small.locator("#earnings-chart").count():
            small.wait_for_function("document.getElementById('earnings-chart').width > 0")
        for summary in small.locator("details summary").all():
            if summary.is_visible() and "how-computed" in (summary.evaluate("e => e.parentElement.id") or ""):
                summary.click()
        screenshot(small, f"{name}-phone")
        assert small.evaluate("document.documentElement.scrollWidth") <= 390, name
        for wrap in small.locator(".table-wrap").all():  # no table clipped inside its scrolling frame either
            assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth"), name
    finally:
        phone.close()


def earning(page, status: str) -> str:
    return page.locator(f"#earnings [data-status={status}] .value").inner_text()


@pytest.mark.parametrize("locale", list(LANGUAGES))
def test_the_home_before_and_after_the_close(browser, live_server, screenshot, home, locale):
    partner, user, last = home
    language = LANGUAGES[locale]
    money = {  # R$ amounts as each language writes them
        "pt-br": lambda text: "R$ " + text.replace(",", "X").replace(".", ",").replace("X", "."),
        "es": lambda text: "R$ " + text.replace(",", "X").replace(".", ",").replace("X", "."),
        "en": lambda text: "R$ " + text,
    }[language]
    context, page = open_page(browser, live_server, locale)
    try:
        sign_in(page, user.username, PASSWORD)
        page.wait_for_url("**/portal/")
        # Before the close: everything is pending; the close of last month would pay its R$ 1,233.56 less IRRF
        # (1.5 %, R$ 18.50), to the masked phone key, by 30 days after the month's end.
        assert [earning(page, s) for s in ("pending", "approved", "paid", "carried")] == [
            money("1,333.56"), money("0.00"), money("0.00"), money("0.00")]
        assert page.locator("#next-payout .value").inner_text() == money("1,215.06")
        assert day(payout_due_date(last), language) in page.locator("#next-payout .next-close").inner_text()
        assert "••••••••••4321" in page.locator("#next-payout .pix-key").inner_text()
        assert "+5511987654321" not in page.content()
        shoot(page, screenshot, f"portal-home-before-{language}")

        period_close(month=last, actor=ACTOR, now=timezone.now())
        payout = Payout.objects.get(partner=partner)
        assert (payout.gross, payout.net) == (Decimal("1233.5600"), Decimal("1215.0600"))
        page.reload()
        # After: last month's R$ 1,233.56 is approved (in payout #N, pending); this month's R$ 100.00 pending.
        assert [earning(page, s) for s in ("pending", "approved", "paid", "carried")] == [
            money("100.00"), money("1,233.56"), money("0.00"), money("0.00")]
        assert page.locator("#next-payout .value").inner_text() == money("1,215.06")
        due = day(payout.due_date, language)
        assert page.locator("#next-payout .pending-payout").inner_text().endswith(f"{due}.")
        key_line = page.locator("#next-payout .pix-key").inner_text()
        assert re.search(rf"(#|nº |n\.º ){payout.pk} ", key_line) and "••••••••••4321" in key_line
        assert page.locator("#earnings [data-status=approved] a").get_attribute("href").endswith(
            f"#payout-{payout.pk}")
        shoot(page, screenshot, f"portal-home-after-{language}")

        payout_mark(payout=payout, status=PayoutStatus.PAID, source="bank", actor=ACTOR)
        page.reload()
        assert [earning(page, s) for s in ("pending", "approved", "paid", "carried")] == [
            money("100.00"), money("0.00"), money("1,233.56"), money("0.00")]
        # Paid: the next payout is this month's R$ 100.00 (the minimum; IRRF of R$ 1.50 is not withheld).
        assert page.locator("#next-payout .value").inner_text() == money("100.00")
        assert day(payout_due_date(month_start(timezone.localdate())), language) in page.locator(
            "#next-payout .next-close").inner_text()
    finally:
        context.close()


def status_of(page, line: LedgerLine) -> str:
    page.goto(f"/portal/commissions/{line.pk}/")
    return page.locator("#line-status").inner_text().split("\n")[0].strip()


@pytest.mark.parametrize("locale", list(LANGUAGES))
def test_a_lines_status_through_its_payout(browser, live_server, screenshot, home, locale):
    partner, user, last = home
    language = LANGUAGES[locale]
    words = {
        "pt-br": ("Em aberto", "No pagamento nº {n}", "Paga em {day}", "Pagamento nº {n} falhou"),
        "es": ("Abierta", "En el pago n.º {n}", "Pagada el {day}", "Pago n.º {n} fallido"),
        "en": ("Open", "In payout #{n}", "Paid on {day}", "Payout #{n} failed"),
    }[language]
    accrual = LedgerLine.objects.get(partner=partner, kind="accrual", invoice_id="inv_alfa_1")
    context, page = open_page(browser, live_server, locale)
    try:
        sign_in(page, user.username, PASSWORD)
        page.wait_for_url("**/portal/")
        assert status_of(page, accrual) == words[0]

        period_close(month=last, actor=ACTOR, now=timezone.now())
        payout = Payout.objects.get(partner=partner)
        assert status_of(page, accrual) == words[1].format(n=payout.pk)
        link = page.locator("#line-status a")
        assert link.get_attribute("href") == f"/portal/payouts/#payout-{payout.pk}"
        # The line's page: two decimals and the rate as a percentage at the top, the formula below.
        assert page.locator("#line-amount").inner_text() == {"en": "R$ 233.56"}.get(language, "R$ 233,56")
        assert page.locator("#line-rate").inner_text() == ("25%" if language == "en" else "25 %")
        assert "Padaria Alfa" in page.locator("#line-explanation").inner_text()
        assert "0.250000" not in page.locator("main .line-summary").inner_text()
        page.locator("#how-computed summary").click()
        assert "R$ 233" in page.locator("#how-computed").inner_text()
        shoot(page, screenshot, f"portal-line-{language}")

        payout_mark(payout=payout, status=PayoutStatus.PAID, source="bank", actor=ACTOR)
        paid_on = day(timezone.localdate(), language)
        assert status_of(page, accrual) == words[2].format(day=paid_on)

        page.goto("/portal/commissions/")
        rows = page.locator("tbody tr")
        assert rows.count() == 4  # this month's accrual, the payout, last month's accrual and adjustment
        assert page.locator("#ledger-total td").inner_text() == {"en": "R$ 100.00"}.get(language, "R$ 100,00")
        page.goto("/portal/commissions/?kind=accrual")
        assert page.locator("#ledger-total td").inner_text() == {"en": "R$ 333.56"}.get(language, "R$ 333,56")
        page.goto("/portal/commissions/")
        shoot(page, screenshot, f"portal-commissions-{language}")
    finally:
        context.close()


def test_a_failed_payout_shows_on_the_line_and_on_the_home(browser, live_server, screenshot, home):
    partner, user, last = home
    accrual = LedgerLine.objects.get(partner=partner, kind="accrual", invoice_id="inv_alfa_1")
    period_close(month=last, actor=ACTOR, now=timezone.now())
    payout = Payout.objects.get(partner=partner)
    payout_mark(payout=payout, status=PayoutStatus.FAILED, source="bank", reference="conta encerrada", actor=ACTOR)
    context, page = open_page(browser, live_server, "pt-BR")
    try:
        sign_in(page, user.username, PASSWORD)
        page.wait_for_url("**/portal/")
        # The failed R$ 1,233.56 is back on the balance, carried, and the next close pays it with this month's.
        assert [earning(page, s) for s in ("pending", "approved", "paid", "carried")] == [
            "R$ 100,00", "R$ 0,00", "R$ 0,00", "R$ 1.233,56"]
        assert page.locator('#earnings .carried-part[data-reason="failed_payout"]').inner_text().startswith(
            f"R$ 1.233,56: o pagamento nº {payout.pk} falhou")
        assert page.locator("#next-payout .value").inner_text() == "R$ 1.313,56"  # 1,333.56 less IRRF 20.00
        screenshot(page, "portal-home-failed")
        assert status_of(page, accrual) == f"Pagamento nº {payout.pk} falhou"
    finally:
        context.close()


@pytest.mark.parametrize(("locale", "country"), [("pt-BR", "Brasil"), ("es", "Brasil"), ("en", "Brazil")])
def test_the_profile_shows_the_tax_id_country_and_pix_key_formatted(browser, live_server, screenshot, home, locale,
                                                                  country):
    partner, user, _last = home
    context, page = open_page(browser, live_server, locale)
    try:
        sign_in(page, user.username, PASSWORD)
        page.goto("/portal/profile/")
        tax_id = page.locator("#profile-tax-id").inner_text()
        digits = partner.tax_id
        assert tax_id == f"CNPJ {digits[:2]}.{digits[2:5]}.{digits[5:8]}/{digits[8:12]}-{digits[12:]}"
        assert page.locator("#profile-country").inner_text() == country
        assert "+55 (11) 98765-4321" in page.locator("main").inner_text()
        shoot(page, screenshot, f"portal-profile-{LANGUAGES[locale]}")
    finally:
        context.close()
