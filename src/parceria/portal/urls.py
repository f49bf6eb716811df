"""The partner portal under /portal/: the portal's own pages (namespace portal: the dashboard) and every domain
app's portal pages, each app in its own namespace `<app>_portal`."""

from django.urls import include, path

from parceria.commissions import urls as commissions
from parceria.customers import urls as customers
from parceria.partners import urls as partners
from parceria.payouts import urls as payouts
from parceria.portal import views, views_disputes

shell = [
    path("", views.home, name="home"),
    path("disputes/", views_disputes.disputes, name="disputes"),
    path("disputes/new/", views_disputes.dispute_new, name="dispute_new"),
    path("disputes/<int:dispute_id>/", views_disputes.dispute, name="dispute"),
    path("disputes/<int:dispute_id>/comment/", views_disputes.dispute_comment, name="dispute_comment"),
    path("disputes/<int:dispute_id>/attach/", views_disputes.dispute_attach, name="dispute_attach"),
    path("disputes/<int:dispute_id>/attachments/<int:attachment_id>/", views_disputes.dispute_attachment,
         name="dispute_attachment"),
    path("disputes/<int:dispute_id>/withdraw/", views_disputes.dispute_withdraw_view, name="dispute_withdraw"),
]

urlpatterns = [
    path("", include((shell, "portal"))),
    path("", include((partners.portal_patterns, "partners_portal"))),
    path("", include((customers.portal_patterns, "customers_portal"))),
    path("", include((commissions.portal_patterns, "commissions_portal"))),
    path("", include((payouts.portal_patterns, "payouts_portal"))),
]
