"""The staff console under /console/: the console's own pages (namespace console: the overview, search and a
partner's page) and every domain app's console pages, each app in its own namespace `<app>_console`."""

from django.urls import include, path

from parceria.agreements import urls as agreements
from parceria.analytics import urls as analytics
from parceria.commissions import urls as commissions
from parceria.community import urls as community
from parceria.console import views
from parceria.deals import urls as deals
from parceria.disputes import urls as disputes
from parceria.enablement import urls as enablement
from parceria.jobs import urls as jobs
from parceria.leads import urls as leads
from parceria.mapping import urls as mapping
from parceria.marketing import urls as marketing
from parceria.mdf import urls as mdf
from parceria.notifications import urls as notifications
from parceria.partners import urls as partners
from parceria.payouts import urls as payouts
from parceria.privacy import urls as privacy
from parceria.recruiting import urls as recruiting
from parceria.safeguards import urls as safeguards
from parceria.tiers import urls as tiers
from parceria.webhooks import urls as webhooks

shell = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("partners/<int:partner_id>/", views.partner_detail, name="partner"),
]

urlpatterns = [
    path("", include((shell, "console"))),
    path("", include((partners.console_patterns, "partners_console"))),
    path("", include((commissions.console_patterns, "commissions_console"))),
    path("", include((payouts.console_patterns, "payouts_console"))),
    path("", include((disputes.console_patterns, "disputes_console"))),
    path("", include((community.console_patterns, "community_console"))),
    path("", include((mdf.console_patterns, "mdf_console"))),
    path("", include((agreements.console_patterns, "agreements_console"))),
    path("", include((enablement.console_patterns, "enablement_console"))),
    path("", include((marketing.console_patterns, "marketing_console"))),
    path("", include((tiers.console_patterns, "tiers_console"))),
    path("", include((deals.console_patterns, "deals_console"))),
    path("", include((safeguards.console_patterns, "safeguards_console"))),
    path("", include((leads.console_patterns, "leads_console"))),
    path("", include((recruiting.console_patterns, "recruiting_console"))),
    path("", include((mapping.console_patterns, "mapping_console"))),
    path("", include((analytics.console_patterns, "analytics_console"))),
    path("", include((jobs.console_patterns, "jobs_console"))),
    path("", include((webhooks.console_patterns, "webhooks_console"))),
    path("", include((notifications.console_patterns, "notifications_console"))),
    path("", include((privacy.console_patterns, "privacy_console"))),
]
