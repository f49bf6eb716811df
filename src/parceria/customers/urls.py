"""The customers' pages: the partner's customers in the portal (namespace customers_portal, under /portal/)."""

from django.urls import path

from parceria.customers.views import portal

portal_patterns = [
    path("customers/", portal.customers, name="list"),
]
