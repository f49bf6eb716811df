"""The Program pages: in the console (namespace analytics_console, under /console/program/) the scorecard, the
phase tracker, the imported figures, partner benchmarks, revenue concentration, forecasts, the risk list and case
studies; in the portal (namespace analytics_portal) the partner's own scorecard against its tier peers."""

from django.urls import path

from parceria.analytics.views import (
    console_benchmarks,
    console_casestudies,
    console_forecasts,
    console_risks,
    console_scorecard,
    portal,
)

console_patterns = [
    path("program/", console_scorecard.scorecard, name="scorecard"),
    path("program/phases/", console_scorecard.phases, name="phases"),
    path("program/figures/", console_scorecard.figures, name="figures"),
    path("program/figures/import/", console_scorecard.figures_upload, name="figures_import"),
    path("program/figures/template.csv", console_scorecard.figures_template, name="figures_template"),
    path("program/partners/", console_benchmarks.partners, name="partners"),
    path("program/partners/<int:partner_id>/", console_benchmarks.partner, name="partner"),
    path("program/concentration/", console_benchmarks.concentration_page, name="concentration"),
    path("program/forecasts/", console_forecasts.forecasts, name="forecasts"),
    path("program/risks/", console_risks.risks, name="risks"),
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
portal_patterns = [
    path("program/", portal.scorecard, name="scorecard"),
]
