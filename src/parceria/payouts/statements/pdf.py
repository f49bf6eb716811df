"""Rendering a statement's HTML template as a printable PDF (WeasyPrint)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs time that other code paths need not pay

    pdf = HTML(string=render_to_string(template, context)).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
