"""Partner evaluation and lifecycle pages in the console (mounted under /console/pipeline/ by config/urls.py)."""

app_name = "pipeline"

urlpatterns: list = []
