from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfWriter

from parceria.mdf.services import Upload


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def receipt() -> Upload:
    return Upload("nota-fiscal.pdf", pdf_bytes())
