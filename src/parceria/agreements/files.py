"""Serving an attached agreement document (at most 10 MB, so read whole)."""

from __future__ import annotations

from django.http import HttpResponse

from parceria.agreements.models import AgreementDocument
from parceria.common.downloads import PDF, attachment


def pdf_download(document: AgreementDocument) -> HttpResponse:
    with document.file.open("rb") as handle:
        return attachment(handle.read(), content_type=PDF, filename=document.name)
