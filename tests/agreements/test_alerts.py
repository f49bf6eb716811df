"""`parceria alerts`: renewals and notice deadlines within the lead window, at the boundary; read-only."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parceria.agreements.models import Agreement
from parceria.common.alerts import ALERT_PROVIDERS, Alert, alerts_due, register_alert_provider
from parceria.common.models import AuditRecord
from tests.agreements.helpers import make_agreement
from tests.factories import make_partner

pytestmark = pytest.mark.django_db


def _setup():
    partner = make_partner(name="Agência Sol")
    # renews 2026-03-01; notice deadline 2025-12-01 (90 days before)
    return make_agreement(partner, start_date=date(2024, 2, 29))


def _kinds(today: date, lead: int) -> list[tuple[str, date]]:
    return [(a.kind, a.due) for a in alerts_due(today, lead)]


def test_notice_deadline_exactly_lead_days_ahead_is_listed_one_more_is_not():
    _setup()
    assert _kinds(date(2025, 11, 1), 30) == [("agreement.notice_deadline", date(2025, 12, 1))]
    assert _kinds(date(2025, 10, 31), 30) == []
    assert _kinds(date(2025, 12, 1), 30) == [("agreement.notice_deadline", date(2025, 12, 1))]  # the day itself
    assert _kinds(date(2025, 12, 2), 30) == []  # passed


def test_renewal_exactly_lead_days_ahead_is_listed_one_more_is_not():
    _setup()
    assert _kinds(date(2026, 1, 30), 30) == [("agreement.renewal", date(2026, 3, 1))]
    assert _kinds(date(2026, 1, 29), 30) == []
    assert _kinds(date(2026, 3, 1), 0) == [("agreement.renewal", date(2026, 3, 1))]
    # the day after the renewal, the next term's dates are far away
    assert _kinds(date(2026, 3, 2), 30) == []


def test_only_active_agreements_alert_and_a_term_without_renewal_alerts_its_end():
    partner = make_partner()
    make_agreement(partner, start_date=date(2024, 2, 29), active=False)
    make_agreement(partner, "letter_of_intent", start_date=date(2025, 8, 31))  # 6 months: 31 Feb → 2026-03-01
    assert _kinds(date(2026, 1, 30), 30) == [("agreement.term_end", date(2026, 3, 1))]


def test_the_command_prints_one_line_per_alert_and_changes_nothing():
    agreement = _setup()
    before = (Agreement.objects.count(), AuditRecord.objects.count())
    out = StringIO()
    for _ in range(2):
        call_command("alerts", "--today", "2025-11-15", "--lead-days", "120", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[:2] == [
        f"2025-12-01  agreement.notice_deadline  Agência Sol: Channel partner agreement #{agreement.pk} — last day "
        "to give 90 days' notice is 2025-12-01",
        f"2026-03-01  agreement.renewal          Agência Sol: Channel partner agreement #{agreement.pk} — renews by "
        "itself on 2026-03-01",
    ]
    assert lines[2:] == lines[:2]  # idempotent
    assert (Agreement.objects.count(), AuditRecord.objects.count()) == before


def test_the_command_with_nothing_to_do_and_bad_options():
    out = StringIO()
    call_command("alerts", "--today", "2025-11-15", stdout=out)
    assert out.getvalue() == "nothing needs attention in the next 30 days\n"
    with pytest.raises(CommandError):
        call_command("alerts", "--today", "yesterday")
    with pytest.raises(CommandError):
        call_command("alerts", "--lead-days", "-1")


def test_other_apps_add_alert_providers():
    def overdue_check_ins(today: date, lead: int) -> list[Alert]:
        return [Alert(today, "onboarding.check_in_overdue", "Partner X", "weekly check-in overdue")]

    register_alert_provider(overdue_check_ins)
    try:
        assert _kinds(date(2025, 11, 15), 30) == [("onboarding.check_in_overdue", date(2025, 11, 15))]
    finally:
        ALERT_PROVIDERS.remove(overdue_check_ins)
