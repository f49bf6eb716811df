"""What `parceria alerts` reports for the lifecycle: partners past their stage's maximum duration."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from django.utils import timezone

from parceria.common.alerts import Alert


def overdue_stages(today: date, lead_days: int) -> Iterable[Alert]:
    from parceria.partners.lifecycle import board

    end_of_today = timezone.make_aware(datetime.combine(today, time(23, 59, 59)))
    for stage, cards in board(now=end_of_today).items():
        for card in cards:
            if card.state.overdue:
                yield Alert(
                    today,
                    "lifecycle.overdue",
                    card.partner.name,
                    f"{stage.label}: {card.state.days_in_stage} days in the stage, "
                    f"past its {card.state.max_weeks} weeks",
                )
