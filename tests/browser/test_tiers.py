"""Tiers in a real browser: a partner manager runs a tier assessment from the console, confirms it and sees the
partner promoted; the partner then sees its new tier and what is missing for the next one in the portal (pt-BR).
Screenshots go to var/screenshots/."""

from __future__ import annotations

import importlib
from datetime import datetime, time, timedelta

import pytest
from django.apps import apps
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import user_create
from parceria.partners.models import Partner, TierAssessment
from parceria.tiers.calendar import last_full_quarter
from tests.browser.conftest import sign_in
from tests.enablement.conftest import PASSWORD, partner_user
from tests.factories import ACTOR, make_customer, make_partner
from tests.tiers.conftest import monthly, train

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def certified_figures_today() -> Partner:
    """Training complete, 5 referrals in the last full quarter and one customer paying R$ 1.000,00 a month now:
    Certified, with an ARR of R$ 12.000,00 (R$ 38.000,00 short of Preferred)."""
    importlib.import_module("parceria.partners.migrations.0006_tiers").load(apps, None)
    now = timezone.now()
    today = timezone.localdate(now)
    partner = make_partner(name="Aurora Consultoria")
    train(partner, now - timedelta(days=30))
    first, _last = last_full_quarter(today)
    customers = [make_customer(partner, attributed_at=f"{first + timedelta(days=10 + n)}T10:00:00-03:00")
                 for n in range(5)]
    month = today.replace(day=1)
    month_end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    paid_at = max(now - timedelta(hours=2), datetime.combine(month, time.min, tzinfo=timezone.get_default_timezone()))
    monthly(customers[0], "1000.00", paid_at=paid_at.isoformat(), period=(month.isoformat(), month_end.isoformat()))
    return partner


def test_a_manager_promotes_a_partner_who_then_sees_its_tier_and_what_is_missing(page, browser, live_server,
                                                                                  screenshot):
    partner = certified_figures_today()
    member = partner_user(partner, "bia@aurora", "partner_admin")
    manager = user_create(username="pm", password=PASSWORD, role="partner_manager", email="pm@example.com",
                          actor=ACTOR)
    key = TOTPDevice.objects.create(user=manager, name="phone", confirmed=True).key

    sign_in(page, "pm", PASSWORD, totp_key_hex=key)
    page.wait_for_url("**/console/")
    page.get_by_role("link", name="Níveis").click()
    page.wait_for_url("**/console/tiers/")
    assert "Nenhum parceiro foi avaliado ainda" in page.locator("main").inner_text()
    page.locator("#assess-form button").click()
    confirm = page.locator("section.confirm")
    confirm.wait_for()
    assert "Todos os parceiros ativos (1) são avaliados" in confirm.inner_text()
    screenshot(page, "console-tiers-confirm")
    confirm.get_by_role("button", name="Avaliar níveis agora").click()
    page.wait_for_url("**/console/tiers/")
    message = page.locator("ul.messages li").first
    message.wait_for()
    assert "Parceiros avaliados: 1; promovidos: 1, rebaixados: 0, sem mudança: 0" in message.inner_text()
    row = page.locator(f"tr[data-partner='{partner.pk}']")
    assert "Promovido" in row.locator("td.change").inner_text()
    assert row.locator("td.tier-now").inner_text() == "Certificado"
    assert "Faltam R$ 38.000,00 de ARR" in row.inner_text()
    screenshot(page, "console-tiers-assessed")
    partner.refresh_from_db()
    assert partner.tier == "certified" and TierAssessment.objects.get(partner=partner).change == "promoted"

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800}, locale="pt-BR")
    context.set_default_timeout(15_000)
    portal = context.new_page()
    try:
        sign_in(portal, member.username, PASSWORD)
        portal.wait_for_url("**/portal/")
        assert "Faltam" not in portal.locator("#tier-next").inner_text()
        assert "Ainda faltam 3 requisitos." in portal.locator("#tier-next").inner_text()
        portal.get_by_role("link", name="Ver seu progresso de nível").click()
        portal.wait_for_url("**/portal/tier/")
        assert portal.locator("#current-tier-title").inner_text() == "Nível atual: Certificado"
        assert portal.locator("#next-tier-title").inner_text() == "Próximo nível: Preferencial"
        arr = portal.locator("tr[data-metric='arr']")
        assert arr.locator("td").nth(0).inner_text() == "R$ 12.000,00"
        assert arr.locator("td.missing").inner_text() == "Faltam R$ 38.000,00 de ARR"
        assert portal.locator("tr[data-benefit='commission_rate']").inner_text().split("\t")[1:] == [
            "20,00 %", "25,00 %"]
        screenshot(portal, "portal-tier")
    finally:
        context.close()
