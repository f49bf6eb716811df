"""Enablement pages in the console (mounted under /console/enablement/ by config/urls.py)."""

app_name = "enablement_console"

urlpatterns: list = []
