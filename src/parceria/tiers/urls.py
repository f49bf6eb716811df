"""The tier pages: the assessments in the console (namespace tiers_console, under /console/) and the partner's
own tier progress in the portal (namespace tiers_portal, under /portal/)."""

from django.urls import path

from parceria.tiers.views import console, portal

console_patterns = [
    path("tiers/", console.tiers, name="list"),
]

portal_patterns = [
    path("tier/", portal.tier, name="tier"),
]
