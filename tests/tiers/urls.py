"""The project's URLs plus the tiers router under /api/tiers-test/ (until the lead mounts it at /api/v1)."""

from django.urls import path
from ninja import NinjaAPI

from parceria.api.auth import ApiKeyAuth
from parceria.api.errors import install_error_handlers
from parceria.config.urls import urlpatterns as project_urls
from parceria.tiers.api import router

api = NinjaAPI(title="tiers test", version="test", auth=ApiKeyAuth(), urls_namespace="tiers-test")
install_error_handlers(api)
api.add_router("", router)

urlpatterns = [path("api/tiers-test/", api.urls), *project_urls]
