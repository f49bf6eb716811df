"""The privacy pages: the privacy hub, the record of processing, data-subject requests, consents, the sharing log, legal
holds and the audit trail in the console (namespace privacy_console, under /console/privacy/); a person's consents and
requests in the portal (namespace privacy_portal, under /portal/privacy/)."""

from django.urls import path

from parceria.privacy.views import sharing

console_patterns: list = [
    path("privacy/sharing/", sharing.sharing, name="sharing"),
    path("privacy/sharing/export/", sharing.sharing_export, name="sharing_export"),
]

portal_patterns: list = []
