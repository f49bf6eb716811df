"""What the console and the portal pages of the asset library share: answering with a stored file."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from parceria.common.downloads import attachment
from parceria.marketing.models import AssetVersion


def preview_response(version: AssetVersion | None) -> HttpResponse:
    """A version's preview PNG, shown inline (nosniff, private cache)."""
    if version is None or not version.preview:
        raise Http404("no preview")
    with version.preview.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response


def file_bytes(version: AssetVersion) -> bytes:
    with version.file.open("rb") as handle:
        return handle.read()


def file_response(version: AssetVersion, content: bytes | None = None, *, suffix: str = "") -> HttpResponse:
    name = version.file_name
    if suffix:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem or ext}{suffix}.{ext if dot else 'pdf'}"
    return attachment(file_bytes(version) if content is None else content, content_type=version.content_type,
                      filename=name)
