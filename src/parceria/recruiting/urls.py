"""Recruiting's pages: public (namespace recruiting: /apply/ and /directory/), in the console (recruiting_console:
/console/applications/, /console/directory/) and in the portal (recruiting_portal: /portal/directory-profile/)."""

from django.urls import path

from parceria.recruiting.views import console, portal, public

app_name = "recruiting"

urlpatterns = [
    path("apply/", public.apply_index, name="apply"),
    path("apply/thanks/", public.applied, name="applied"),
    path("apply/status/<str:token>/", public.status, name="status"),
    path("apply/<slug:kind>/", public.apply, name="apply_kind"),
    path("directory/", public.directory_list, name="directory"),
    path("directory/<slug:slug>/", public.directory_detail, name="directory_detail"),
    path("directory/<slug:slug>/logo", public.directory_logo, name="directory_logo"),
]

console_patterns = [
    path("applications/", console.applications, name="applications"),
    path("applications/<int:application_id>/", console.application, name="application"),
    path("directory/", console.listings, name="listings"),
    path("directory/partners/<int:partner_id>/", console.listing, name="listing"),
]

portal_patterns = [
    path("directory-profile/", portal.directory_profile, name="directory_profile"),
]
