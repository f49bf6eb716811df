"""`parceria leads_expire`: expire the lead offers whose deadline has passed and send their leads back to staff.
Safe to re-run (cron): an expired offer is not pending any more."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from parceria.common.audit import Actor
from parceria.leads.services import leads_expire


class Command(BaseCommand):
    help = "Expire lead offers past their deadline; their leads go back to staff."

    def handle(self, *args: Any, **options: Any) -> None:
        expired = leads_expire(actor=Actor.system("command:leads_expire"))
        self.stdout.write(f"{expired} lead offer(s) expired")
