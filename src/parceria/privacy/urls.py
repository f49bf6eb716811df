"""The privacy pages: the privacy hub, the record of processing, data-subject requests, consents, the sharing log, legal
holds and the audit trail in the console (namespace privacy_console, under /console/privacy/); a person's consents and
requests in the portal (namespace privacy_portal, under /portal/privacy/)."""

from django.urls import path

from parceria.privacy.views import consents, processing

console_patterns: list = [
    path("privacy/processing/", processing.processing, name="processing"),
    path("privacy/consents/", consents.console_consents, name="consents"),
]

portal_patterns: list = [
    path("privacy/", consents.portal_consents, name="consents"),
]
