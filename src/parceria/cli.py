"""The `parceria` command: Django's management commands with hyphenated names allowed.

parceria migrate | serve | demo | create-api-key | create-user | import-events | …
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parceria.config.settings")
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
        if args[1] == "help" and len(args) > 2 and not args[2].startswith("-"):
            args[2] = args[2].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
