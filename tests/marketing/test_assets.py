"""The asset library: uploads checked by content and size (nothing stored when refused), previews, tier visibility
in the portal (list and direct download), counted downloads, and co-branded PDFs read back with pdftotext."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import override_settings
from PIL import Image

from parceria.common.audit import Actor
from parceria.common.errors import InvalidInput
from parceria.marketing import services
from parceria.marketing.models import Asset, AssetDownload, AssetVersion
from tests.factories import make_partner, staff_client
from tests.marketing.conftest import client_for, partner_user, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db
STAFF = Actor(label="user:staff")


def _files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def new_asset(title: str = "Deck", *, data: bytes | None = None, name: str = "deck.pdf", **extra) -> Asset:
    return services.asset_create(title=title, kind=extra.pop("kind", "deck"), language=extra.pop("language", "pt-br"),
                                 upload=upload(name, data if data is not None else pdf_bytes()), actor=STAFF,
                                 **extra)


def test_a_png_renamed_pdf_and_a_fake_pdf_are_refused_with_nothing_stored(media_root):
    with pytest.raises(InvalidInput) as mismatch:
        new_asset("Renamed", data=png_bytes(), name="logo.pdf")
    assert (mismatch.value.code, mismatch.value.message) == (
        "type_mismatch", "the file is named .pdf but its content is PNG")
    asset = new_asset("Logo", data=png_bytes(), name="logo")  # no extension: the content decides
    version = asset.versions.get()
    assert (version.content_type, version.file.name.endswith(".png")) == ("image/png", True)
    with pytest.raises(InvalidInput) as refused:
        new_asset("Fake", data=b"%PDF-1.7 but not really a pdf", name="fake.pdf")
    assert refused.value.code == "unsupported_type"
    with pytest.raises(InvalidInput):
        new_asset("Zip", data=b"PK\x03\x04 not a zip", name="deck.pptx")
    assert list(Asset.objects.values_list("title", flat=True)) == ["Logo"]
    assert len(_files(media_root)) == 2  # the logo and its preview only


def test_a_png_renamed_pdf_is_refused_for_a_co_branded_asset_in_the_console(media_root):
    client = staff_client("pm", "partner_manager")
    response = client.post("/console/assets/", {"title": "Template", "kind": "template", "language": "pt-br",
                                                "co_brandable": "on", "file": upload("template.pdf", png_bytes())})
    assert response.status_code == 422 and "named .pdf but its content is PNG" in response.content.decode()
    assert not Asset.objects.exists() and not AssetVersion.objects.exists() and _files(media_root) == []


def test_an_over_limit_file_is_refused_and_nothing_is_stored(media_root):
    client = staff_client("pm", "partner_manager")
    with override_settings(MARKETING_ASSET_MAX_BYTES=1000):
        response = client.post("/console/assets/", {"title": "Big", "kind": "deck", "language": "en",
                                                    "file": upload("big.png", png_bytes())})
    assert response.status_code == 422 and "the limit is 1,000 bytes" in response.content.decode()
    assert not Asset.objects.exists() and _files(media_root) == []


def test_previews_are_real_pngs_of_the_image_and_of_the_pdfs_first_page():
    image = new_asset("Banner", data=png_bytes(800, 600), name="banner.png").versions.get()
    with image.preview.open("rb") as handle, Image.open(io.BytesIO(handle.read())) as preview:
        assert (preview.format, preview.size) == ("PNG", (480, 360))
    assert (image.preview_width, image.preview_height) == (480, 360)
    pdf = new_asset("Deck").versions.get()
    with pdf.preview.open("rb") as handle, Image.open(io.BytesIO(handle.read())) as preview:
        assert preview.format == "PNG" and max(preview.size) == 480
        assert preview.size[1] > preview.size[0]  # an A4 page, portrait
        assert preview.convert("L").getextrema()[0] < 128  # the heading's ink is there, not a blank page


def test_a_certified_partner_never_sees_a_preferred_only_asset():
    everyone = new_asset("For everyone")
    preferred = new_asset("For preferred", min_tier="preferred")
    certified = make_partner(tier="certified")
    client = client_for(partner_user(certified, "cert-admin"))
    page = client.get("/portal/assets/").content.decode()
    assert "For everyone" in page and "For preferred" not in page
    assert client.get(f"/portal/assets/{preferred.pk}/download/").status_code == 404
    assert client.get(f"/portal/assets/{preferred.pk}/preview/").status_code == 404
    assert not AssetDownload.objects.exists()
    assert client.get(f"/portal/assets/{everyone.pk}/download/").status_code == 200
    strategic = client_for(partner_user(make_partner(tier="strategic"), "strat-admin"))
    assert strategic.get(f"/portal/assets/{preferred.pk}/download/").status_code == 200
    suspended = client_for(partner_user(make_partner(tier="strategic", status="prospect"), "prospect-admin"))
    assert suspended.get(f"/portal/assets/{everyone.pk}/download/").status_code == 404


def test_downloads_are_counted_per_partner_and_user_across_versions():
    asset = new_asset("Case study", data=png_bytes(), name="case.png")
    p, q = make_partner(), make_partner()
    a1, a2, b1 = partner_user(p, "p-one"), partner_user(p, "p-two", "partner_member"), partner_user(q, "q-one")
    for user, times in ((a1, 2), (a2, 1), (b1, 1)):
        for _ in range(times):
            response = client_for(user).get(f"/portal/assets/{asset.pk}/download/")
            assert response.status_code == 200 and response["Content-Type"] == "image/png"
    services.asset_version_add(asset=asset, upload=upload("case-v2.png", png_bytes(color="#ff0000")), actor=STAFF)
    client_for(b1).get(f"/portal/assets/{asset.pk}/download/")
    rows = AssetDownload.objects.order_by("id")
    assert [(r.partner_id, r.user_id, r.version.number) for r in rows] == [
        (p.pk, a1.pk, 1), (p.pk, a1.pk, 1), (p.pk, a2.pk, 1), (q.pk, b1.pk, 1), (q.pk, b1.pk, 2)]
    page = staff_client("pm", "partner_manager").get(f"/console/assets/{asset.pk}/").content.decode()
    assert f'<td><a href="/console/partners/{p.pk}/">{p.name}</a></td><td class="num">3</td>' in page
    assert f'<td><a href="/console/partners/{q.pk}/">{q.name}</a></td><td class="num">2</td>' in page


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_a_co_branded_pdf_carries_the_partners_name_on_every_page_read_back_with_pdftotext(tmp_path):
    asset = new_asset("Co-branded one-pager", co_brandable=True, kind="one_pager")
    partner = make_partner(name="Agência Sol & Mar Ltda")
    admin = partner_user(partner, "sol-admin")
    client = client_for(admin)
    assert client.post("/portal/assets/brand/logo/", {"logo": upload("logo.png", png_bytes(200, 80))}
                       ).status_code == 302
    response = client.get(f"/portal/assets/{asset.pk}/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "out.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    pages = text.split("\f")
    assert "Parceria co-marketing template" in pages[0]
    assert [page.count("Agência Sol & Mar Ltda") for page in pages if page.strip()] == [1, 1]
    assert AssetDownload.objects.get().co_branded is True


def test_only_a_png_or_jpeg_logo_is_kept_and_only_the_partner_admin_sets_it():
    partner = make_partner()
    member = client_for(partner_user(partner, "member", "partner_member"))
    assert member.post("/portal/assets/brand/logo/", {"logo": upload("logo.png", png_bytes())}).status_code == 403
    admin = client_for(partner_user(partner, "admin"))
    admin.post("/portal/assets/brand/logo/", {"logo": upload("logo.png", pdf_bytes())})
    assert not partner.__class__.objects.get(pk=partner.pk).__dict__.get("brand")
    from parceria.marketing.models import PartnerBrand
    assert not PartnerBrand.objects.exists()


def _zip(types: str) -> bytes:
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("ppt/presentation.xml", "<p/>")
    return out.getvalue()


def test_an_office_file_is_recognised_by_its_content_types_and_a_plain_zip_is_refused():
    main = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
    deck = new_asset("Deck", data=_zip(f'<Types><Override ContentType="{main}"/></Types>'), name="deck.pptx")
    version = deck.versions.get()
    assert (version.content_type, version.file.name.endswith(".pptx"), bool(version.preview)) == (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", True, False)
    with pytest.raises(InvalidInput) as refused:
        new_asset("Zip", data=_zip("<Types/>"), name="deck.pptx")
    assert refused.value.code == "unsupported_type" and Asset.objects.count() == 1
