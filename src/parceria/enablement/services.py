"""Writes for enablement: module completion (which completes courses), product-demo confirmation,
certificate issue and renewal, onboarding plans and check-ins. Each issues certificates that became due."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.accounts.models import PARTNER_ROLES
from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import Conflict, InvalidInput, NotFound
from parceria.common.inputs import clean_text
from parceria.common.months import add_months
from parceria.enablement import selectors
from parceria.enablement.models import (
    Certification,
    CheckIn,
    DemoConfirmation,
    Enrolment,
    IssueBasis,
    Module,
    ModuleCompletion,
    OnboardingPlan,
    PartnerCertification,
)
from parceria.enablement.schedule import check_in_dates
from parceria.partners.models import Partner


def add_months_at(moment: datetime, months: int) -> datetime:
    """The same local time `months` later (clamped to the month's end)."""
    local = timezone.localtime(moment)
    day = add_months(local.date(), months=months)
    return local.replace(year=day.year, month=day.month, day=day.day)


def _partner_user(user: Any) -> None:
    if user.role not in PARTNER_ROLES or user.partner_id is None:
        raise InvalidInput(_("only partner users take courses"), code="not_a_partner_user")


@transaction.atomic
def module_complete(*, user: Any, module: Module, actor: Actor, now: datetime | None = None) -> Enrolment:
    """Mark `module` done for `user` (starting an enrolment if needed). Completing the last module completes
    the course, then every certification that became due is issued. Completing a done module is a no-op."""
    _partner_user(user)
    now = now or timezone.now()
    if not module.course.is_active:
        raise NotFound(_("no such course"))
    enrolment = (Enrolment.objects.select_for_update().filter(user=user, partner_id=user.partner_id,
                                                              course_id=module.course_id,
                                                              completed_at__isnull=True).first())
    if enrolment is None:
        enrolment = Enrolment.objects.create(user=user, partner_id=user.partner_id, course_id=module.course_id,
                                             started_at=now)
    ModuleCompletion.objects.get_or_create(enrolment=enrolment, module=module, defaults={"completed_at": now})
    remaining = Module.objects.filter(course_id=module.course_id).exclude(
        pk__in=enrolment.completions.values("module_id")).exists()
    if not remaining:
        enrolment.completed_at = now
        enrolment.save(update_fields=["completed_at"])
        audit_record_create(actor=actor, action="enablement.course_completed", obj=enrolment,
                            after={"user": user.pk, "course": module.course.code, "at": now.isoformat()})
        certifications_issue_due(partner=user.partner, actor=actor, now=now)
    return enrolment


@transaction.atomic
def enrolment_restart(*, user: Any, course_id: int, actor: Actor, now: datetime | None = None) -> Enrolment:
    """Take a course again (after completing it): a new, empty enrolment. An open one is returned as is."""
    _partner_user(user)
    now = now or timezone.now()
    open_one = Enrolment.objects.filter(user=user, partner_id=user.partner_id, course_id=course_id,
                                        completed_at__isnull=True).first()
    if open_one is not None:
        return open_one
    enrolment = Enrolment.objects.create(user=user, partner_id=user.partner_id, course_id=course_id, started_at=now)
    audit_record_create(actor=actor, action="enablement.course_restarted", obj=enrolment, after={"course": course_id})
    return enrolment


@transaction.atomic
def demo_confirm(*, partner: Partner, confirmed_by: Any, actor: Actor, note: str = "",
                 now: datetime | None = None) -> DemoConfirmation:
    """Staff confirm the partner's product demo (once), then due certifications are issued."""
    now = now or timezone.now()
    note = clean_text(note, field="note", max_length=500, required=False)
    if DemoConfirmation.objects.filter(partner=partner).exists():
        raise Conflict(_("the product demo of this partner is already confirmed"),
                       code="demo_already_confirmed")
    try:
        with transaction.atomic():
            demo = DemoConfirmation.objects.create(partner=partner, confirmed_by=confirmed_by, confirmed_at=now,
                                                   note=note)
    except IntegrityError as exc:
        raise Conflict(_("the product demo of this partner is already confirmed"),
                       code="demo_already_confirmed") from exc
    audit_record_create(actor=actor, action="enablement.demo_confirmed", obj=partner,
                        after={"at": now.isoformat(), "note": note})
    certifications_issue_due(partner=partner, actor=actor, now=now)
    return demo


@transaction.atomic
def certifications_issue_due(
    *, partner: Partner, actor: Actor, now: datetime | None = None
) -> list[PartnerCertification]:
    """Issue (or renew) every certification whose requirements the partner meets at `now` and that it does
    not hold, or holds inside the renewal window with fresh evidence. The partner row is locked so two
    completions at once issue one certificate."""
    now = now or timezone.now()
    Partner.objects.select_for_update().filter(pk=partner.pk).first()
    done = selectors.course_completions(partner)
    latest = selectors.latest_certificates(partner)
    demo = partner.pk in selectors.demo_confirmed([partner.pk], now)
    pilot = partner.pk in selectors.pilot_closed([partner.pk], now)
    issued = []
    for certification in Certification.objects.all():
        last = latest.get(certification.pk)
        check = selectors.checklist(certification, last=last, demo=demo, pilot=pilot, course_done=done, now=now)
        if check.met:
            issued.append(_issue(partner, certification, last, check.earned_by_id, actor, now))
    return issued


def certifications_issue_after_payment(*, partner_ids: Iterable[int], actor: Actor, now: datetime) -> list[
    PartnerCertification
]:
    """After the intake recorded paid invoices for `partner_ids`: issue the certifications whose last missing
    requirement was a pilot customer. One query finds the few partners with such a pending certification;
    only those are checked in full. Runs inside the intake's transaction, once per batch."""
    issued: list[PartnerCertification] = []
    candidates = selectors.pilot_certification_candidates(partner_ids)
    for partner in Partner.objects.filter(pk__in=candidates).order_by("pk"):
        issued.extend(certifications_issue_due(partner=partner, actor=actor, now=now))
    return issued


def _issue(partner: Partner, certification: Certification, last: PartnerCertification | None,
           earned_by_id: int | None, actor: Actor, now: datetime) -> PartnerCertification:
    start = last.expires_at if last and selectors.is_held(last, now) else now
    cert = PartnerCertification.objects.create(
        partner=partner, certification=certification, issued_at=now,
        expires_at=add_months_at(start, certification.validity_months),
        basis=IssueBasis.RENEWAL if last else IssueBasis.REQUIREMENTS, renews=last, earned_by_id=earned_by_id,
    )
    audit_record_create(actor=actor, action="enablement.certification_issued", obj=cert,
                        after={"partner": partner.pk, "certification": certification.code, "basis": cert.basis,
                               "expires_at": cert.expires_at.isoformat()})
    return cert


# --- onboarding --------------------------------------------------------------------------------------


@transaction.atomic
def onboarding_start(*, partner: Partner, started_on: date, actor: Actor) -> OnboardingPlan:
    """Start (or move the start of) a partner's onboarding plan. Moving it is refused once check-ins exist."""
    plan = OnboardingPlan.objects.select_for_update().filter(partner=partner).first()
    if plan is None:
        plan = OnboardingPlan.objects.create(partner=partner, started_on=started_on)
    elif plan.started_on != started_on:
        if CheckIn.objects.filter(partner=partner).exists():
            raise Conflict(_("check-ins are already logged against this plan; its start can no longer move"),
                           details={"field": "started_on"})
        before = plan.started_on.isoformat()
        plan.started_on = started_on
        plan.save(update_fields=["started_on"])
        audit_record_create(actor=actor, action="enablement.onboarding_moved", obj=partner,
                            before={"started_on": before}, after={"started_on": started_on.isoformat()})
        return plan
    else:
        return plan
    audit_record_create(actor=actor, action="enablement.onboarding_started", obj=partner,
                        after={"started_on": started_on.isoformat()})
    return plan


@transaction.atomic
def check_in_log(*, partner: Partner, held_on: date, logged_by: Any, actor: Actor, notes: str = "",
                 today: date | None = None) -> CheckIn:
    """Log a check-in against the earliest scheduled date not yet fulfilled."""
    today = today or timezone.localdate()
    plan = OnboardingPlan.objects.filter(partner=partner).first()
    if plan is None:
        raise InvalidInput(_("this partner has no onboarding plan yet: start it first"), code="no_onboarding_plan")
    if held_on > today:
        raise InvalidInput(_("a check-in cannot be logged before it happens"), details={"field": "held_on"})
    if held_on < plan.started_on:
        raise InvalidInput(_("the check-in is before the onboarding started"), details={"field": "held_on"})
    logged = set(CheckIn.objects.select_for_update().filter(partner=partner).values_list("due_on", flat=True))
    horizon = add_months(max(held_on, today), months=2)
    due_on = next(d for d in check_in_dates(plan.started_on, horizon) if d not in logged)
    check_in = CheckIn.objects.create(partner=partner, due_on=due_on, held_on=held_on, logged_by=logged_by,
                                      notes=notes)
    audit_record_create(actor=actor, action="enablement.check_in_logged", obj=check_in,
                        after={"partner": partner.pk, "due_on": due_on.isoformat(), "held_on": held_on.isoformat()})
    return check_in
