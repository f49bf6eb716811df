"""The agreements pages: in the console (namespace agreements_console, under /console/agreements/) the list, an
agreement's page with its documents and terms, and the upcoming dates; in the portal (namespace agreements_portal,
under /portal/agreements/) the partner's own agreements and their documents."""

from django.urls import path

from parceria.agreements.views import console, portal

console_patterns = [
    path("agreements/", console.agreement_list_page, name="list"),
    path("agreements/new/", console.agreement_new, name="new"),
    path("agreements/upcoming/", console.upcoming, name="upcoming"),
    path("agreements/<int:agreement_id>/", console.agreement_detail, name="detail"),
    path("agreements/<int:agreement_id>/edit/", console.agreement_edit, name="edit"),
    path("agreements/<int:agreement_id>/status/", console.agreement_status, name="status"),
    path("agreements/<int:agreement_id>/documents/", console.document_upload, name="document_upload"),
    path("agreements/<int:agreement_id>/documents/<int:document_id>/", console.document_download, name="document"),
    path("agreements/<int:agreement_id>/exclusivity/", console.exclusivity_add, name="exclusivity"),
    path("agreements/<int:agreement_id>/rate-override/", console.rate_override_add, name="rate_override"),
    path("agreements/<int:agreement_id>/plan-approval/", console.plan_decide, name="plan_approval"),
]

portal_patterns = [
    path("agreements/", portal.my_agreements, name="list"),
    path("agreements/<int:agreement_id>/", portal.my_agreement, name="detail"),
    path("agreements/<int:agreement_id>/documents/<int:document_id>/", portal.my_document, name="document"),
]
