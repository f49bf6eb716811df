"""The account mapping pages: in the console (namespace mapping_console, under /console/account-mappings/) every
mapping, one mapping's results and the sharing levels; in the portal (namespace mapping_portal, under
/portal/account-mapping/) the partner's uploads, results and its own sharing level."""

from django.urls import path

from parceria.mapping.views import console, portal

console_patterns = [
    path("account-mappings/", console.mappings, name="list"),
    path("account-mappings/<int:mapping_id>/", console.detail, name="detail"),
    path("account-mappings/<int:mapping_id>/sharing/", console.sharing, name="sharing"),
    path("account-mappings/<int:mapping_id>/match/", console.rematch, name="match"),
]

portal_patterns = [
    path("account-mapping/", portal.index, name="index"),
    path("account-mapping/sharing/", portal.sharing, name="sharing"),
    path("account-mapping/<int:mapping_id>/", portal.detail, name="detail"),
]
