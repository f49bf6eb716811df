"""The Program pages: in the console (namespace analytics_console, under /console/program/) the scorecard, the
phase tracker, partner benchmarks, forecasts, the risk list, concentration, case studies and the imported figures;
in the portal (namespace analytics_portal) the partner's own scorecard against its tier peers."""

from django.urls import path  # noqa: F401

console_patterns: list = []
portal_patterns: list = []

# The scorecard, the phase tracker and the imported figures.
from django.urls import path as _path  # noqa: E402

from parceria.analytics.views import console_scorecard as _scorecard  # noqa: E402

console_patterns += [
    _path("program/", _scorecard.scorecard, name="scorecard"),
    _path("program/phases/", _scorecard.phases, name="phases"),
    _path("program/figures/", _scorecard.figures, name="figures"),
    _path("program/figures/import/", _scorecard.figures_upload, name="figures_import"),
    _path("program/figures/template.csv", _scorecard.figures_template, name="figures_template"),
]
