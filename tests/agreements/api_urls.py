"""A test URLconf that mounts the agreements router at /api/v1/agreements (as config/api.py does)."""

from django.urls import path
from ninja import NinjaAPI

from parceria.agreements.api import router
from parceria.api.auth import ApiKeyAuth
from parceria.api.errors import install_error_handlers

api = NinjaAPI(auth=ApiKeyAuth(), urls_namespace="agreements-test-api")
install_error_handlers(api)
api.add_router("/agreements", router)

urlpatterns = [path("api/v1/", api.urls)]
