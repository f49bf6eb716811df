"""The daily agreements job: expiry of agreements that do not renew, renewals recorded for those that do, the
end of a rate override at termination or expiry (to the cent, never touching posted lines), and the command."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from parceria.agreements.dates import TermRule, expired_after, renewals_passed
from parceria.agreements.expiry import agreements_expire
from parceria.agreements.models import Agreement
from parceria.agreements.services import agreement_move, rate_override_grant
from parceria.commissions.models import LedgerLine
from parceria.common.audit import Actor
from parceria.common.models import AuditRecord
from parceria.partners.models import PartnerTerms
from parceria.partners.services import PartnerChanges, partner_update
from tests.agreements.helpers import make_agreement
from tests.factories import ACTOR, ingest, make_customer, make_partner, paid

pytestmark = pytest.mark.django_db
JOB = Actor.system("agreements-expire")


def _referral_rates(partner) -> list[tuple[str, D, D]]:
    rows = LedgerLine.objects.filter(partner=partner, kind="accrual").order_by("id")
    return list(rows.values_list("invoice_id", "rate", "amount"))


# --- the date rules ------------------------------------------------------------------------------------------


def test_renewals_passed_lists_each_term_end_before_the_day_after_the_recorded_one():
    rule = TermRule(start=date(2024, 2, 29), initial_term_months=24, auto_renewal=True, renewal_term_months=12)
    # terms end 2026-03-01 and 2027-03-01 (no 29 February: the 1st of the next month), then 2028-02-29
    assert renewals_passed(rule, after=None, on=date(2026, 3, 1)) == []  # the last day is still in force
    assert renewals_passed(rule, after=None, on=date(2026, 3, 2)) == [date(2026, 3, 1)]
    assert renewals_passed(rule, after=None, on=date(2028, 3, 1)) == [
        date(2026, 3, 1),
        date(2027, 3, 1),
        date(2028, 2, 29),
    ]
    assert renewals_passed(rule, after=date(2027, 3, 1), on=date(2028, 3, 1)) == [date(2028, 2, 29)]
    assert (
        renewals_passed(TermRule(start=date(2024, 1, 31), initial_term_months=1), after=None, on=date(2030, 1, 1)) == []
    )


def test_expired_after_gives_the_last_day_once_it_passed():
    rule = TermRule(start=date(2025, 1, 31), initial_term_months=1)  # ends 2025-03-01
    assert expired_after(rule, date(2025, 3, 1)) is None
    assert expired_after(rule, date(2025, 3, 2)) == date(2025, 3, 1)
    assert expired_after(TermRule(start=date(2025, 1, 1), end_date=date(2025, 6, 30)), date(2025, 7, 1)) == date(
        2025, 6, 30
    )
    assert expired_after(TermRule(start=date(2025, 1, 1)), date(2099, 1, 1)) is None  # open-ended
    renewing = TermRule(start=date(2025, 1, 1), initial_term_months=1, auto_renewal=True)
    assert expired_after(renewing, date(2026, 1, 1)) is None


# --- the job ---------------------------------------------------------------------------------------------------


def test_the_job_expires_what_ended_records_renewals_and_is_idempotent():
    partner = make_partner(name="Loja Norte")
    loi = make_agreement(partner, "letter_of_intent", start_date=date(2025, 8, 31))  # 6 months: ends 2026-03-01
    jbp = make_agreement(partner, "joint_business_plan", start_date=date(2025, 3, 2))  # 12 months: ends 2026-03-02
    cpa = make_agreement(partner, start_date=date(2024, 2, 29))  # 24 + 12 months: renews on 2026-03-01
    dpa = make_agreement(partner, "dpa", start_date=date(2020, 1, 1))  # open-ended
    draft = make_agreement(partner, "letter_of_intent", active=False, start_date=date(2020, 1, 1))

    run = agreements_expire(today=date(2026, 3, 2), actor=JOB)
    assert [(o.agreement_id, o.action, o.term_end, o.next_term_end) for o in run.outcomes] == [
        (loi.pk, "expired", date(2026, 3, 1), None),
        (cpa.pk, "renewed", date(2026, 3, 1), date(2027, 3, 1)),
    ]
    assert [o.line() for o in run.outcomes] == [
        f"expired  Loja Norte: Letter of intent #{loi.pk} — its term ended on 2026-03-01",
        f"renewed  Loja Norte: Channel partner agreement #{cpa.pk} — the term ending 2026-03-01 renewed until "
        "2027-03-01",
    ]
    assert run.summary() == "2026-03-02: 1 expired, 1 renewal(s) recorded"
    statuses = dict(Agreement.objects.values_list("pk", "status"))
    assert statuses == {loi.pk: "expired", jbp.pk: "active", cpa.pk: "active", dpa.pk: "active", draft.pk: "draft"}
    cpa.refresh_from_db()
    assert cpa.renewed_through == date(2026, 3, 1)
    renewed = AuditRecord.objects.get(action="agreement.renewed", object_id=str(cpa.pk))
    assert (renewed.before, renewed.after) == (
        {"renewed_through": None},
        {"renewed_through": "2026-03-01", "term_end": "2027-03-01"},
    )
    assert AuditRecord.objects.get(action="agreement.expired", object_id=str(loi.pk)).after["last_day"] == "2026-03-01"

    again = agreements_expire(today=date(2026, 3, 2), actor=JOB)
    assert (again.outcomes, again.summary()) == ([], "2026-03-02: no agreement expired or renewed")
    assert AuditRecord.objects.filter(action__in=["agreement.renewed", "agreement.expired"]).count() == 2

    later = agreements_expire(today=date(2028, 3, 2), actor=JOB)
    assert [(o.agreement_id, o.action, o.term_end) for o in later.outcomes] == [
        (jbp.pk, "expired", date(2026, 3, 2)),
        (cpa.pk, "renewed", date(2027, 3, 1)),
        (cpa.pk, "renewed", date(2028, 2, 29)),
    ]


def test_a_dry_run_writes_nothing():
    agreement = make_agreement(make_partner(), "letter_of_intent", start_date=date(2025, 1, 1))
    audits = AuditRecord.objects.count()
    run = agreements_expire(today=date(2026, 1, 1), actor=JOB, dry_run=True)
    assert [o.action for o in run.outcomes] == ["expired"]
    assert run.summary() == "2026-01-01: 1 expired, 0 renewal(s) recorded (dry run: nothing written)"
    agreement.refresh_from_db()
    assert agreement.status == "active"
    assert AuditRecord.objects.count() == audits


def test_the_command_prints_what_it_did_and_refuses_a_bad_date():
    partner = make_partner(name="Agência Sul")
    agreement = make_agreement(partner, "letter_of_intent", start_date=date(2025, 1, 1))  # ends 2025-07-01
    out = StringIO()
    call_command("agreements_expire", "--today", "2025-07-02", stdout=out)
    assert out.getvalue().splitlines() == [
        f"expired  Agência Sul: Letter of intent #{agreement.pk} — its term ended on 2025-07-01",
        "2025-07-02: 1 expired, 0 renewal(s) recorded",
    ]
    out = StringIO()
    call_command("agreements_expire", "--today", "2025-07-02", stdout=out)
    assert out.getvalue() == "2025-07-02: no agreement expired or renewed\n"
    with pytest.raises(CommandError, match="must be a date"):
        call_command("agreements_expire", "--today", "2025-02-30")


# --- the rate override ends ------------------------------------------------------------------------------------


def test_termination_ends_the_override_from_its_day_to_the_cent():
    partner = make_partner(tier="preferred")  # 25 %
    customer = make_customer(partner)
    agreement = make_agreement(partner, start_date=date(2026, 1, 1))
    rate_override_grant(agreement=agreement, rate="0.27", effective_from="2026-02-01", actor=ACTOR)
    ingest(paid(customer, "1234.56", invoice_id="inv_before", at="2026-03-31T23:59:59-03:00"))
    posted = _referral_rates(partner)
    agreement_move(agreement=agreement, status="terminated", actor=ACTOR, on=date(2026, 4, 1))
    ingest(
        paid(customer, "1234.56", invoice_id="inv_after", at="2026-04-01T00:00:00-03:00"),
        paid(customer, "1000.00", invoice_id="inv_late", at="2026-03-31T12:00:00-03:00"),  # arrives late
    )
    assert _referral_rates(partner) == [
        *posted,
        ("inv_after", D("0.2500"), D("308.6400")),
        ("inv_late", D("0.2700"), D("270.0000")),
    ]
    assert posted == [("inv_before", D("0.2700"), D("333.3312"))]
    latest = PartnerTerms.objects.filter(partner=partner).order_by("id").last()
    assert (latest.tier, latest.referral_rate_override) == ("preferred", None)
    assert AuditRecord.objects.get(action="agreement.rate_override_ended").after == {"from": "2026-04-01"}


def test_expiry_ends_the_override_the_day_after_the_last_day():
    partner = make_partner(tier="certified")  # 20 %
    customer = make_customer(partner)
    agreement = make_agreement(
        partner, "technology_integration", start_date=date(2025, 4, 1), auto_renewal=False, initial_term_months=12
    )  # the last day is 2026-04-01
    rate_override_grant(agreement=agreement, rate="0.3", effective_from="2025-04-01", actor=ACTOR)
    agreements_expire(today=date(2026, 4, 2), actor=JOB)
    ingest(
        paid(customer, "999.99", invoice_id="inv_last_day", at="2026-04-01T23:59:59-03:00"),
        paid(customer, "999.99", invoice_id="inv_expired", at="2026-04-02T00:00:00-03:00"),
    )
    assert _referral_rates(partner) == [
        ("inv_last_day", D("0.3000"), D("299.9970")),
        ("inv_expired", D("0.2000"), D("199.9980")),
    ]


def test_a_later_version_that_carried_the_override_forward_is_corrected():
    partner = make_partner(tier="certified")
    customer = make_customer(partner)
    agreement = make_agreement(partner, start_date=date(2025, 1, 1))
    rate_override_grant(agreement=agreement, rate="0.27", effective_from="2025-02-01", actor=ACTOR)
    partner_update(partner=partner, changes=PartnerChanges(tier="strategic"), actor=ACTOR)  # now: copies the override
    carried = PartnerTerms.objects.filter(partner=partner).order_by("id").last()
    assert carried.referral_rate_override == D("0.2700")
    agreement_move(agreement=agreement, status="terminated", actor=ACTOR, on=date(2025, 3, 1))
    ingest(
        paid(customer, "100.00", invoice_id="inv_march", at="2025-03-10T12:00:00-03:00"),
        paid(customer, "100.00", invoice_id="inv_now", at=carried.effective_from.isoformat()),
    )
    assert _referral_rates(partner) == [
        ("inv_march", D("0.2000"), D("20.0000")),
        ("inv_now", D("0.3000"), D("30.0000")),
    ]


def test_terminating_an_agreement_without_an_override_writes_no_terms_version():
    partner = make_partner(tier="preferred")
    agreement = make_agreement(partner)
    versions = PartnerTerms.objects.count()
    agreement_move(agreement=agreement, status="terminated", actor=ACTOR, on=date(2025, 6, 1))
    assert PartnerTerms.objects.count() == versions
    assert not AuditRecord.objects.filter(action="agreement.rate_override_ended").exists()
