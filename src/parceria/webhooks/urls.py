"""The webhook pages: in the console (namespace webhooks_console, under /console/) and in the portal (namespace
webhooks_portal, under /portal/)."""

from django.urls import path

from parceria.webhooks.views import console, portal

_ACTIONS = "<str:action>"

console_patterns = [
    path("webhooks/", console.endpoints, name="list"),
    path("webhooks/<int:endpoint_id>/", console.endpoint, name="detail"),
    path(f"webhooks/<int:endpoint_id>/{_ACTIONS}/", console.endpoint_action, name="action"),
]

portal_patterns = [
    path("webhooks/", portal.endpoints, name="list"),
    path("webhooks/<int:endpoint_id>/", portal.endpoint, name="detail"),
    path(f"webhooks/<int:endpoint_id>/{_ACTIONS}/", portal.endpoint_action, name="action"),
]
