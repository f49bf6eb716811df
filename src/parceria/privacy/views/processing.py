"""The record of processing in the console (/console/privacy/processing/, LGPD art. 37): the version in force, an
earlier one by `?version=`, and the whole version as CSV, Excel or JSON (`?export=csv|xlsx|json`). Staff only."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.common.downloads import attachment
from parceria.privacy.processing_data import (
    VERSIONS,
    ProcessingEntry,
    ProcessingVersion,
    version_in_force,
    version_named,
)
from parceria.web.access import console_view
from parceria.web.pages import page
from parceria.web.tables import export_response

EXPORTS = ("csv", "xlsx", "json")


def _header() -> list[str]:
    return [_("Key"), _("Kind of personal data"), _("Data items"), _("Purpose"), _("Legal basis"), _("Retention"),
            _("Retention (months)"), _("Shared with"), _("Stored in")]


def _row(e: ProcessingEntry) -> list[Any]:
    return [e.key, str(e.name), "; ".join(str(i) for i in e.data_items), str(e.purpose), e.legal_basis_label,
            str(e.retention), e.retention_months, "; ".join(str(s) for s in e.shared_with), ", ".join(e.stored_in)]


def as_json(version: ProcessingVersion) -> dict[str, Any]:
    """A version as JSON data (in the reader's language)."""
    return {
        "version": version.version,
        "effective_from": version.effective_from.isoformat(),
        "entries": [{
            "key": e.key, "name": str(e.name), "data_items": [str(i) for i in e.data_items],
            "purpose": str(e.purpose), "legal_basis": e.legal_basis, "legal_basis_label": e.legal_basis_label,
            "retention": str(e.retention), "retention_months": e.retention_months,
            "shared_with": [str(s) for s in e.shared_with], "stored_in": list(e.stored_in),
        } for e in version.entries],
    }


@console_view()
def processing(request: HttpRequest) -> HttpResponse:
    in_force = version_in_force(timezone.localdate())
    asked = request.GET.get("version", "")
    version = version_named(asked) if asked else in_force
    if version is None:
        raise Http404("no such version of the record of processing")
    fmt = request.GET.get("export", "")
    if fmt and fmt not in EXPORTS:
        return HttpResponseBadRequest(_("Export as csv, xlsx or json."))
    name = f"record-of-processing-{version.version}"
    if fmt == "json":
        content = json.dumps(as_json(version), ensure_ascii=False, indent=2)
        return attachment(content, content_type="application/json", filename=f"{name}.json")
    if fmt:
        return export_response(request, name, _header(), (_row(e) for e in version.entries))
    return page(request, "privacy/console/processing.html",
                {"version": version, "in_force": in_force, "versions": list(reversed(VERSIONS)),
                 "exports": EXPORTS}, nav="privacy")
