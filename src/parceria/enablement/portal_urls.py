"""Enablement pages in the portal (mounted under /portal/enablement/ by config/urls.py)."""

app_name = "enablement_portal"

urlpatterns: list = []
