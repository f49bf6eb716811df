"""`parceria sealed-open PSEUDONYM --reason TEXT`: print the identifiers an anonymisation sealed under the fiscal hold
(docs/privacy.md#anonymisation), for an authority's question about an anonymised payee's income. Audited with the
reason; the pseudonym is the `subject_ref` of the anonymisation request."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parceria.common.audit import Actor
from parceria.common.errors import ParceriaError
from parceria.privacy.services import sealed_open


class Command(BaseCommand):
    help = "Print the identifiers sealed under a pseudonym (audited, with the reason)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pseudonym", help="The anonymisation request's subject reference (anon-…).")
        parser.add_argument("--reason", required=True, help="Who asked and under which procedure.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            opened = sealed_open(pseudonym_ref=options["pseudonym"], reason=options["reason"],
                                 actor=Actor.system("command:sealed-open"))
        except ParceriaError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(json.dumps(opened, indent=1, ensure_ascii=False, default=str))
