"""The staff console under /console/: the console's own pages (namespace console: the overview, search and a
partner's page) and every domain app's console pages, each app in its own namespace `<app>_console`."""

from django.urls import include, path

from parceria.console import close_views, dispute_views, views
from parceria.customers import urls as customers
from parceria.partners import urls as partners

shell = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("partners/<int:partner_id>/", views.partner_detail, name="partner"),
    path("partners/<int:partner_id>/income-statements/<int:year>.pdf", views.partner_income_statement,
         {"fmt": "pdf"}, name="income_statement_pdf"),
    path("partners/<int:partner_id>/income-statements/<int:year>.csv", views.partner_income_statement,
         {"fmt": "csv"}, name="income_statement_csv"),
    path("close/", close_views.close_start, name="close"),
    path("close/<str:month>/", close_views.close_preview_view, name="close_preview"),
    path("batches/<int:batch_id>/", close_views.batch_detail, name="batch"),
    path("batches/<int:batch_id>/approve/", close_views.batch_approve_view, name="batch_approve"),
    path("batches/<int:batch_id>/export/", close_views.batch_export_view, name="batch_export"),
    path("batches/<int:batch_id>/exports/<int:export_id>/", close_views.export_download, name="export_download"),
    path("batches/<int:batch_id>/return/", close_views.return_import, name="return_import"),
    path("payouts/", close_views.payouts, name="payouts"),
    path("payouts/<int:payout_id>/mark/", close_views.payout_mark_view, name="payout_mark"),
    path("disputes/", dispute_views.disputes, name="disputes"),
    path("disputes/<int:dispute_id>/", dispute_views.dispute_detail, name="dispute"),
    path("disputes/<int:dispute_id>/review/", dispute_views.dispute_review_view, name="dispute_review"),
    path("disputes/<int:dispute_id>/comment/", dispute_views.dispute_comment_view, name="dispute_comment"),
    path("disputes/<int:dispute_id>/attach/", dispute_views.dispute_attach_view, name="dispute_attach"),
    path("disputes/<int:dispute_id>/attachments/<int:attachment_id>/", dispute_views.dispute_attachment_view,
         name="dispute_attachment"),
    path("disputes/<int:dispute_id>/resolve/", dispute_views.dispute_resolve_view, name="dispute_resolve"),
    path("disputes/<int:dispute_id>/reject/", dispute_views.dispute_reject_view, name="dispute_reject"),
    path("adjustments/", dispute_views.adjustments, name="adjustments"),
    path("adjustments/new/", dispute_views.adjustment_new, name="adjustment_new"),
    path("adjustments/<int:adjustment_id>/approve/", dispute_views.adjustment_approve_view, name="adjustment_approve"),
    path("adjustments/<int:adjustment_id>/reject/", dispute_views.adjustment_reject_view, name="adjustment_reject"),
]

urlpatterns = [
    path("", include((shell, "console"))),
    path("", include((partners.console_patterns, "partners_console"))),
    path("", include((customers.console_patterns, "customers_console"))),
]
