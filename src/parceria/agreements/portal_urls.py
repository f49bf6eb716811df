"""Agreements pages in the portal (mounted under /portal/agreements/ by config/urls.py)."""

from django.urls import path

from parceria.agreements import portal_views as views

app_name = "agreements_portal"

urlpatterns = [
    path("", views.my_agreements, name="list"),
    path("<int:agreement_id>/", views.my_agreement, name="detail"),
    path("<int:agreement_id>/documents/<int:document_id>/", views.my_document, name="document"),
]
