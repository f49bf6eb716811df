from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parceria.accounts.models import ApiKeyScope
from parceria.accounts.services import api_key_create
from parceria.common.audit import Actor
from parceria.common.errors import ParceriaError


class Command(BaseCommand):
    help = "Create an API key. The key is shown once, alone on the last line of the output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scope", required=True, choices=ApiKeyScope.values)
        parser.add_argument("--partner", type=int, help="Partner id (required for --scope partner).")
        parser.add_argument("--name", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            issued = api_key_create(
                name=options["name"],
                scope=options["scope"],
                partner_id=options["partner"],
                actor=Actor.system("command:create-api-key"),
            )
        except ParceriaError as exc:
            raise CommandError(exc.message) from None
        key = issued.api_key
        self.stderr.write(f"Created {key.scope} key #{key.pk} {key.name!r}. Store it now: it is not shown again.")
        self.stdout.write(issued.raw_key)
