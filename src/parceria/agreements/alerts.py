"""What needs attention today (`parceria alerts`): a list of alert providers, each a function of the day
that returns alerts. Agreements register theirs here; lifecycle (overdue stages) and enablement (overdue
check-ins) add theirs with `register_alert_provider` (e.g. in their AppConfig.ready)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings

from parceria.agreements.dates import current_term_end, next_renewal_date, notice_deadline, within_lead
from parceria.agreements.models import Agreement, AgreementStatus

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

#: The providers `parceria alerts` asks, in order. Extension point for lifecycle and enablement.
ALERT_PROVIDERS: list[AlertProvider] = []


def register_alert_provider(provider: AlertProvider) -> AlertProvider:
    if provider not in ALERT_PROVIDERS:
        ALERT_PROVIDERS.append(provider)
    return provider


def lead_days_setting() -> int:
    return int(getattr(settings, "AGREEMENT_ALERT_LEAD_DAYS", DEFAULT_LEAD_DAYS))


@register_alert_provider
def agreement_alerts(today: date, lead_days: int) -> list[Alert]:
    """Active agreements whose renewal or notice deadline falls from today to `lead_days` ahead."""
    alerts = []
    for agreement in Agreement.objects.filter(status=AgreementStatus.ACTIVE).select_related("partner"):
        subject = f"{agreement.partner.name}: {agreement.get_type_display()} #{agreement.pk}"
        rule = agreement.rule
        renewal = next_renewal_date(rule, today)
        deadline = notice_deadline(rule, today)
        if renewal is not None and within_lead(renewal, today, lead_days):
            alerts.append(Alert(renewal, "agreement.renewal", subject, f"renews by itself on {renewal.isoformat()}"))
        if deadline is not None and agreement.notice_days and within_lead(deadline, today, lead_days):
            alerts.append(Alert(deadline, "agreement.notice_deadline", subject,
                                f"last day to give {agreement.notice_days} days' notice is {deadline.isoformat()}"))
        if renewal is None:
            end = current_term_end(rule, today)
            if within_lead(end, today, lead_days):
                assert end is not None
                alerts.append(Alert(end, "agreement.term_end", subject, f"ends on {end.isoformat()} (no renewal)"))
    return alerts


def alerts_due(today: date, lead_days: int | None = None) -> list[Alert]:
    lead = lead_days_setting() if lead_days is None else lead_days
    found: list[Alert] = []
    for provider in ALERT_PROVIDERS:
        found.extend(provider(today, lead))
    return sorted(found)
