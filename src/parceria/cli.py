"""The `parceria` command: Django's management commands with hyphenated names allowed.

parceria migrate | serve | demo | create-api-key | create-user | import-events | …
"""

from __future__ import annotations

import os
import sys


def _load_command(name: str) -> None:
    """Import the command's module (and what it imports) now, so that it is frozen with the rest of start-up."""
    from django.core.management import get_commands, load_command_class

    app = get_commands().get(name)
    if isinstance(app, str):
        load_command_class(app, name)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parceria.config.settings")
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
        if args[1] == "help" and len(args) > 2 and not args[2].startswith("-"):
            args[2] = args[2].replace("-", "_")
    import django
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    from parceria.common.heap import freeze_startup_heap

    if not any(a.startswith(("--settings", "--pythonpath")) for a in args):  # else Django applies them first
        try:
            django.setup()
        except ImproperlyConfigured:
            pass  # the command line says what is missing, as it always has
        else:
            _load_command(args[1] if len(args) > 1 else "")
            freeze_startup_heap()  # a long command (the close, the demo, the worker) no longer rescans start-up's heap
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
