"""The deal registration pages: in the console (namespace deals_console, under /console/deal-registrations/) the
list with a status filter, the review queue and a registration's page where staff decide; in the portal (namespace
deals_portal, under /portal/deals/) the partner's own registrations and the form to register one."""

from django.urls import path

from parceria.deals.views import console, portal

console_patterns = [
    path("deal-registrations/", console.registrations, name="list"),
    path("deal-registrations/review/", console.review_queue_page, name="review"),
    path("deal-registrations/<int:registration_id>/", console.registration, name="detail"),
    path("deal-registrations/<int:registration_id>/decide/", console.decide, name="decide"),
    path("deal-registrations/<int:registration_id>/convert/", console.convert, name="convert"),
]

portal_patterns = [
    path("deals/", portal.my_deals, name="list"),
    path("deals/new/", portal.deal_new, name="new"),
    path("deals/<int:registration_id>/", portal.my_deal, name="detail"),
]
