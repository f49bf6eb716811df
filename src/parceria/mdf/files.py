"""A claim's proof file as a download, for the portal and the console (found through the scoped request)."""

from __future__ import annotations

from django.http import FileResponse

from parceria.common.errors import NotFound
from parceria.mdf.models import ProofFile


def proof_response(proof: ProofFile) -> FileResponse:
    try:
        stored = proof.file.open("rb")
    except OSError:
        raise NotFound(f"the file of proof {proof.pk} is missing from storage") from None
    response = FileResponse(stored, as_attachment=True, filename=proof.filename, content_type=proof.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
