"""WSGI entry point used by `parceria serve` (gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parceria.config.settings")
application = get_wsgi_application()
