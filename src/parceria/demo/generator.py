"""The demo partner program, generated from a seed and loaded through the real services and intake.

    from parceria.demo.generator import generate
    summary = generate(seed=2026, partners=60, customers=5000, months=18)

The plan (partners, customers, their timelines) is made first from named random streams derived from the
seed, without touching the database; then partners are registered, and month by month the customers that
signed up are created and the month's events stream through `events_ingest` in batches of 1,000, so the
ledger is the one real events produce. Memory stays bounded: one batch of events at a time, plus one small
record per customer. The same seed, sizes and end month give the same program, names, events and ledger.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from django.utils import timezone

from parceria.accounts.models import User
from parceria.commissions.intake import events_ingest
from parceria.commissions.models import LedgerLine
from parceria.common.audit import Actor
from parceria.common.dbsum import exact_sums
from parceria.customers.models import EventSource
from parceria.demo.billing import Month, customer_month_events
from parceria.demo.clock import DemoClock
from parceria.demo.community import community_create
from parceria.demo.customers import CustomerSpec, customers_create, plan_customers
from parceria.demo.deals import conflicts_register, deal_customers, deal_customers_create, prospects_register
from parceria.demo.disputes import Cast, disputes_schedule, just_opened
from parceria.demo.figures import figures_record, plan_figures
from parceria.demo.growth import applications_create, directory_listings_create
from parceria.demo.history import (
    HistorySummary,
    Office,
    fx_rates_import,
    month_close_and_pay,
    rejected_events_send,
)
from parceria.demo.logins import BRAZIL_MANAGER, FINANCE, SECOND_APPROVER, Login, demo_users_create
from parceria.demo.marketing import marketing_create
from parceria.demo.mdf import mdf_story
from parceria.demo.partners import (
    PartnerSpec,
    partners_change_status,
    partners_create,
    plan_partners,
    showcase_partner_index,
)
from parceria.demo.privacy import privacy_create
from parceria.demo.progress import NoProgress, ProgressSink
from parceria.demo.relations import (
    agreements_create,
    agreements_expire_at,
    identified_at,
    lifecycle_plan,
    lifecycle_steps_run,
)
from parceria.demo.timeline import DemoCalendar, previous_month
from parceria.demo.training import lessons_plan, lessons_run, training_contacts_create
from parceria.notifications.services import pending_skip
from parceria.tiers.assessment import tiers_assess

BATCH_SIZE = 1000
SUBMITTED_BY = "demo"
ACTOR_LABEL = "demo"


def demo_rng(seed: int, stream: str) -> random.Random:
    """A generator for one part of the plan. Separate streams keep, say, the customers the same when
    only the way partner names are drawn changes."""
    return random.Random(f"parceria-demo:{seed}:{stream}")


@dataclass(frozen=True)
class DemoPlan:
    calendar: DemoCalendar
    partners: list[PartnerSpec]
    customers: list[CustomerSpec]


def plan_program(*, seed: int, partners: int, customers: int, calendar: DemoCalendar) -> DemoPlan:
    """The whole program, decided without the database."""
    partner_specs = plan_partners(demo_rng(seed, "partners"), partners, calendar.months)
    customer_specs = plan_customers(demo_rng(seed, "customers"), customers, partner_specs, calendar.months)
    return DemoPlan(calendar, partner_specs, customer_specs)


def month_events(plan: DemoPlan, month: int, partner_ids: Sequence[int], rng: random.Random) -> Iterator[list[dict]]:
    """Each billed or leaving customer's events of `month`, customer by customer (mutates plans and seats)."""
    context = Month.of(plan.calendar, month, plan.partners, partner_ids)
    for customer in plan.customers:
        if customer.start_month > month:
            break  # customers are in order of sign-up
        if customer.churn_month is not None and customer.churn_month < month:
            continue
        yield customer_month_events(customer, context, rng)


@dataclass
class DemoSummary:
    """What a demo load created."""

    seed: int
    first_month: str
    end_month: str
    partners: int = 0
    customers: int = 0
    events: int = 0
    rejected: int = 0
    rejections: list[str] = field(default_factory=list)
    ledger_lines: int = 0
    events_by_type: dict[str, int] = field(default_factory=dict)
    ledger_by_currency: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    partner_ids: list[int] = field(default_factory=list)
    showcase_partner_id: int | None = None
    logins: list[Login] = field(default_factory=list)
    history: HistorySummary = field(default_factory=HistorySummary)
    seconds: float = 0.0


class _Feeder:
    """Collects events and sends them to the intake 1,000 at a time."""

    def __init__(self, summary: DemoSummary, by_type: Counter[str]) -> None:
        self.buffer: list[dict[str, Any]] = []
        self.summary = summary
        self.by_type = by_type

    def add(self, events: list[dict[str, Any]]) -> None:
        self.buffer.extend(events)
        while len(self.buffer) >= BATCH_SIZE:
            self._send(self.buffer[:BATCH_SIZE])
            del self.buffer[:BATCH_SIZE]

    def flush(self) -> None:
        if self.buffer:
            self._send(self.buffer)
            self.buffer = []

    def _send(self, items: list[dict[str, Any]]) -> None:
        result = events_ingest(items=items, source=EventSource.DEMO, submitted_by=SUBMITTED_BY, limit=BATCH_SIZE)
        self.summary.events += result.accepted
        self.summary.ledger_lines += result.accrued
        self.summary.rejected += len(result.rejected)
        room = max(0, 10 - len(self.summary.rejections))
        self.summary.rejections.extend(f"{r.id}: {r.error}" for r in result.rejected[:room])
        rejected = {r.index for r in result.rejected}
        self.by_type.update(e["type"] for i, e in enumerate(items) if i not in rejected)


def _work(plan: DemoPlan) -> int:
    """Units of progress: customer-months to bill, plus one per customer to create."""
    months = plan.calendar.months
    return sum(
        min(c.churn_month + 1 if c.churn_month is not None else months, months) - max(c.start_month, 0) + 1
        for c in plan.customers
    )


@dataclass
class _Deals:
    """The customers a registration precedes, the deals' random stream and the clock."""

    indexes: set[int]
    rng: random.Random
    clock: DemoClock
    converted: int = 0


def _load_month(
    plan: DemoPlan, month: int, ids: list[int], feeder: _Feeder, progress: ProgressSink, seed: int, actor: Actor,
    deals: _Deals,
) -> None:
    calendar = plan.calendar
    if any(p.status_change_month == month for p in plan.partners):
        feeder.flush()  # the events before a suspension must be judged with the old status
        partners_change_status(plan.partners, ids, month, actor=actor)
    joining = [c for c in plan.customers if (c.start_month == month or (month == 0 and c.start_month < 0))]
    customers_create([c for c in joining if c.index not in deals.indexes], calendar, ids, actor=actor)
    registered = [c for c in joining if c.index in deals.indexes]
    deals.converted += deal_customers_create(registered, calendar, ids, deals.clock, deals.rng, actor=actor)
    if month >= 1:
        conflicts_register(month, calendar, ids, deals.clock, deals.rng)
        prospects_register(month, calendar, ids, deals.clock, deals.rng)
    progress.advance(len(joining), note=calendar.label(month))
    rng = demo_rng(seed, f"month:{month}")
    for events in month_events(plan, month, ids, rng):
        feeder.add(events)
        progress.advance(1, note=calendar.label(month))
    feeder.flush()


def generate(
    *,
    seed: int = 2026,
    partners: int = 60,
    customers: int = 5000,
    months: int = 18,
    end_month: date | None = None,
    progress: ProgressSink | None = None,
) -> DemoSummary:
    """Plan and load the demo program. `end_month` (its first day) defaults to the last full month before today."""
    started = time.monotonic()
    progress = progress or NoProgress()
    calendar = DemoCalendar(end_month or previous_month(timezone.localdate()), months)
    plan = plan_program(seed=seed, partners=partners, customers=customers, calendar=calendar)
    # Planned before the load, which changes customers' plans and seats as they upgrade.
    figures = plan_figures(demo_rng(seed, "figures"), calendar, plan.partners, plan.customers)
    actor = Actor.system(ACTOR_LABEL)
    summary = DemoSummary(seed=seed, first_month=calendar.label(0), end_month=calendar.label(months - 1))
    progress.phase("Partners", len(plan.partners))
    clock = DemoClock(timezone.now())
    today = timezone.localdate(clock.now)
    summary.partner_ids = partners_create(
        plan.partners, actor=actor, progress=progress,
        created=lambda spec: clock.at(clock.office(identified_at(spec, calendar, today), 9, spec.index % 60)),
    )
    showcase = showcase_partner_index(plan.partners)
    summary.showcase_partner_id = None if showcase is None else summary.partner_ids[showcase]
    summary.logins = demo_users_create(
        partner_ids=summary.partner_ids, showcase_partner_id=summary.showcase_partner_id, actor=actor
    )
    history = summary.history
    history.agreements = agreements_create(plan.partners, summary.partner_ids, calendar, clock, actor)
    steps = lifecycle_plan(plan.partners, calendar, clock)
    training_contacts_create(plan.partners, summary.partner_ids, showcase, actor)
    lessons = lessons_plan(plan.partners, calendar, clock, showcase)
    manager = User.objects.get(username=BRAZIL_MANAGER)
    coach = Actor(label=f"user:{manager.username}", user=manager)
    history.fx_rates = fx_rates_import(calendar, timezone.localdate(), demo_rng(seed, "fx"))
    office = Office.of(FINANCE, SECOND_APPROVER)
    by_type: Counter[str] = Counter()
    feeder = _Feeder(summary, by_type)
    progress.phase("Customers, events and closes", _work(plan))
    payments = demo_rng(seed, "payments")
    disputes = disputes_schedule(months)
    cast = None if summary.showcase_partner_id is None else Cast.of(summary.showcase_partner_id)
    deals = _Deals(deal_customers(plan.customers, demo_rng(seed, "deals")), demo_rng(seed, "deal-steps"), clock)
    for month in range(months):
        _load_month(plan, month, summary.partner_ids, feeder, progress, seed, actor, deals)
        month_end = calendar.last_day(month) + timedelta(days=1)
        due = [s for s in steps if timezone.localdate(s.when) < month_end]
        steps = steps[len(due):]
        history.lifecycle_moves += lifecycle_steps_run(due, summary.partner_ids, clock, actor)
        taught = [x for x in lessons if timezone.localdate(x.when) < month_end]
        lessons = lessons[len(taught):]
        history.lessons += lessons_run(taught, summary.partner_ids, clock, coach)
        for step in disputes.get(month, []):
            if cast is not None:
                step(cast, calendar, month, clock)
        if month % 3 == 1 and plan.customers:
            first = plan.customers[0]
            known = {"customer": first.external_id, "currency": first.currency}
            history.rejected_events += rejected_events_send(calendar, month, clock, known)
        if cast is not None and month == max(months - 2, 0):
            mdf_story(cast, calendar, month, clock, actor)
        agreements_expire_at(calendar.last_day(month), clock, actor)
        month_close_and_pay(calendar, month, clock, office, payments, history)
    history.lifecycle_moves += lifecycle_steps_run(steps, summary.partner_ids, clock, actor)
    history.lessons += lessons_run(lessons, summary.partner_ids, clock, coach)
    if cast is not None:
        just_opened(cast, clock)
    history.directory_listings = directory_listings_create(summary.partner_ids, summary.showcase_partner_id, coach)
    history.applications = applications_create(coach)
    with clock.at(clock.moment(timezone.localdate(clock.now), 7, 0)) as now:
        history.tier_changes = len(tiers_assess(actor=actor, now=now).changes)
    agreements_expire_at(today, clock, actor)
    history.deals_converted = deals.converted
    history.program_figures = figures_record(figures, calendar, summary.partner_ids, actor=actor)
    marketing_create(partner_ids=summary.partner_ids, showcase_partner_id=summary.showcase_partner_id,
                     today=today, actor=actor)
    history.community = community_create(partner_ids=summary.partner_ids,
                                         showcase_partner_id=summary.showcase_partner_id,
                                         now=clock.now - timedelta(minutes=5), actor=actor)
    history.privacy_requests = privacy_create(partner_ids=summary.partner_ids, today=today, actor=coach)
    # The history's notifications stay in the log as skipped: nobody is e-mailed about events loaded by the demo.
    pending_skip(reason="demo history: loaded, not sent")
    summary.partners, summary.customers = len(plan.partners), len(plan.customers)
    summary.events_by_type = dict(sorted(by_type.items()))
    summary.ledger_by_currency = ledger_totals()
    summary.seconds = time.monotonic() - started
    return summary


def ledger_totals() -> dict[str, dict[str, Decimal]]:
    """Per currency, the sum of the ledger's lines of each kind (all partners)."""
    totals: dict[str, dict[str, Decimal]] = {}
    for key, total in exact_sums(LedgerLine.objects.all(), "amount", "currency", "kind").items():
        currency, kind = cast(tuple[str, str], key)
        totals.setdefault(currency, {})[kind] = total
    return dict(sorted(totals.items()))
