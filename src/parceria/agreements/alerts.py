"""What `parceria alerts` reports for agreements: renewals, notice deadlines and term ends within the lead window.
Registered in AgreementsConfig.ready (the registry is parceria.common.alerts)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from parceria.agreements.dates import current_term_end, next_renewal_date, notice_deadline, within_lead
from parceria.agreements.models import Agreement, AgreementStatus
from parceria.common.alerts import Alert
from parceria.webhooks.outbox import emit


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


def renewals_due_emit(today: date, lead_days: int) -> int:
    """The `agreement.renewal_due` webhook event of each renewal alert, once per agreement and renewal date
    (docs/webhooks.md); run by the daily `parceria agreements-expire`. Answers how many were written."""
    written = 0
    for agreement in Agreement.objects.filter(status=AgreementStatus.ACTIVE).select_related("partner"):
        renewal = next_renewal_date(agreement.rule, today)
        if renewal is None or not within_lead(renewal, today, lead_days):
            continue
        data = {"agreement_id": agreement.pk, "type": agreement.type, "renewal_date": renewal,
                "notice_days": agreement.notice_days}
        with transaction.atomic():
            key = f"{agreement.pk}:{renewal}"
            written += emit("agreement.renewal_due", partner=agreement.partner, data=data, once_key=key) is not None
    return written
