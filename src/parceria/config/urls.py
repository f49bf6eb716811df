from django.contrib import admin
from django.urls import include, path

from parceria.api.errors import not_found_handler, server_error_handler
from parceria.config.api import api
from parceria.config.api import urlpatterns as api_urls
from parceria.referrals import urls as referrals
from parceria.site import errors
from parceria.web import language
from parceria.web.admin_site import ParceriaAdminSite

# The error pages, inside the shell of the reader's area and in their language; under /api/ a URL that no route
# matches, and a failure, answer with the API's JSON error instead.
handler403 = errors.forbidden
handler404 = not_found_handler(api, page=errors.not_found)
handler500 = server_error_handler(api, page=errors.server_error)

# Staff sign in to the Django admin with their password and a TOTP code, throttled, as in the console.
admin.site.__class__ = ParceriaAdminSite

# The areas under a prefix of their own come first: a request is matched against the patterns in order, and the
# API and the portal are asked for most often. No pattern of the site's root matches under these prefixes.
urlpatterns = [
    path("api/v1/", api_urls),
    path("portal/", include("parceria.portal.urls")),
    path("console/", include("parceria.console.urls")),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("", include("parceria.site.urls")),
    path("", include((referrals.redirect_patterns, "referrals"))),
    path("", include("parceria.recruiting.urls")),
]
