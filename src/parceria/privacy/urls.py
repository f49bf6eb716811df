"""The privacy pages: the privacy hub, the record of processing, data-subject requests, consents, the sharing log, legal
holds and the audit trail in the console (namespace privacy_console, under /console/privacy/); a person's consents and
requests in the portal (namespace privacy_portal, under /portal/privacy/)."""

from django.urls import path  # noqa: F401

console_patterns: list = []

portal_patterns: list = []
