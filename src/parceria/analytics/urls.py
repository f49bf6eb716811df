"""The Program pages: in the console (namespace analytics_console, under /console/program/) the scorecard, the
phase tracker, partner benchmarks, forecasts, the risk list, concentration, case studies and the imported figures;
in the portal (namespace analytics_portal) the partner's own scorecard against its tier peers."""

from django.urls import path

from parceria.analytics.views import console_benchmarks, console_risks, portal

console_patterns = [
    path("program/partners/", console_benchmarks.partners, name="partners"),
    path("program/partners/<int:partner_id>/", console_benchmarks.partner, name="partner"),
    path("program/concentration/", console_benchmarks.concentration_page, name="concentration"),
    path("program/risks/", console_risks.risks, name="risks"),
]
portal_patterns = [
    path("program/", portal.scorecard, name="scorecard"),
]
