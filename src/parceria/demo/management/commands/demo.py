from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Load the demo partner program (deterministic from --seed) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--partners", type=int, default=60)
        parser.add_argument("--customers", type=int, default=5000)
        parser.add_argument("--months", type=int, default=18)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("The demo generator is not installed yet.")
