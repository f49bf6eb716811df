"""The deal registration pages: in the console (namespace deals_console, under /console/deal-registrations/) the
list with a status filter, the review queue, the extension requests, the channel-conflict report, the CSV uploads of
registrations and of the direct-sales pipeline, and a registration's page where staff decide; in the portal
(namespace deals_portal, under /portal/deals/) the partner's own registrations, the form to register one, the CSV
upload and the request for an extension."""

from django.urls import path

from parceria.deals.views import console, portal

console_patterns = [
    path("deal-registrations/", console.registrations, name="list"),
    path("deal-registrations/review/", console.review_queue_page, name="review"),
    path("deal-registrations/upload/", console.registrations_upload_page, name="upload"),
    path("deal-registrations/upload/template.csv", console.registrations_template, name="upload_template"),
    path("opportunities/", console.opportunities, name="opportunities"),
    path("opportunities/import/", console.opportunities_upload, name="opportunities_import"),
    path("opportunities/template.csv", console.opportunities_template, name="opportunities_template"),
    path("deal-registrations/extensions/", console.extension_queue_page, name="extensions"),
    path("deal-registrations/conflicts/", console.conflict_report, name="conflicts"),
    path("deal-registrations/<int:registration_id>/", console.registration, name="detail"),
    path("deal-registrations/<int:registration_id>/decide/", console.decide, name="decide"),
    path("deal-registrations/<int:registration_id>/convert/", console.convert, name="convert"),
    path("deal-registrations/<int:registration_id>/extension/", console.extension_decide, name="extension"),
]

portal_patterns = [
    path("deals/", portal.my_deals, name="list"),
    path("deals/new/", portal.deal_new, name="new"),
    path("deals/upload/", portal.deals_upload, name="upload"),
    path("deals/upload/template.csv", portal.deals_template, name="upload_template"),
    path("deals/<int:registration_id>/", portal.my_deal, name="detail"),
    path("deals/<int:registration_id>/extension/", portal.deal_extension, name="extension"),
]
