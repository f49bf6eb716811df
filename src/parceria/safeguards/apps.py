from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class SafeguardsConfig(AppConfig):
    name = "parceria.safeguards"
    label = "safeguards"

    def ready(self) -> None:
        from parceria.safeguards import personal_data

        personal_data.register()

        from parceria.customers.attribution import on_attributed

        on_attributed(_check_attributed)


def _check_attributed(customer: Any, partner_id: int, actor: Any) -> None:
    """A claim just attributed `customer`: a self-referral is flagged at once (the scan finds the rest)."""
    from parceria.safeguards.services import customer_check

    customer_check(customer_id=customer.pk, actor=actor)
