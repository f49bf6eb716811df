from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from parceria.site.staticfiles import collect_if_changed


class Command(BaseCommand):
    help = "Serve Parceria with gunicorn (the production server)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.PARCERIA["SERVE_HOST"])
        parser.add_argument("--port", type=int, default=settings.PARCERIA["SERVE_PORT"])
        parser.add_argument("--workers", type=int, default=int(os.environ.get("PARCERIA_WORKERS", "2")))
        parser.add_argument("--timeout", type=int, default=60)
        parser.add_argument("--access-log", action="store_true", help="Log every request to standard output.")

    def handle(self, *args: Any, **options: Any) -> None:
        collect_if_changed(self.stdout)
        argv = [
            "gunicorn",
            "parceria.config.wsgi:application",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(options["workers"]),
            "--timeout",
            str(options["timeout"]),
            "--worker-tmp-dir",
            "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp",  # noqa: S108
        ]
        if options["access_log"]:
            argv += ["--access-logfile", "-"]
        self.stdout.write(f"Serving Parceria on http://{options['host']}:{options['port']}/ (Ctrl+C to stop)")
        self.stdout.flush()
        os.execvp(sys.executable, [sys.executable, "-m", *argv])  # noqa: S606 - replaces this process
