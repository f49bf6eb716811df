"""Dispute attachments in the browser: a partner user uploads to its own dispute and downloads its files; staff do
the same in the console. A bad file gets a message beside the field and nothing is stored; another partner's user
gets 404; the analyst reads but cannot upload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parceria.common.audit import Actor
from parceria.common.models import AuditRecord
from parceria.disputes.models import DisputeAttachment
from parceria.disputes.services import dispute_attachment_add, dispute_withdraw
from tests.factories import staff_client
from tests.portal.conftest import client_for
from tests.portal.test_forms import assert_error_beside

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
CSV = "invoice,amount\ninv_alfa,4000.00\nnota fiscal nº 12,1.00\n".encode()
MAX = 10 * 1024 * 1024


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files() -> list[Path]:
    root = Path(DisputeAttachment._meta.get_field("file").storage.location)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def stored() -> tuple[Any, ...]:
    return (list(DisputeAttachment.objects.values_list("pk", flat=True)), stored_files(),
            AuditRecord.objects.count())


def download_body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "content_type"), [
    ("nota fiscal.pdf", PDF, "application/pdf"),
    ("tela.png", PNG, "image/png"),
    ("foto.JPG", JPEG, "image/jpeg"),
    ("linhas.csv", CSV, "text/csv"),
])
def test_a_partner_user_attaches_a_file_and_downloads_it(world, name, content, content_type):
    a = world["a"]
    client = client_for(a.member)
    response = client.post(f"/portal/disputes/{a.dispute.pk}/attach/", {"file": upload(name, content)})
    assert response.status_code == 302 and response["Location"] == f"/portal/disputes/{a.dispute.pk}/"
    attachment = DisputeAttachment.objects.get(dispute=a.dispute)
    shown = name.replace(" ", "_")
    assert (attachment.filename, attachment.content_type, attachment.size, attachment.is_staff) == (
        shown, content_type, len(content), False)
    assert attachment.uploaded_by_label == "user:member-a@example.com"
    assert AuditRecord.objects.filter(action="dispute.attachment_added", object_id=str(a.dispute.pk)).count() == 1

    page = client.get(f"/portal/disputes/{a.dispute.pk}/").content.decode()
    link = f'href="/portal/disputes/{a.dispute.pk}/attachments/{attachment.pk}/"'
    assert link in page and f">{shown}</a>" in page

    download = client.get(f"/portal/disputes/{a.dispute.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == content_type
    assert download["Content-Disposition"] == f'attachment; filename="{shown}"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download_body(download) == content


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "message"), [
    ("grande.pdf", PDF + b"0" * (MAX - len(PDF) + 1), "attachments may be at most 10 MB; this one has 10485761 bytes"),
    ("programa.exe", b"MZ\x90\x00", "attachments must be PDF, PNG, JPEG or CSV files"),
    ("sem extensao", PDF, "attachments must be PDF, PNG, JPEG or CSV files"),
    ("nota.pdf", PNG, "the file&#x27;s content is not a PDF file"),
    ("tela.png", PDF, "the file&#x27;s content is not a PNG file"),
    ("dados.csv", b"a,b\n\x00\x01\x02", "a CSV file must be text (UTF-8 or Windows-1252) without NUL bytes"),
    ("vazio.pdf", b"", "The submitted file is empty."),
])
def test_a_bad_file_is_refused_beside_the_field_and_nothing_is_stored(world, name, content, message):
    a = world["a"]
    client, before = client_for(a.admin), stored()
    response = client.post(f"/portal/disputes/{a.dispute.pk}/attach/", {"file": upload(name, content)})
    assert_error_beside(response, "file", message)
    assert stored() == before


@pytest.mark.django_db
def test_no_file_at_all_is_refused_beside_the_field(world):
    a = world["a"]
    client, before = client_for(a.admin), stored()
    assert_error_beside(client.post(f"/portal/disputes/{a.dispute.pk}/attach/", {}), "file", "This field is required")
    assert stored() == before


@pytest.mark.django_db
def test_a_closed_dispute_takes_no_more_files(world):
    a = world["a"]
    dispute_withdraw(dispute=a.dispute, actor=Actor.system("tests"))
    client, before = client_for(a.admin), stored()
    response = client.post(f"/portal/disputes/{a.dispute.pk}/attach/", {"file": upload("nota.pdf", PDF)})
    assert_error_beside(response, "file", f"dispute #{a.dispute.pk} is withdrawn: it is closed")
    assert stored() == before
    assert "Upload the file" not in client.get(f"/portal/disputes/{a.dispute.pk}/").content.decode()


@pytest.mark.django_db
def test_another_partners_user_gets_404_for_the_upload_and_the_download(world):
    a, b = world["a"], world["b"]
    attachment = dispute_attachment_add(dispute=a.dispute, filename="segredo.pdf", content=upload("segredo.pdf", PDF),
                                        actor=Actor.system("tests"), is_staff=False)
    before = stored()
    intruder = client_for(b.admin)
    response = intruder.post(f"/portal/disputes/{a.dispute.pk}/attach/", {"file": upload("intruso.pdf", PDF)})
    assert response.status_code == 404 and stored() == before
    download = intruder.get(f"/portal/disputes/{a.dispute.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 404 and PDF not in download.content
    # B's own dispute with A's attachment id: still 404
    assert intruder.get(f"/portal/disputes/{b.dispute.pk}/attachments/{attachment.pk}/").status_code == 404


@pytest.mark.django_db
def test_staff_attach_in_the_console_and_the_partner_downloads_it(world):
    a = world["a"]
    manager = staff_client("pm", "partner_manager")
    response = manager.post(f"/console/disputes/{a.dispute.pk}/attach/", {"file": upload("calculo.csv", CSV)})
    assert response.status_code == 302 and response["Location"] == f"/console/disputes/{a.dispute.pk}/"
    attachment = DisputeAttachment.objects.get(dispute=a.dispute)
    assert (attachment.is_staff, attachment.uploaded_by_label, attachment.content_type) == (True, "user:pm", "text/csv")
    page = manager.get(f"/console/disputes/{a.dispute.pk}/").content.decode()
    assert f'href="/console/disputes/{a.dispute.pk}/attachments/{attachment.pk}/"' in page
    staff_download = manager.get(f"/console/disputes/{a.dispute.pk}/attachments/{attachment.pk}/")
    assert staff_download["Content-Disposition"] == 'attachment; filename="calculo.csv"'
    assert staff_download["X-Content-Type-Options"] == "nosniff" and download_body(staff_download) == CSV

    partner_page = client_for(a.member).get(f"/portal/disputes/{a.dispute.pk}/").content.decode()
    assert "calculo.csv" in partner_page and "user:pm" not in partner_page and "Parceria team" in partner_page
    download = client_for(a.member).get(f"/portal/disputes/{a.dispute.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "text/csv"
    assert download_body(download) == CSV


@pytest.mark.django_db
def test_a_bad_file_in_the_console_is_refused_beside_the_field(world):
    a = world["a"]
    manager, before = staff_client("pm", "partner_manager"), stored()
    response = manager.post(f"/console/disputes/{a.dispute.pk}/attach/", {"file": upload("nota.pdf", JPEG)})
    assert_error_beside(response, "file", "the file&#x27;s content is not a PDF file")
    assert stored() == before


@pytest.mark.django_db
def test_the_analyst_downloads_but_cannot_upload(world):
    a = world["a"]
    attachment = dispute_attachment_add(dispute=a.dispute, filename="nota.pdf", content=upload("nota.pdf", PDF),
                                        actor=Actor.system("tests"), is_staff=False)
    analyst, before = staff_client("ana", "analyst"), stored()
    response = analyst.post(f"/console/disputes/{a.dispute.pk}/attach/", {"file": upload("outra.pdf", PDF)})
    assert response.status_code == 403 and stored() == before
    page = analyst.get(f"/console/disputes/{a.dispute.pk}/").content.decode()
    assert "nota.pdf" in page and 'enctype="multipart/form-data"' not in page
    download = analyst.get(f"/console/disputes/{a.dispute.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and download_body(download) == PDF


@pytest.mark.django_db
def test_an_attachment_of_another_dispute_is_not_found_in_the_console(world):
    a, b = world["a"], world["b"]
    attachment = dispute_attachment_add(dispute=a.dispute, filename="nota.pdf", content=upload("nota.pdf", PDF),
                                        actor=Actor.system("tests"), is_staff=False)
    manager = staff_client("pm", "partner_manager")
    assert manager.get(f"/console/disputes/{b.dispute.pk}/attachments/{attachment.pk}/").status_code == 404
