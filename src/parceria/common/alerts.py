"""What needs attention today (`parceria alerts`): a list of alert providers, each a function of the day and the lead
window (days ahead) that returns alerts. Each app registers its providers with `register_alert_provider` in its
AppConfig.ready: agreements (renewals, notice deadlines), the partner lifecycle (overdue stages), enablement (late
check-ins)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings

DEFAULT_LEAD_DAYS = 30


@dataclass(frozen=True, order=True)
class Alert:
    due: date
    kind: str  # e.g. agreement.renewal, agreement.notice_deadline
    subject: str  # who or what it is about
    message: str

    def line(self) -> str:
        return f"{self.due.isoformat()}  {self.kind:<26} {self.subject} — {self.message}"


AlertProvider = Callable[[date, int], Iterable[Alert]]

#: The providers `parceria alerts` asks, in order of registration.
ALERT_PROVIDERS: list[AlertProvider] = []


def register_alert_provider(provider: AlertProvider) -> AlertProvider:
    if provider not in ALERT_PROVIDERS:
        ALERT_PROVIDERS.append(provider)
    return provider


def lead_days_setting() -> int:
    return int(getattr(settings, "AGREEMENT_ALERT_LEAD_DAYS", DEFAULT_LEAD_DAYS))


def alerts_due(today: date, lead_days: int | None = None) -> list[Alert]:
    lead = lead_days_setting() if lead_days is None else lead_days
    found: list[Alert] = []
    for provider in ALERT_PROVIDERS:
        found.extend(provider(today, lead))
    return sorted(found)
