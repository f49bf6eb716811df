"""A URLconf for the API tests: the site's URLs plus the enablement router on a test API of its own (until
config/api.py mounts it, the tests must not depend on that)."""

from django.urls import path
from ninja import NinjaAPI

from parceria.api.auth import ApiKeyAuth
from parceria.api.errors import install_error_handlers
from parceria.config.urls import urlpatterns as site
from parceria.enablement.api import router

api = NinjaAPI(title="enablement tests", auth=ApiKeyAuth(), urls_namespace="enablement-api-tests")
install_error_handlers(api)
api.add_router("", router)

urlpatterns = [path("api/enablement-tests/", api.urls), *site]
