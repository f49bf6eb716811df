"""The Program pages: in the console (namespace analytics_console, under /console/program/) the scorecard, the
phase tracker, partner benchmarks, forecasts, the risk list, concentration, case studies and the imported figures;
in the portal (namespace analytics_portal) the partner's own scorecard against its tier peers."""

from django.urls import path  # noqa: F401

console_patterns: list = []
portal_patterns: list = []

# --- the risk list ---
from django.urls import path as _path  # noqa: E402

from parceria.analytics.views import console_risks  # noqa: E402

console_patterns += [_path("program/risks/", console_risks.risks, name="risks")]
