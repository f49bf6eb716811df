"""The Program pages: in the console (namespace analytics_console, under /console/program/) the scorecard, the
phase tracker, partner benchmarks, forecasts, the risk list, concentration, case studies and the imported figures;
in the portal (namespace analytics_portal) the partner's own scorecard against its tier peers."""

from django.urls import path

console_patterns: list = []
portal_patterns: list = []

# --- forecasts ---
from parceria.analytics.views import console_forecasts  # noqa: E402

console_patterns += [
    path("program/forecasts/", console_forecasts.forecasts, name="forecasts"),
]
