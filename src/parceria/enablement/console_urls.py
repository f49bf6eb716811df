"""Enablement pages in the console (mounted under /console/enablement/ by config/urls.py)."""

from django.urls import path

from parceria.enablement import console_views as views

app_name = "enablement_console"

urlpatterns = [
    path("", views.certifications, name="certifications"),
    path("check-ins/overdue/", views.overdue, name="overdue"),
    path("partners/<int:partner_id>/", views.partner, name="partner"),
    path("partners/<int:partner_id>/demo/", views.demo_confirm, name="demo_confirm"),
    path("partners/<int:partner_id>/onboarding/", views.onboarding, name="onboarding"),
    path("partners/<int:partner_id>/check-ins/", views.check_in, name="check_in"),
]
