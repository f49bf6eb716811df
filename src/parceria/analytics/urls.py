"""The Program pages: in the console (namespace analytics_console, under /console/program/) the scorecard, the
phase tracker, partner benchmarks, forecasts, the risk list, concentration, case studies and the imported figures;
in the portal (namespace analytics_portal) the partner's own scorecard against its tier peers."""

from django.urls import path

from parceria.analytics.views import console_casestudies

console_patterns: list = []
portal_patterns: list = []

# Case studies
console_patterns += [
    path("program/case-studies/", console_casestudies.case_studies, name="casestudies"),
    path("program/case-studies/new/", console_casestudies.case_study_new, name="casestudy_new"),
    path("program/case-studies/<int:study_id>/", console_casestudies.case_study, name="casestudy"),
    path("program/case-studies/<int:study_id>/refresh/", console_casestudies.case_study_refresh_results,
         name="casestudy_refresh"),
    path("program/case-studies/<int:study_id>/versions/", console_casestudies.case_study_versions,
         name="casestudy_versions"),
    path("program/case-studies/<int:study_id>/document/", console_casestudies.case_study_document,
         name="casestudy_document"),
    path("program/case-studies/<int:study_id>/document.pdf", console_casestudies.case_study_pdf,
         name="casestudy_pdf"),
]
