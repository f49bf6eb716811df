"""The site's URLs with the privacy console pages under /console/privacy/, for the audit trail's tests while the
console does not include them yet (tests/privacy/test_audit_trail.py uses it only then)."""

from django.urls import include, path

from parceria.config.urls import handler403, handler404, handler500  # noqa: F401
from parceria.config.urls import urlpatterns as site
from parceria.privacy import urls as privacy

urlpatterns = [path("console/", include((privacy.console_patterns, "privacy_console"))), *site]
