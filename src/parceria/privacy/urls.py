"""The privacy pages: the privacy hub, the record of processing, data-subject requests, consents, the sharing log, legal
holds and the audit trail in the console (namespace privacy_console, under /console/privacy/); a person's consents and
requests in the portal (namespace privacy_portal, under /portal/privacy/)."""

from django.urls import path

from parceria.privacy.views import audit, consents, console, portal, processing, sharing

console_patterns = [
    path("privacy/", console.home, name="home"),
    path("privacy/processing/", processing.processing, name="processing"),
    path("privacy/consents/", consents.console_consents, name="consents"),
    path("privacy/requests/", console.request_list, name="requests"),
    path("privacy/requests/new/", console.request_new, name="request_new"),
    path("privacy/requests/<int:dsr_id>/", console.request_detail, name="request"),
    path("privacy/requests/<int:dsr_id>/search/", console.request_search_view, name="request_search"),
    path("privacy/requests/<int:dsr_id>/download/", console.request_download_view, name="request_download"),
    path("privacy/requests/<int:dsr_id>/anonymise/", console.request_anonymise_view, name="request_anonymise"),
    path("privacy/holds/", console.hold_list, name="holds"),
    path("privacy/holds/<int:hold_id>/release/", console.hold_release_view, name="hold_release"),
    path("privacy/audit/", audit.audit, name="audit"),
    path("privacy/audit/export/", audit.audit_export, name="audit_export"),
    path("privacy/sharing/", sharing.sharing, name="sharing"),
    path("privacy/sharing/export/", sharing.sharing_export, name="sharing_export"),
]

portal_patterns = [
    path("privacy/", consents.portal_consents, name="consents"),
    path("privacy/requests/", portal.requests_page, name="requests"),
]
