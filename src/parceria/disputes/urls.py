"""The dispute pages: the dispute queue, a dispute's page and the adjustments in the console (namespace
disputes_console, under /console/); the partner's disputes in the portal (namespace disputes_portal, under
/portal/)."""

from django.urls import path

from parceria.disputes.views import console, portal

console_patterns = [
    path("disputes/", console.disputes, name="list"),
    path("disputes/<int:dispute_id>/", console.dispute_detail, name="detail"),
    path("disputes/<int:dispute_id>/review/", console.dispute_review_view, name="review"),
    path("disputes/<int:dispute_id>/comment/", console.dispute_comment_view, name="comment"),
    path("disputes/<int:dispute_id>/attach/", console.dispute_attach_view, name="attach"),
    path("disputes/<int:dispute_id>/attachments/<int:attachment_id>/", console.dispute_attachment_view,
         name="attachment"),
    path("disputes/<int:dispute_id>/resolve/", console.dispute_resolve_view, name="resolve"),
    path("disputes/<int:dispute_id>/reject/", console.dispute_reject_view, name="reject"),
    path("adjustments/", console.adjustments, name="adjustments"),
    path("adjustments/new/", console.adjustment_new, name="adjustment_new"),
    path("adjustments/<int:adjustment_id>/approve/", console.adjustment_approve_view, name="adjustment_approve"),
    path("adjustments/<int:adjustment_id>/reject/", console.adjustment_reject_view, name="adjustment_reject"),
]

portal_patterns = [
    path("disputes/", portal.disputes, name="list"),
    path("disputes/new/", portal.dispute_new, name="new"),
    path("disputes/<int:dispute_id>/", portal.dispute, name="detail"),
    path("disputes/<int:dispute_id>/comment/", portal.dispute_comment, name="comment"),
    path("disputes/<int:dispute_id>/attach/", portal.dispute_attach, name="attach"),
    path("disputes/<int:dispute_id>/attachments/<int:attachment_id>/", portal.dispute_attachment,
         name="attachment"),
    path("disputes/<int:dispute_id>/withdraw/", portal.dispute_withdraw_view, name="withdraw"),
]
