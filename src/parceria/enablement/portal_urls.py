"""Enablement pages in the portal (mounted under /portal/training/ by config/urls.py)."""

from django.urls import path

from parceria.enablement import portal_views as views

app_name = "enablement_portal"

urlpatterns = [
    path("", views.index, name="index"),
    path("courses/<slug:code>/start/", views.course_start, name="course_start"),
    path("enrolments/<int:enrolment_id>/", views.enrolment, name="enrolment"),
    path("enrolments/<int:enrolment_id>/modules/<int:module_id>/complete/", views.module_complete,
         name="module_complete"),
    path("certificates/<int:certificate_id>/", views.certificate, name="certificate"),
]
