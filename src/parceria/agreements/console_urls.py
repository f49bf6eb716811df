"""Agreements pages in the console (mounted under /console/agreements/ by config/urls.py)."""

from django.urls import path

from parceria.agreements import console_views as views

app_name = "agreements_console"

urlpatterns = [
    path("", views.agreement_list_page, name="list"),
    path("new/", views.agreement_new, name="new"),
    path("upcoming/", views.upcoming, name="upcoming"),
    path("<int:agreement_id>/", views.agreement_detail, name="detail"),
    path("<int:agreement_id>/edit/", views.agreement_edit, name="edit"),
    path("<int:agreement_id>/status/", views.agreement_status, name="status"),
    path("<int:agreement_id>/documents/", views.document_upload, name="document_upload"),
    path("<int:agreement_id>/documents/<int:document_id>/", views.document_download, name="document"),
    path("<int:agreement_id>/exclusivity/", views.exclusivity_add, name="exclusivity"),
    path("<int:agreement_id>/rate-override/", views.rate_override_add, name="rate_override"),
    path("<int:agreement_id>/plan-approval/", views.plan_decide, name="plan_approval"),
]
