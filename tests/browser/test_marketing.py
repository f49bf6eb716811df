"""A partner's admin downloads a co-branded PDF from the portal's asset library in a real browser; the file saved
carries the partner's name, read back with pdftotext."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from parceria.common.audit import Actor
from parceria.marketing import services
from parceria.marketing.models import AssetDownload
from tests.browser.conftest import sign_in
from tests.factories import make_partner
from tests.marketing.conftest import PASSWORD, partner_user, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_a_partner_downloads_a_co_branded_pdf_with_its_name_on_it(page, screenshot, tmp_path):
    staff = Actor(label="user:staff")
    asset = services.asset_create(title="Parceria em uma página", kind="one_pager", language="pt-br",
                                  co_brandable=True, upload=upload("one-pager.pdf", pdf_bytes()), actor=staff,
                                  description="Material de uma página com o nome do parceiro.")
    services.asset_create(title="Kit de logotipos", kind="logo_pack", language="pt-br",
                          upload=upload("logo.png", png_bytes(640, 360)), actor=staff)
    admin = partner_user(make_partner(name="Aurora Digital Ltda"), "ana@aurora")
    sign_in(page, admin.username, PASSWORD)
    page.wait_for_url("**/portal/")
    page.goto("/portal/assets/")
    card = page.locator(f"main [data-asset='{asset.pk}']")
    assert card.locator("img.asset-thumb").evaluate("img => img.naturalWidth") > 0  # the preview was served
    screenshot(page, "portal-assets")
    with page.expect_download() as info:
        card.get_by_role("link", name="Baixar").click()
    saved = tmp_path / "co-branded.pdf"
    info.value.save_as(saved)
    text = subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, check=True, text=True).stdout
    assert "Aurora Digital Ltda" in text and "Parceria co-marketing template" in text
    assert AssetDownload.objects.get().co_branded is True
