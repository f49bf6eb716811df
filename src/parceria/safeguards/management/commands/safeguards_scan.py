from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from parceria.common.audit import Actor
from parceria.safeguards.models import FlagKind
from parceria.safeguards.services import safeguards_scan


class Command(BaseCommand):
    help = ("Look for attribution abuse (self-referrals, shared payout accounts, refund rates far above peers, click "
            "bursts) and raise a flag for new evidence. Safe to run again: evidence already flagged is not "
            "flagged twice.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = safeguards_scan(actor=Actor.system("command:safeguards_scan"))
        for kind in FlagKind:
            self.stdout.write(f"{kind.value}: {result.found[kind.value]} found, {result.raised[kind.value]} new")
        self.stdout.write(f"total: {sum(result.found.values())} found, {sum(result.raised.values())} new")
