"""Data-subject requests in a real browser: a partner user asks for a copy of their data in the portal; the
administrator finds the request in the console, searches, downloads the JSON export once and answers. Screenshots at
1280 px in pt-BR and 390 px in English (var/screenshots/privacy-*.png); Spanish is driven by the consents' browser
test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parceria.accounts.services import user_create
from parceria.privacy.models import DataSubjectRequest
from tests.browser.conftest import sign_in, staff_page
from tests.factories import ACTOR, make_partner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"


@pytest.mark.parametrize(("width", "locale", "name", "sent", "downloaded"), [
    (1280, "pt-BR", "privacy", "Sua solicitação foi registrada", "Exportação baixada"),
    (390, "en", "privacy-en-phone", "Your request is registered", "Export downloaded"),
])
def test_a_person_asks_for_their_data_and_the_administrator_exports_it_once(
        browser, live_server, screenshot, width, locale, name, sent, downloaded):
    partner = make_partner(name="Clínica Aurora")
    user_create(username="lia@aurora.example", password=PASSWORD, role="partner_admin", partner=partner,
                email="lia@aurora.example", actor=ACTOR)
    portal_ctx = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800},
                                     locale=locale)
    portal_ctx.set_default_timeout(15_000)
    portal = portal_ctx.new_page()
    console_ctx, console = staff_page(browser, live_server, width, locale, username="dpo", role="admin")
    try:
        sign_in(portal, "lia@aurora.example", PASSWORD)
        portal.wait_for_url("**/portal/")
        portal.goto("/portal/privacy/requests/")
        portal.check("input[name=kind][value=access]")
        portal.click("form.dsr-start button[type=submit]")
        assert sent in portal.inner_text("main")
        screenshot(portal, f"{name}-portal-requests")
        req = DataSubjectRequest.objects.get()
        assert (req.kind, req.channel, req.subject_email) == ("access", "portal", "lia@aurora.example")

        console.goto("/console/privacy/")
        screenshot(console, f"{name}-console-hub")
        console.goto("/console/privacy/requests/")
        console.click(f"a[href='/console/privacy/requests/{req.pk}/']")
        console.click(f"form[action$='/requests/{req.pk}/search/'] button")
        assert console.locator("table.dsr-found tbody tr").count() >= 2
        screenshot(console, f"{name}-console-request")
        with console.expect_download() as info:
            console.click(f"form[action$='/requests/{req.pk}/download/'] button")
        body = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
        assert body["subject"]["email"] == "lia@aurora.example"
        assert any(r["fields"].get("email") == "lia@aurora.example" for r in body["records"]["partner_user"])
        console.reload()
        assert downloaded in console.inner_text("main")
        assert console.locator(f"form[action$='/requests/{req.pk}/download/']").count() == 0
        console.fill("#id_answer", "Cópia enviada por e-mail.")
        console.click("form.card button[type=submit]")
        req.refresh_from_db()
        assert req.status == "answered"
        screenshot(console, f"{name}-console-answered")
    finally:
        portal_ctx.close()
        console_ctx.close()
