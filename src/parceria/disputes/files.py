"""Downloading a dispute's attachment, the same way from the API, the portal and the console.

The caller has found the attachment through its dispute (and the dispute through `scope_disputes`), so a user
of another partner never reaches this. The file goes out as a download (Content-Disposition: attachment) with
the content type fixed when it was checked on upload, and `nosniff` so a browser never reads it as something
else.
"""

from __future__ import annotations

from django.http import FileResponse

from parceria.common.errors import NotFound
from parceria.disputes.models import DisputeAttachment


def attachment_response(attachment: DisputeAttachment) -> FileResponse:
    """The attachment's file as a download; NotFound when the file is missing from storage."""
    try:
        stored = attachment.file.open("rb")
    except OSError:
        raise NotFound(f"the file of attachment {attachment.pk} is missing from storage") from None
    response = FileResponse(
        stored, as_attachment=True, filename=attachment.filename, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
