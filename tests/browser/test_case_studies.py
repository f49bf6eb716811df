"""Case studies in a real browser: a partner manager creates one for a partner and two of its customers, edits a
section (a new version), reads the document and downloads its PDF, nothing wider than the screen. Screenshots at
1280 and 390 px (var/screenshots/casestudy-*.png), in pt-BR, es and en."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import user_create
from parceria.analytics.models import CaseStudy
from tests.analytics.test_casestudies import _history
from tests.browser.conftest import sign_in
from tests.factories import ACTOR

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"


@pytest.mark.parametrize(("width", "locale", "texts", "name"), [
    (1280, "pt-BR", ("Estudos de caso", "Salvar como nova versão", "2 versões", "Resumo executivo"), "casestudy"),
    (390, "pt-BR", ("Estudos de caso", "Salvar como nova versão", "2 versões", "Resumo executivo"), "casestudy-phone"),
    (390, "es", ("Casos de éxito", "Guardar como nueva versión", "2 versiones", "Resumen ejecutivo"),
     "casestudy-es-phone"),
    (1280, "en", ("Case studies", "Save as a new version", "2 versions", "Executive summary"), "casestudy-en"),
])
def test_staff_generate_edit_and_download_a_case_study(browser, live_server, screenshot, width, locale, texts, name):
    list_heading, save_label, versions_label, summary = texts
    h = _history()
    user = user_create(username="pm", password=PASSWORD, role="partner_manager", email="pm@example.com", actor=ACTOR)
    key = TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale,
                                  accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()

    def fits() -> bool:
        return bool(page.evaluate("document.documentElement.scrollWidth") <= width)

    try:
        sign_in(page, "pm", PASSWORD, totp_key_hex=key)
        page.wait_for_url("**/console/")
        page.goto("/console/program/case-studies/")
        assert page.locator("h1").inner_text() == list_heading
        if width > 600:  # Program › Case studies, marked as the current page
            current = page.locator("#sidebar a[aria-current]")
            assert current.inner_text() == list_heading
            current.scroll_into_view_if_needed()
            page.screenshot(path=str(screenshot(page, f"{name}-list")))  # the viewport: the sidebar's end in view
        page.locator("main .page-head a.button").click()
        page.select_option("#id_partner", str(h["p"].pk))
        page.locator("main form.toolbar button[type=submit]").click()
        page.check(f"input[name=customers][value='{h['a'].pk}']")
        page.check(f"input[name=named][value='{h['a'].pk}']")
        page.check(f"input[name=customers][value='{h['b'].pk}']")
        page.fill(f"input[name=label_{h['b'].pk}]", "Uma clínica em SP")
        assert fits()
        screenshot(page, f"{name}-new")
        page.locator("main form.casestudy-form button[type=submit]").click()
        page.wait_for_url("**/case-studies/*/")
        study = CaseStudy.objects.get()

        page.fill("#id_challenge", "As lojas vendiam só no balcão.")
        page.get_by_role("button", name=save_label).click()
        page.wait_for_url(f"**/case-studies/{study.pk}/")
        assert study.versions.count() == 2
        assert page.get_by_role("link", name=versions_label).count() == 1
        assert fits()
        screenshot(page, f"{name}-detail")

        page.get_by_role("link", name=versions_label).click()
        page.wait_for_url("**/versions/")
        assert page.locator("main table tbody tr").count() == 2
        assert fits()
        screenshot(page, f"{name}-versions")

        page.goto(f"/console/program/case-studies/{study.pk}/document/")
        assert summary in page.locator("article").inner_text()
        assert "Loja Azul" in page.content() and "Clínica Bela" not in page.content()
        assert fits()
        screenshot(page, f"{name}-document")

        with page.expect_download() as download:
            page.locator(".doc-tools a").nth(1).click()
        assert download.value.suggested_filename.endswith(f"-v2-{locale.lower()}.pdf")
        with open(download.value.path(), "rb") as handle:
            assert handle.read(5) == b"%PDF-"
        download.value.save_as(screenshot(page, f"{name}-document").with_suffix(".pdf"))

        page.goto("/console/program/case-studies/")
        assert page.locator("main table tbody tr").count() == 1
        assert fits()
        screenshot(page, f"{name}-list-filled")
    finally:
        context.close()
