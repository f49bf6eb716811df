"""The commission pages: the partner's commission lines in the portal (namespace commissions_portal, under
/portal/)."""

from django.urls import path

from parceria.commissions.views import portal

portal_patterns = [
    path("commissions/", portal.ledger, name="list"),
    path("commissions/<int:line_id>/", portal.ledger_line, name="line"),
]
