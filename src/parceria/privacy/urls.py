"""The privacy pages: the privacy hub, the record of processing, data-subject requests, consents, the sharing log, legal
holds and the audit trail in the console (namespace privacy_console, under /console/privacy/); a person's consents and
requests in the portal (namespace privacy_portal, under /portal/privacy/)."""

from django.urls import path

from parceria.privacy.views import audit

console_patterns: list = [
    path("privacy/audit/", audit.audit, name="audit"),
    path("privacy/audit/export/", audit.audit_export, name="audit_export"),
]

portal_patterns: list = []
