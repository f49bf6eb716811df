"""The marketing fund pages: the funds of a quarter with their ROI, a request's page and its decisions in the console
(namespace mdf_console, under /console/); the partner's budget, requests and claims in the portal (namespace
mdf_portal, under /portal/)."""

from django.urls import path

from parceria.mdf.views import console, portal

console_patterns = [
    path("mdf/", console.funds, name="list"),
    path("mdf/budgets/", console.budgets, name="budgets"),
    path("mdf/budgets/<int:budget_id>/", console.budget, name="budget"),
    path("mdf/<int:request_id>/", console.fund, name="detail"),
    path("mdf/<int:request_id>/decide/", console.decide, name="decide"),
    path("mdf/<int:request_id>/proofs/<int:proof_id>/", console.proof, name="proof"),
]

portal_patterns = [
    path("mdf/", portal.funds, name="list"),
    path("mdf/new/", portal.request_new, name="new"),
    path("mdf/<int:request_id>/", portal.fund, name="detail"),
    path("mdf/<int:request_id>/claim/", portal.claim, name="claim"),
    path("mdf/<int:request_id>/deals/", portal.link_deals, name="deals"),
    path("mdf/<int:request_id>/proofs/<int:proof_id>/", portal.proof, name="proof"),
]
