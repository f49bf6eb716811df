"""WSGI entry point used by `parceria serve` (gunicorn): each worker imports it, loads the application, then
freezes the heap that start-up left (common/heap.py)."""

import os

from django.core.wsgi import get_wsgi_application

from parceria.common.heap import freeze_startup_heap

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parceria.config.settings")
application = get_wsgi_application()
freeze_startup_heap()
