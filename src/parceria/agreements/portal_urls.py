"""Agreements pages in the portal (mounted under /portal/agreements/ by config/urls.py)."""

app_name = "agreements_portal"

urlpatterns: list = []
