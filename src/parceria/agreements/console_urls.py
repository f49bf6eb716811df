"""Agreements pages in the console (mounted under /console/agreements/ by config/urls.py)."""

app_name = "agreements_console"

urlpatterns: list = []
