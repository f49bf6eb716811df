"""The customers' pages: event intake in the console (namespace customers_console, under /console/) and the
partner's customers in the portal (namespace customers_portal, under /portal/)."""

from django.urls import path

from parceria.customers.views import console, portal

console_patterns = [
    path("intake/", console.intake, name="intake"),
    path("intake/<int:event_batch_id>/", console.intake_batch, name="intake_batch"),
    path("intake/import/", console.intake_import, name="intake_import"),
]

portal_patterns = [
    path("customers/", portal.customers, name="list"),
]
