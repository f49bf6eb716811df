"""The lead routing pages: in the console (namespace leads_console, under /console/leads/) the leads, the form to
add one, and a lead's page with its ranking of partners, the offer and its history; in the portal (namespace
leads_portal, under /portal/leads/) the leads offered to the partner, each with accept and decline."""

from django.urls import path

from parceria.leads.views import console, portal

console_patterns = [
    path("leads/", console.leads, name="list"),
    path("leads/new/", console.lead_new, name="new"),
    path("leads/<int:lead_id>/", console.lead, name="detail"),
    path("leads/<int:lead_id>/offer/", console.offer, name="offer"),
]

portal_patterns = [
    path("leads/", portal.my_leads, name="list"),
    path("leads/<int:lead_id>/", portal.my_lead, name="detail"),
    path("leads/<int:lead_id>/accept/", portal.accept, name="accept"),
    path("leads/<int:lead_id>/decline/", portal.decline, name="decline"),
]
