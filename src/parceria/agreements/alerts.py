"""What `parceria alerts` reports for agreements: renewals, notice deadlines and term ends within the lead window.
Registered in AgreementsConfig.ready (the registry is parceria.common.alerts)."""

from __future__ import annotations

from datetime import date

from parceria.agreements.dates import current_term_end, next_renewal_date, notice_deadline, within_lead
from parceria.agreements.models import Agreement, AgreementStatus
from parceria.common.alerts import Alert


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
