"""The staff console under /console/: the console's own pages (namespace console: the overview, search and a
partner's page) and every domain app's console pages, each app in its own namespace `<app>_console`."""

from django.urls import include, path

from parceria.console import dispute_views, views
from parceria.customers import urls as customers
from parceria.partners import urls as partners
from parceria.payouts import urls as payouts

shell = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("partners/<int:partner_id>/", views.partner_detail, name="partner"),
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
    path("", include((payouts.console_patterns, "payouts_console"))),
]
