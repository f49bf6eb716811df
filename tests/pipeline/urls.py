"""The project's URLs plus the pipeline router under /api/pipeline-test/ (until the lead mounts it at /api/v1)."""

from django.urls import path
from ninja import NinjaAPI

from parceria.api.auth import ApiKeyAuth
from parceria.api.errors import install_error_handlers
from parceria.config.urls import urlpatterns as project_urls
from parceria.partners.pipeline_api import router

api = NinjaAPI(title="pipeline test", version="test", auth=ApiKeyAuth(), urls_namespace="pipeline-test")
install_error_handlers(api)
api.add_router("", router)

urlpatterns = [path("api/pipeline-test/", api.urls), *project_urls]
