"""What `parceria alerts` reports for enablement: onboarding check-ins that are late."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from django.utils import timezone

from parceria.common.alerts import Alert


def late_check_ins(today: date, lead_days: int) -> Iterable[Alert]:
    from parceria.enablement.selectors import overdue_check_ins

    end_of_today = timezone.make_aware(datetime.combine(today, time(23, 59, 59)))
    for late in overdue_check_ins(end_of_today):
        yield Alert(
            late.due_on,
            "onboarding.check_in",
            late.partner.name,
            f"check-in of {late.due_on.isoformat()} is {late.days_late} days late",
        )
