"""Serving an attached agreement document (at most 10 MB, so read whole)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from parceria.agreements.models import AgreementDocument


def pdf_download(document: AgreementDocument) -> HttpResponse:
    with document.file.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, document.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
