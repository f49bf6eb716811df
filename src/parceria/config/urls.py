from django.contrib import admin
from django.urls import include, path

from parceria.config.api import urlpatterns as api_urls
from parceria.web import language
from parceria.web.admin_site import ParceriaAdminSite

# A URL under /api/ that no route matches answers with the API's JSON error; elsewhere Django's 404 page.
handler404 = "parceria.config.api.not_found"

# Staff sign in to the Django admin with their password and a TOTP code, throttled, as in the console.
admin.site.__class__ = ParceriaAdminSite

urlpatterns = [
    path("", include("parceria.site.urls")),
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("portal/", include("parceria.portal.urls")),
    path("console/", include("parceria.console.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api_urls),
]
