"""Reads for enablement: progress of partner users, certification checklists and certificates held, the
onboarding schedule and overdue check-ins. The tier assessment reads `training_complete` and
`certifications_held` (both take many partners at once: two queries whatever their number)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from parceria.customers.models import Invoice
from parceria.enablement.models import (
    Certification,
    CheckIn,
    Course,
    DemoConfirmation,
    Enrolment,
    Module,
    OnboardingPlan,
    PartnerCertification,
)
from parceria.enablement.requirements import Checklist, Requirement
from parceria.enablement.schedule import check_in_dates
from parceria.partners.models import Partner, PartnerStatus

# --- courses and progress ---------------------------------------------------------------------------


def courses() -> QuerySet[Course]:
    """Active courses with their modules (two queries)."""
    return Course.objects.filter(is_active=True).prefetch_related(
        Prefetch("modules", queryset=Module.objects.order_by("position"))
    )


@dataclass
class CourseProgress:
    course: Course
    modules: list[Module]
    done_ids: set[int]
    enrolment: Enrolment | None  # the open enrolment, else the latest completed one
    completed_at: datetime | None  # the latest completion of the course by this user

    @property
    def done(self) -> int:
        return len(self.done_ids)

    @property
    def total(self) -> int:
        return len(self.modules)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def user_progress(user: Any, course_list: Iterable[Course] | None = None) -> list[CourseProgress]:
    """A user's progress in every course (the current enrolment per course): three or four queries."""
    items = list(course_list if course_list is not None else courses())
    enrolments: dict[int, Enrolment] = {}
    completed: dict[int, datetime] = {}
    mine = Enrolment.objects.filter(user=user, partner_id=user.partner_id)
    for e in mine.prefetch_related("completions").order_by("started_at", "id"):
        current = enrolments.get(e.course_id)
        if current is None or current.completed_at is not None:
            enrolments[e.course_id] = e  # an open enrolment wins over completed ones; else the latest
        if e.completed_at:
            completed[e.course_id] = max(e.completed_at, completed.get(e.course_id, e.completed_at))
    result = []
    for course in items:
        enrolment = enrolments.get(course.pk)
        done = {c.module_id for c in enrolment.completions.all()} if enrolment else set()
        result.append(CourseProgress(course, list(course.modules.all()), done, enrolment, completed.get(course.pk)))
    return result


def enrolment_for(user: Any, enrolment_id: int) -> Enrolment | None:
    """One of the user's own enrolments (None for anyone else's)."""
    return Enrolment.objects.select_related("course").filter(
        user=user, partner_id=user.partner_id, pk=enrolment_id).first()


@dataclass
class PartnerCourseRow:
    user_id: int
    username: str
    course_code: str
    modules_done: int
    modules_total: int
    started_at: datetime
    completed_at: datetime | None


def partner_progress(partner: Partner) -> list[PartnerCourseRow]:
    """Every enrolment of the partner's users with its module count (one query plus one for totals)."""
    totals = dict(Course.objects.annotate(n=Count("modules")).values_list("pk", "n"))
    rows = (
        Enrolment.objects.filter(partner=partner)
        .annotate(done=Count("completions"))
        .select_related("user", "course")
        .order_by("user__username", "course__position", "started_at")
    )
    return [
        PartnerCourseRow(e.user_id, e.user.username, e.course.code, e.done, totals.get(e.course_id, 0),
                         e.started_at, e.completed_at)
        for e in rows
    ]


# --- certifications --------------------------------------------------------------------------------


def is_held(certificate: PartnerCertification, now: datetime) -> bool:
    return certificate.issued_at <= now < certificate.expires_at


def certifications_held(partner_ids: Iterable[int], now: datetime) -> dict[int, set[str]]:
    """For tiers: the certification codes each partner holds at `now` (issued, not yet expired)."""
    ids = list(partner_ids)
    held: dict[int, set[str]] = {pk: set() for pk in ids}
    rows = PartnerCertification.objects.filter(partner_id__in=ids, issued_at__lte=now, expires_at__gt=now)
    for partner_id, code in rows.values_list("partner_id", "certification__code"):
        held[partner_id].add(code)
    return held


def core_courses_completed(partner_ids: Iterable[int], now: datetime | None = None) -> dict[int, set[str]]:
    """The core-programme courses some user of each partner completed (by `now`)."""
    ids = list(partner_ids)
    done: dict[int, set[str]] = {pk: set() for pk in ids}
    rows = Enrolment.objects.filter(partner_id__in=ids, course__in_core_program=True, completed_at__isnull=False)
    if now is not None:
        rows = rows.filter(completed_at__lte=now)
    for partner_id, code in rows.values_list("partner_id", "course__code").distinct():
        done[partner_id].add(code)
    return done


def training_complete(partner_ids: Iterable[int], now: datetime | None = None) -> dict[int, bool]:
    """For tiers: True for a partner whose users completed every course of the core training programme."""
    core = set(Course.objects.filter(in_core_program=True, is_active=True).values_list("code", flat=True))
    return {pk: bool(core) and core <= codes for pk, codes in core_courses_completed(partner_ids, now).items()}


def demo_confirmed(partner_ids: Iterable[int], now: datetime) -> set[int]:
    return set(DemoConfirmation.objects.filter(partner_id__in=list(partner_ids), confirmed_at__lte=now)
               .values_list("partner_id", flat=True))


def pilot_closed(partner_ids: Iterable[int], now: datetime) -> set[int]:
    """Partners with at least one attributed customer with a paid invoice (by `now`)."""
    rows = Invoice.objects.filter(customer__partner_id__in=list(partner_ids), paid_at__lte=now)
    return set(rows.values_list("customer__partner_id", flat=True).distinct())


def pilot_certification_candidates(partner_ids: Iterable[int]) -> list[int]:
    """Partners among `partner_ids` for which a paid invoice may be the last missing requirement of a certification
    (one query): some user completed the course of a certification that asks for a pilot customer, its product
    demo is confirmed if the certification asks for one, and the partner was never issued that certification."""
    ids = list(partner_ids)
    if not ids:
        return []
    pending = Certification.objects.filter(
        requires_pilot=True,
        course__enrolments__partner_id=OuterRef("pk"),
        course__enrolments__completed_at__isnull=False,
    ).filter(
        Q(requires_demo=False) | Exists(DemoConfirmation.objects.filter(partner_id=OuterRef(OuterRef("pk")))),
        ~Exists(PartnerCertification.objects.filter(partner_id=OuterRef(OuterRef("pk")), certification=OuterRef("pk"))),
    )
    return list(Partner.objects.filter(pk__in=ids).filter(Exists(pending)).order_by("pk").values_list("pk", flat=True))


def course_completions(partner: Partner) -> dict[int, list[tuple[datetime, int]]]:
    """Every completed course of the partner's users: course id → [(completed_at, user id)]."""
    done: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    rows = Enrolment.objects.filter(partner=partner, completed_at__isnull=False)
    for course_id, at, user_id in rows.values_list("course_id", "completed_at", "user_id"):
        if at is not None:
            done[course_id].append((at, user_id))
    return done


def latest_certificates(partner: Partner) -> dict[int, PartnerCertification]:
    latest: dict[int, PartnerCertification] = {}
    for cert in PartnerCertification.objects.filter(partner=partner).order_by("issued_at", "id"):
        latest[cert.certification_id] = cert
    return latest


def checklist(
    certification: Certification, *, last: PartnerCertification | None, demo: bool, pilot: bool,
    course_done: dict[int, list[tuple[datetime, int]]], now: datetime,
) -> Checklist:
    """The checklist of one certification for one partner. `course_done` maps a course id to the partner's
    completions (completed_at, user id). Once a certificate was issued, only evidence from its renewal
    window (`renewal_window_days` before its expiry) on counts, from the course or the renewal course."""
    since = last.expires_at - timedelta(days=certification.renewal_window_days) if last else None
    course_ids = [certification.course_id]
    if last and certification.renewal_course_id:
        course_ids.append(certification.renewal_course_id)
    evidence = sorted(
        (at, user_id) for cid in course_ids for at, user_id in course_done.get(cid, [])
        if at <= now and (since is None or at >= since)
    )
    requirements = [Requirement("course", bool(evidence))]
    if certification.requires_demo:
        requirements.append(Requirement("demo", demo))
    if certification.requires_pilot:
        requirements.append(Requirement("pilot", pilot))
    first = evidence[0] if evidence else (None, None)
    return Checklist(certification.pk, tuple(requirements), last is not None, first[0], first[1])


@dataclass
class CertificationStatus:
    certification: Certification
    checklist: Checklist
    latest: PartnerCertification | None
    held: bool
    history: list[PartnerCertification] = field(default_factory=list)


def partner_certifications(partner: Partner, now: datetime) -> list[CertificationStatus]:
    """Every certification of the programme with the partner's checklist and certificates (five queries)."""
    done = course_completions(partner)
    history: dict[int, list[PartnerCertification]] = defaultdict(list)
    for cert in PartnerCertification.objects.filter(partner=partner).order_by("-issued_at", "-id"):
        history[cert.certification_id].append(cert)
    demo = partner.pk in demo_confirmed([partner.pk], now)
    pilot = partner.pk in pilot_closed([partner.pk], now)
    result = []
    for certification in Certification.objects.select_related("course"):
        certs = history.get(certification.pk, [])
        last = certs[0] if certs else None
        check = checklist(certification, last=last, demo=demo, pilot=pilot, course_done=done, now=now)
        result.append(CertificationStatus(certification, check, last, bool(last and is_held(last, now)), certs))
    return result


def certificate_for(partner_id: int, certificate_id: int) -> PartnerCertification | None:
    """One certificate of the partner (None for another partner's)."""
    return (PartnerCertification.objects.select_related("certification", "partner", "earned_by")
            .filter(partner_id=partner_id, pk=certificate_id).first())


@dataclass
class PartnerEnablementRow:
    partner: Partner
    held: list[PartnerCertification]
    core_done: int
    core_total: int
    demo: bool
    pilot: bool


def enablement_rows(partners: list[Partner], now: datetime) -> list[PartnerEnablementRow]:
    """The console's certifications-by-partner table for one page of partners (five queries in all)."""
    ids = [p.pk for p in partners]
    held: dict[int, list[PartnerCertification]] = defaultdict(list)
    for cert in (PartnerCertification.objects.filter(partner_id__in=ids, issued_at__lte=now, expires_at__gt=now)
                 .select_related("certification").order_by("certification__position", "-expires_at")):
        held[cert.partner_id].append(cert)
    core_total = Course.objects.filter(in_core_program=True, is_active=True).count()
    core = core_courses_completed(ids, now)
    demo, pilot = demo_confirmed(ids, now), pilot_closed(ids, now)
    return [PartnerEnablementRow(p, held[p.pk], len(core[p.pk]), core_total, p.pk in demo, p.pk in pilot)
            for p in partners]


# --- onboarding --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduledCheckIn:
    due_on: date
    check_in: CheckIn | None
    overdue: bool


def onboarding_schedule(plan: OnboardingPlan, now: datetime, *, ahead_months: int = 2) -> list[ScheduledCheckIn]:
    """The plan's scheduled dates up to `ahead_months` after today, each with its logged check-in."""
    from parceria.common.months import add_months

    today = timezone.localdate(now)
    logged = {c.due_on: c for c in CheckIn.objects.filter(partner_id=plan.partner_id).select_related("logged_by")}
    return [ScheduledCheckIn(d, logged.get(d), d < today and d not in logged)
            for d in check_in_dates(plan.started_on, add_months(today, months=ahead_months))]


@dataclass(frozen=True)
class OverdueCheckIn:
    partner: Partner
    due_on: date
    days_late: int
    mine: bool


def overdue_check_ins(now: datetime, *, manager: Any = None) -> list[OverdueCheckIn]:
    """Scheduled check-ins whose date has passed (the day after it, in the platform's time zone) with no
    check-in logged. Partners managed by `manager` first, then by date. Three queries."""
    today = timezone.localdate(now)
    plans = list(OnboardingPlan.objects.exclude(partner__status=PartnerStatus.TERMINATED)
                 .filter(started_on__lt=today).select_related("partner__manager"))
    logged: dict[int, set[date]] = defaultdict(set)
    for partner_id, due_on in CheckIn.objects.filter(partner_id__in=[p.partner_id for p in plans]).values_list(
        "partner_id", "due_on"
    ):
        logged[partner_id].add(due_on)
    manager_id = getattr(manager, "pk", None)
    rows = [
        OverdueCheckIn(plan.partner, d, (today - d).days,
                       manager_id is not None and plan.partner.manager_id == manager_id)
        for plan in plans
        for d in check_in_dates(plan.started_on, today - timedelta(days=1))
        if d not in logged[plan.partner_id]
    ]
    return sorted(rows, key=lambda r: (not r.mine, r.due_on, r.partner.name, r.partner.pk))
