"""The demo's enablement: partner users take the courses through the enablement services at their dates.

Each partner that joined has a training contact (a partner user; the showcase partner's are the printed demo
logins). During its pilot the contact works through the core programme (technical integration, product deep
dive, sales playbooks) module by module; staff confirm its product demo after the first customer pays, which
issues the certifications whose requirements are met; preferred and strategic partners also take the advanced
product certification; each year, inside the renewal window, the contact takes the recertification course.
The showcase partner's second user is half-way through the core programme, so the portal shows progress.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from parceria.accounts.models import Role, User
from parceria.accounts.services import user_create
from parceria.common.audit import Actor
from parceria.demo.clock import DemoClock
from parceria.demo.logins import PARTNER_LOGINS
from parceria.demo.partners import PartnerSpec
from parceria.demo.relations import join_day
from parceria.demo.timeline import DemoCalendar
from parceria.enablement.models import Course, DemoConfirmation, Module
from parceria.enablement.services import demo_confirm, enrolment_restart, module_complete
from parceria.partners.models import Partner, PartnerStatus, Tier

CORE_START_WEEKS = -5  # relative to the day the partner joined
DEMO_CONFIRMED_WEEKS = 6
ADVANCED_WEEKS = 26
RENEWAL_DAYS_BEFORE = 20
ADVANCED = "advanced-product"
RENEWAL = "recertification"


@dataclass(frozen=True)
class Lesson:
    """One enablement step of one partner at its moment: a module done, a course taken again, a demo confirmed."""

    when: datetime
    partner_index: int
    kind: str  # module, restart, demo
    module_id: int = 0
    course_id: int = 0
    username: str = ""


def _contact(spec: PartnerSpec, showcase: int | None) -> str:
    if spec.index == showcase:
        return PARTNER_LOGINS[0].username
    return f"treinamento.{spec.index:03d}@demo.parceria.example"


def training_contacts_create(
    specs: Sequence[PartnerSpec], ids: Sequence[int], showcase: int | None, actor: Actor
) -> None:
    """A partner user for each partner that joined (the showcase partner already has its demo users), without a
    usable password: not a demo login."""
    for spec in specs:
        if spec.join_month is None or spec.index == showcase:
            continue
        user_create(username=_contact(spec, showcase), password=None, role=Role.PARTNER_ADMIN,
                    email=_contact(spec, showcase), partner=Partner.objects.get(pk=ids[spec.index]), actor=actor)


def lessons_plan(specs: Sequence[PartnerSpec], calendar: DemoCalendar, clock: DemoClock,
                 showcase: int | None) -> list[Lesson]:
    """Every enablement step that has happened by now, in time order."""
    courses = {c.code: c for c in Course.objects.filter(is_active=True)}
    modules = {code: list(Module.objects.filter(course=course).order_by("position", "pk"))
               for code, course in courses.items()}
    core = [code for code, course in courses.items() if course.in_core_program]
    lessons: list[Lesson] = []
    for spec in specs:
        joined = join_day(spec, calendar)
        if joined is None:
            continue
        user = _contact(spec, showcase)
        day = joined + timedelta(weeks=CORE_START_WEEKS)
        for code in core:
            for module in modules[code]:
                lessons.append(Lesson(clock.office(day, 10 + len(lessons) % 8), spec.index, "module", module.pk,
                                      username=user))
                day += timedelta(days=2)
        lessons.append(Lesson(clock.office(joined + timedelta(weeks=DEMO_CONFIRMED_WEEKS), 15), spec.index, "demo"))
        if spec.tier in (Tier.PREFERRED, Tier.STRATEGIC) and ADVANCED in modules:
            day = joined + timedelta(weeks=ADVANCED_WEEKS)
            for module in modules[ADVANCED]:
                lessons.append(Lesson(clock.office(day, 14), spec.index, "module", module.pk, username=user))
                day += timedelta(days=3)
        if RENEWAL in modules and spec.final_status == PartnerStatus.ACTIVE:
            lessons += _renewals(spec, joined, modules[RENEWAL], courses[RENEWAL].pk, user, clock)
        if spec.index == showcase:
            second = PARTNER_LOGINS[1].username
            day = clock.now.date() - timedelta(days=12)
            for module in modules[core[0]][:2] + modules[core[1]][:3]:
                lessons.append(Lesson(clock.office(day, 11), spec.index, "module", module.pk, username=second))
                day += timedelta(days=2)
    return sorted((x for x in lessons if x.when < clock.now), key=lambda x: (x.when, x.partner_index, x.module_id))


def _renewals(spec: PartnerSpec, joined: date, modules: list[Module], course_id: int, user: str,
              clock: DemoClock) -> list[Lesson]:
    """The recertification course before each anniversary of the first certificate."""
    found: list[Lesson] = []
    first = joined + timedelta(weeks=DEMO_CONFIRMED_WEEKS)
    year = 1
    while True:
        day = date(first.year + year, first.month, min(first.day, 28)) - timedelta(days=RENEWAL_DAYS_BEFORE)
        if day >= clock.now.date():
            return found
        if year > 1:
            found.append(Lesson(clock.office(day, 9), spec.index, "restart", course_id=course_id, username=user))
        found += [Lesson(clock.office(day, 10), spec.index, "module", m.pk, username=user) for m in modules]
        year += 1


def lessons_run(lessons: Sequence[Lesson], ids: Sequence[int], clock: DemoClock, staff: Actor) -> int:
    users = {u.username: u for u in User.objects.filter(username__in={x.username for x in lessons if x.username})}
    modules = Module.objects.select_related("course").in_bulk({x.module_id for x in lessons if x.module_id})
    for lesson in lessons:
        with clock.at(lesson.when) as now:
            if lesson.kind == "demo":
                partner = Partner.objects.get(pk=ids[lesson.partner_index])
                if not DemoConfirmation.objects.filter(partner=partner).exists():
                    demo_confirm(partner=partner, confirmed_by=staff.user, actor=staff, now=now,
                                 note="Demonstração do produto apresentada ao gerente de parcerias.")
                continue
            user = users[lesson.username]
            actor = Actor(label=f"user:{user.username}", user=user)
            if lesson.kind == "restart":
                enrolment_restart(user=user, course_id=lesson.course_id, actor=actor, now=now)
            else:
                module_complete(user=user, module=modules[lesson.module_id], actor=actor, now=now)
    return len(lessons)
