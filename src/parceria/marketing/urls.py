"""The marketing pages: in the console (namespace marketing_console) the asset library under /console/assets/ and
the joint marketing activities under /console/marketing/activities/; in the portal (namespace marketing_portal)
the library under /portal/assets/ and the activities under /portal/marketing/activities/."""

from django.urls import path

from parceria.marketing.views import console, portal

console_patterns = [
    path("assets/", console.assets, name="assets"),
    path("assets/<int:asset_id>/", console.asset, name="asset"),
    path("assets/<int:asset_id>/preview/", console.asset_preview, name="asset_preview"),
    path("assets/<int:asset_id>/versions/<int:number>/file/", console.asset_file, name="asset_file"),
    path("marketing/activities/", console.activities, name="activities"),
    path("marketing/activities/<int:activity_id>/status/", console.activity_status, name="activity_status"),
]

portal_patterns = [
    path("assets/", portal.assets, name="assets"),
    path("assets/<int:asset_id>/preview/", portal.asset_preview, name="asset_preview"),
    path("assets/<int:asset_id>/download/", portal.asset_download, name="asset_download"),
    path("assets/brand/logo/", portal.brand_logo, name="brand_logo"),
    path("assets/brand/logo/image/", portal.brand_logo_image, name="brand_logo_image"),
    path("marketing/activities/", portal.activities, name="activities"),
]
