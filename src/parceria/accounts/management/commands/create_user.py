from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parceria.accounts.models import Role, partner_model
from parceria.accounts.services import user_create
from parceria.common.audit import Actor
from parceria.common.errors import ParceriaError


class Command(BaseCommand):
    help = "Create a staff or partner user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--partner", type=int, help="Partner id, for partner_admin and partner_member.")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="Asked for when not given.")

    def handle(self, *args: Any, **options: Any) -> None:
        partner = None
        if options["partner"] is not None:
            partner = partner_model()._default_manager.filter(pk=options["partner"]).first()
            if partner is None:
                raise CommandError(f"partner {options['partner']} does not exist")
        password = options["password"] or getpass.getpass("Password: ")
        try:
            user = user_create(
                username=options["username"],
                password=password,
                role=options["role"],
                email=options["email"],
                partner=partner,
                actor=Actor.system("command:create-user"),
            )
        except ParceriaError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Created {user.role} user {user.username!r} (#{user.pk}).")
