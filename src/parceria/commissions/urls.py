"""The commission pages: the event intake in the console (namespace commissions_console, under /console/) and the
partner's commission lines in the portal (namespace commissions_portal, under /portal/)."""

from django.urls import path

from parceria.commissions.views import console, portal

console_patterns = [
    path("intake/", console.intake, name="intake"),
    path("intake/<int:event_batch_id>/", console.intake_batch, name="intake_batch"),
    path("intake/import/", console.intake_import, name="intake_import"),
    path("ledger/", console.ledger, name="ledger"),
    path("balances/", console.balances, name="balances"),
]

portal_patterns = [
    path("commissions/", portal.ledger, name="list"),
    path("commissions/<int:line_id>/", portal.ledger_line, name="line"),
]
