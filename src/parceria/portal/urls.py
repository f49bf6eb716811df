"""The partner portal under /portal/: the portal's own pages (namespace portal: the dashboard) and every domain
app's portal pages, each app in its own namespace `<app>_portal`."""

from django.urls import include, path

from parceria.agreements import urls as agreements
from parceria.analytics import urls as analytics
from parceria.commissions import urls as commissions
from parceria.community import urls as community
from parceria.customers import urls as customers
from parceria.deals import urls as deals
from parceria.disputes import urls as disputes
from parceria.enablement import urls as enablement
from parceria.leads import urls as leads
from parceria.mapping import urls as mapping
from parceria.marketing import urls as marketing
from parceria.mdf import urls as mdf
from parceria.notifications import urls as notifications
from parceria.partners import urls as partners
from parceria.payouts import urls as payouts
from parceria.portal import views
from parceria.privacy import urls as privacy
from parceria.recruiting import urls as recruiting
from parceria.referrals import urls as referrals
from parceria.tiers import urls as tiers
from parceria.webhooks import urls as webhooks

shell = [
    path("", views.home, name="home"),
]

urlpatterns = [
    path("", include((shell, "portal"))),
    path("", include((partners.portal_patterns, "partners_portal"))),
    path("", include((customers.portal_patterns, "customers_portal"))),
    path("", include((referrals.portal_patterns, "referrals_portal"))),
    path("", include((commissions.portal_patterns, "commissions_portal"))),
    path("", include((payouts.portal_patterns, "payouts_portal"))),
    path("", include((disputes.portal_patterns, "disputes_portal"))),
    path("", include((community.portal_patterns, "community_portal"))),
    path("", include((mdf.portal_patterns, "mdf_portal"))),
    path("", include((agreements.portal_patterns, "agreements_portal"))),
    path("", include((enablement.portal_patterns, "enablement_portal"))),
    path("", include((marketing.portal_patterns, "marketing_portal"))),
    path("", include((tiers.portal_patterns, "tiers_portal"))),
    path("", include((deals.portal_patterns, "deals_portal"))),
    path("", include((leads.portal_patterns, "leads_portal"))),
    path("", include((recruiting.portal_patterns, "recruiting_portal"))),
    path("", include((mapping.portal_patterns, "mapping_portal"))),
    path("", include((analytics.portal_patterns, "analytics_portal"))),
    path("", include((webhooks.portal_patterns, "webhooks_portal"))),
    path("", include((notifications.portal_patterns, "notifications_portal"))),
    path("", include((privacy.portal_patterns, "privacy_portal"))),
]
