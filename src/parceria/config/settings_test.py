"""Settings for the test suite: the production settings with test defaults for the environment."""

import os

os.environ.setdefault("PARCERIA_SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("PARCERIA_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# The Stripe webhook's signing secret (tests/integrations/stripe_payloads.py signs with it).
os.environ.setdefault("PARCERIA_STRIPE_WEBHOOK_SECRET", "whsec_test_parceria_0123456789abcdef")

from parceria.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
