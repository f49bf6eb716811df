"""File downloads: the one way a page or an API route answers with a file to save (Content-Disposition:
attachment, the file name quoted or RFC 5987-encoded by Django, and `nosniff` so a browser never reads the
file as something else)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"
TEXT = "text/plain; charset=utf-8"


def attachment(content: bytes | str, *, content_type: str, filename: str) -> HttpResponse:
    """`content` as a download named `filename`."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
