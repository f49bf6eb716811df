"""Co-marketing test helpers: small real files made at test time (a PDF by WeasyPrint, a PNG by Pillow)."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from parceria.accounts.services import user_create
from parceria.partners.models import Partner
from tests.factories import ACTOR

PASSWORD = "marketing password 4 tests"


def png_bytes(width: int = 800, height: int = 600, color: str = "#1f6feb") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


_pdf_cache: dict[str, bytes] = {}


def pdf_bytes(text: str = "Parceria co-marketing template") -> bytes:
    if text not in _pdf_cache:
        from weasyprint import HTML
        _pdf_cache[text] = HTML(string=f"<h1>{text}</h1><p>Page one.</p>"
                                       "<p style='page-break-before: always'>Page two.</p>").write_pdf()
    return _pdf_cache[text]


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def partner_user(partner: Partner, name: str, role: str = "partner_admin") -> Any:
    return user_create(username=name, email=f"{name}@example.com", password=PASSWORD, role=role, partner=partner,
                       actor=ACTOR)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client
