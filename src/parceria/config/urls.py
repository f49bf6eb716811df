from django.contrib import admin
from django.urls import path

from parceria.api.urls import api
from parceria.web import views

urlpatterns = [
    path("", views.start, name="start"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
