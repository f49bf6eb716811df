"""Partner evaluation and lifecycle pages in the console (mounted under /console/pipeline/ by config/urls.py)."""

from django.urls import path

from parceria.partners import pipeline_views as views

app_name = "pipeline"

urlpatterns = [
    path("", views.board, name="board"),
    path("partners/<int:partner_id>/", views.partner_lifecycle, name="partner"),
    path("partners/<int:partner_id>/move/", views.move, name="move"),
    path("partners/<int:partner_id>/checklist/", views.tick, name="tick"),
    path("partners/<int:partner_id>/evaluations/", views.evaluations, name="evaluations"),
    path("ranking/", views.ranking, name="ranking"),
    path("compare/", views.compare, name="compare"),
    path("weights/", views.weights, name="weights"),
]
