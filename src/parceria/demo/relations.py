"""The demo's partner relationships: each partner's way through the lifecycle and its agreements, consistent with
its history, through the lifecycle and agreement services at the time each step happened.

A partner that joined (its first referrals) was identified and evaluated about five months earlier, engaged
(a signed letter of intent), ran a pilot from six weeks before joining, launched ten weeks after (once pilot
customers paid) and moved to optimisation six weeks later (some that joined during the window take longer: a
pilot past its twelve weeks, a slow launch); a terminated partner churned; prospects are still
being researched or engaged, and one was turned down. A partner's channel partner agreement (technology
integration agreement for integration partners) starts when it joins, with the type's two-year term and yearly
auto-renewal; a few renew within the next weeks; strategic and some preferred partners have an approved joint
business plan for the year; some have a data processing agreement. The nightly expiry run (`agreements_expire`)
runs at each month's end, so letters of intent expire and auto-renewals are recorded when they happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from parceria.agreements.expiry import agreements_expire
from parceria.agreements.models import AgreementStatus, AgreementType
from parceria.agreements.services import AgreementFields, agreement_create, agreement_move, joint_business_plan_decide
from parceria.common.audit import Actor
from parceria.demo.clock import DemoClock
from parceria.demo.partners import TECH, PartnerSpec
from parceria.demo.timeline import DemoCalendar
from parceria.partners.evaluation import CRITERIA, evaluation_create
from parceria.partners.lifecycle import GateFailed, checklist_tick, lifecycle_move
from parceria.partners.lifecycle_data import STAGES, Stage
from parceria.partners.models import Partner, PartnerLifecycle, PartnerStatus, Tier

#: When each stage is entered, relative to the day a partner joined (weeks).
STAGE_OFFSETS = ((Stage.ENGAGEMENT, -19), (Stage.PILOT, -6), (Stage.LAUNCH, 10), (Stage.OPTIMISATION, 16))
#: Some partners that joined during the window take longer: a long pilot (overdue), a slow launch.
SLOW_STAGE_OFFSETS = ((Stage.ENGAGEMENT, -19), (Stage.PILOT, -6), (Stage.LAUNCH, 24), (Stage.OPTIMISATION, 40))
IDENTIFIED_WEEKS_BEFORE = 22
OVERRIDE_REASON = "Pilot customers came through the partner's own pilot before it used the portal; evidence in the CRM."


def join_day(spec: PartnerSpec, calendar: DemoCalendar) -> date | None:
    """The day a partner joined (its first referrals could sign up), or None for a prospect."""
    if spec.join_month is None:
        return None
    return calendar.day(spec.join_month, 1 + spec.index % 27)


def identified_at(spec: PartnerSpec, calendar: DemoCalendar, today: date) -> date:
    """When a partner entered the pipeline (its record was created)."""
    joined = join_day(spec, calendar)
    if joined is None:
        return today - timedelta(days=10 + 9 * (spec.index % 9))
    return joined - timedelta(weeks=IDENTIFIED_WEEKS_BEFORE)


@dataclass(frozen=True)
class Step:
    """One lifecycle move of one partner, at its moment."""

    when: datetime
    partner_index: int
    to: str
    reason: str = ""


def lifecycle_plan(specs: Sequence[PartnerSpec], calendar: DemoCalendar, clock: DemoClock) -> list[Step]:
    """Every planned move that has happened by now, in time order."""
    steps: list[Step] = []
    today = clock.now.date()
    for spec in specs:
        joined = join_day(spec, calendar)
        if joined is None:
            steps += _prospect_steps(spec, today, clock)
            continue
        slow = spec.join_month is not None and spec.join_month >= 0 and spec.index % 3 == 2
        for stage, weeks in SLOW_STAGE_OFFSETS if slow else STAGE_OFFSETS:
            steps.append(Step(clock.office(joined + timedelta(weeks=weeks), 10), spec.index, stage))
        if spec.final_status == PartnerStatus.TERMINATED and spec.status_change_month is not None:
            day = calendar.first_day(spec.status_change_month)
            steps.append(Step(clock.office(day, 9), spec.index, Stage.CHURNED,
                              "The partnership was terminated: the agreement ended with notice."))
    return sorted((s for s in steps if s.when < clock.now), key=lambda s: (s.when, s.partner_index))


def _prospect_steps(spec: PartnerSpec, today: date, clock: DemoClock) -> list[Step]:
    created = identified_at(spec, DemoCalendar(today, 1), today)
    kind = spec.index % 3
    if kind == 1:
        return [Step(clock.office(created + timedelta(days=6), 11), spec.index, Stage.ENGAGEMENT)]
    if kind == 2:
        return [Step(clock.office(created + timedelta(days=5), 16), spec.index, Stage.REJECTED,
                     "Low customer overlap and no capacity for an integration this year.")]
    return []


def lifecycle_steps_run(steps: Sequence[Step], ids: Sequence[int], clock: DemoClock, actor: Actor) -> int:
    """Make each move through lifecycle_move, ticking the exit checklist (with evidence) and evaluating the
    partner first, as a partner manager would. A gate still failing (too few paying pilot customers) is overridden
    with a written reason, which the history records."""
    for step in steps:
        partner = Partner.objects.get(pk=ids[step.partner_index])
        with clock.at(step.when) as now:
            row = PartnerLifecycle.objects.filter(partner=partner).first()
            current = row.stage if row is not None else Stage.IDENTIFICATION
            if step.to not in (Stage.REJECTED, Stage.CHURNED):
                _prepare_exit(partner, current, actor, now)
            try:
                lifecycle_move(partner=partner, to=step.to, reason=step.reason, actor=actor, now=now)
            except GateFailed:
                lifecycle_move(partner=partner, to=step.to, reason=OVERRIDE_REASON, override=True, actor=actor,
                               now=now)
    return len(steps)


def _prepare_exit(partner: Partner, stage: str, actor: Actor, now: datetime) -> None:
    if stage == Stage.IDENTIFICATION:
        scores = {c: 5 + (partner.pk * (i + 3)) % 5 for i, c in enumerate(CRITERIA)}
        evaluation_create(partner=partner, scores=scores, actor=actor, at=now - timedelta(days=3))
    for item in STAGES[stage].checklist:
        checklist_tick(partner=partner, stage=stage, item=item.key, done=True, actor=actor, now=now,
                       evidence=f"{item.label} — registrado na reunião de {now:%d/%m/%Y}.")


# --- agreements -------------------------------------------------------------------------------------------


def agreements_create(specs: Sequence[PartnerSpec], ids: Sequence[int], calendar: DemoCalendar, clock: DemoClock,
                      actor: Actor) -> int:
    """The agreements of every partner, signed and activated at their dates. Returns how many."""
    today = clock.now.date()
    made = 0
    for spec in specs:
        partner = Partner.objects.get(pk=ids[spec.index])
        joined = join_day(spec, calendar)
        if joined is None:
            if spec.index % 3 == 1:
                made += _agreement(partner, AgreementType.LETTER_OF_INTENT, today - timedelta(days=20), clock,
                                   actor, title="Carta de intenções: piloto com 3 clientes")
            continue
        made += _agreement(partner, AgreementType.LETTER_OF_INTENT, joined - timedelta(weeks=7), clock, actor,
                           title="Carta de intenções do piloto")
        kind = AgreementType.TECHNOLOGY_INTEGRATION if spec.category == TECH else AgreementType.CHANNEL_PARTNER
        start = joined
        if spec.index % 10 in (1, 6) and spec.final_status == PartnerStatus.ACTIVE and (spec.join_month or 0) < 0:
            start = _months_before(today + timedelta(days=25 + spec.index % 40), 24)  # renews within weeks
        main = _agreement(partner, kind, start, clock, actor, title=str(AgreementType(kind).label))
        made += main
        if spec.final_status == PartnerStatus.TERMINATED and spec.status_change_month is not None:
            ended = calendar.first_day(spec.status_change_month)
            agreement = partner.agreements.get(type=kind)
            with clock.at(clock.office(ended, 9, 30)):
                agreement_move(agreement=agreement, status=AgreementStatus.TERMINATED, on=max(ended, start),
                               actor=actor)
        planned = spec.tier == Tier.STRATEGIC or (spec.tier == Tier.PREFERRED and spec.index % 2 == 0)
        if planned and spec.final_status == PartnerStatus.ACTIVE:
            made += _agreement(partner, AgreementType.JOINT_BUSINESS_PLAN, date(today.year, 1, 15), clock,
                               actor, title=f"Plano de negócios conjunto {today.year}", approve=True)
        if spec.index % 3 == 0:
            made += _agreement(partner, AgreementType.DPA, start, clock, actor,
                               title="Acordo de tratamento de dados")
    return made


def _months_before(day: date, months: int) -> date:
    serial = day.year * 12 + day.month - 1 - months
    return date(serial // 12, serial % 12 + 1, min(day.day, 28))


def _agreement(partner: Partner, kind: str, start: date, clock: DemoClock, actor: Actor, *, title: str,
               approve: bool = False) -> int:
    signed = start - timedelta(days=4)
    with clock.at(clock.office(signed, 15)):
        agreement = agreement_create(
            partner=partner, actor=actor,
            fields=AgreementFields(type=kind, start_date=start, signed_on=signed, title=title),
        )
        agreement = agreement_move(agreement=agreement, status=AgreementStatus.ACTIVE, actor=actor)
        if approve:
            joint_business_plan_decide(agreement=agreement, approve=True, actor=actor)
    return 1


def agreements_expire_at(day: date, clock: DemoClock, actor: Actor) -> int:
    """The nightly expiry run of `day`: terms that ended expire, auto-renewals are recorded."""
    with clock.at(clock.moment(day, 23, 30)):
        return len(agreements_expire(today=min(day, clock.now.date()), actor=actor).outcomes)
