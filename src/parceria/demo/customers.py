"""The demo's customers: planned from a seeded generator (pure), then created through customer_create.

About 60 % come through a partner that was active when they signed up (and live in that partner's country,
so they pay in its payout currency and no FX is needed); the rest are direct. A third signed up in the
year before the window; the others join month by month, more each month. Customers that use the platform
through integrations split their usage between direct use and one or two integration partners of their
country.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from parceria.common.audit import Actor
from parceria.common.taxids import synthetic_tax_id
from parceria.customers.services import CustomerFields, customer_create
from parceria.demo import words
from parceria.demo.names import NameBook
from parceria.demo.partners import CONSULTING, CURRENCY_OF, INDUSTRY, INTERNATIONAL, PartnerSpec
from parceria.demo.timeline import DemoCalendar, local_iso

ATTRIBUTED_SHARE = 0.6
BACKLOG_SHARE = 0.35  # signed up in the 12 months before the window
BACKLOG_MONTHS = 12
MONTHLY_GROWTH = 1.06  # each month of the window brings 6 % more sign-ups than the one before
DIRECT_COUNTRY_WEIGHTS = {"BR": 75, "MX": 10, "CO": 6, "AR": 5, "CL": 4}
PLAN_WEIGHTS = (30, 25, 20, 13, 8, 4)
LARGE_PLAN_WEIGHTS = (12, 18, 25, 22, 14, 9)  # agencies, international and strategic partners sell bigger plans
USAGE_SCALE = (40, 90, 180, 350, 650, 1200)  # AI tasks a month, by plan
CHURN_DIRECT = 0.02  # monthly churn hazard
CHURN_PARTNER = 0.014  # partner-sourced customers stay longer (seed §3.2)
ACCELERATOR_DISCOUNT_MONTHS = 6
DIRECT_CSAT_MEAN = 4.1


@dataclass(slots=True)
class CustomerSpec:
    """A planned customer. `plan` and `seats` change over time as the customer upgrades and adds users."""

    index: int
    country: str
    vertical: str
    name: str
    domain: str
    partner: int | None  # index of the referring partner
    start_month: int
    start_day: int
    churn_month: int | None  # the window month in which the customer leaves (no invoice from then on)
    plan: int
    seats: int
    integrations: tuple[tuple[int, float], ...]  # (partner index, share of the customer's usage)
    usage_scale: int
    csat_mean: float
    discount_until: int  # window month from which the accelerator discount no longer applies

    @property
    def external_id(self) -> str:
        return f"cus_demo_{self.index:06d}"

    @property
    def currency(self) -> str:
        return CURRENCY_OF[self.country]

    def active_in(self, m: int) -> bool:
        """Billed in month m (the churn month itself has no invoice)."""
        return self.start_month <= m and (self.churn_month is None or m < self.churn_month)

    def create_fields(self, calendar: DemoCalendar, partner_ids: Sequence[int]) -> CustomerFields:
        signed_up = calendar.day(self.start_month, self.start_day)
        return CustomerFields(
            external_id=self.external_id,
            name=self.name,
            country=self.country,
            vertical=self.vertical,
            domain=self.domain,
            tax_id=synthetic_tax_id(self.country, 1 + self.index),
            partner_id=None if self.partner is None else partner_ids[self.partner],
            attributed_at=None if self.partner is None else local_iso(self.country, signed_up, 10, 0),
        )


class _Pool:
    """A weighted choice among partners, by cumulative weights (a bisect per draw)."""

    def __init__(self, members: list[PartnerSpec]) -> None:
        self.members = members
        self.cumulative = list(itertools.accumulate(p.pull for p in members))

    def draw(self, rng: random.Random) -> PartnerSpec | None:
        if not self.members:
            return None
        point = rng.random() * self.cumulative[-1]
        return self.members[min(bisect.bisect_right(self.cumulative, point), len(self.members) - 1)]


class _Pools:
    """Per month: the partners that can refer a new customer, and per country the live integrations."""

    def __init__(self, partners: Sequence[PartnerSpec], months: int) -> None:
        self.referrers = {m: _Pool([p for p in partners if p.refers_in(m)]) for m in range(-BACKLOG_MONTHS, months)}
        self.integrations = {
            (m, country): [p for p in partners if p.country == country and p.integrates_in(m)]
            for m in range(-BACKLOG_MONTHS, months)
            for country in CURRENCY_OF
        }


def _sign_ups(rng: random.Random, count: int, months: int) -> list[tuple[int, int]]:
    """(month, day) of each sign-up, in order: a backlog from the year before, then more each month."""
    window = list(range(months))
    cumulative = list(itertools.accumulate(MONTHLY_GROWTH**m for m in window))
    sign_ups = [
        (
            rng.randint(-BACKLOG_MONTHS, -1)
            if rng.random() < BACKLOG_SHARE
            else rng.choices(window, cum_weights=cumulative)[0],
            rng.randint(1, 28),
        )
        for _ in range(count)
    ]
    return sorted(sign_ups)


def _vertical(rng: random.Random, partner: PartnerSpec | None) -> str:
    if partner is not None and partner.category == INDUSTRY and rng.random() < 0.85:
        return partner.subcategory
    if partner is not None and rng.random() < 0.7:
        return rng.choice(partner.verticals)
    return rng.choices(words.VERTICALS, weights=words.VERTICAL_WEIGHTS)[0]


def _plan(rng: random.Random, partner: PartnerSpec | None) -> int:
    large = partner is not None and (partner.category in (CONSULTING, INTERNATIONAL) or partner.tier == "strategic")
    return rng.choices(range(len(PLAN_WEIGHTS)), weights=LARGE_PLAN_WEIGHTS if large else PLAN_WEIGHTS)[0]


def _integrations(
    rng: random.Random, partner: PartnerSpec | None, available: list[PartnerSpec]
) -> tuple[tuple[int, float], ...]:
    if not available:
        return ()
    referrer_integrates = partner is not None and any(p.index == partner.index for p in available)
    if rng.random() >= (0.9 if referrer_integrates else 0.4):
        return ()
    chosen = [partner] if partner is not None and referrer_integrates else []
    others = [p for p in available if all(p.index != c.index for c in chosen)]
    wanted = 2 if rng.random() < 0.3 else 1
    chosen += rng.sample(others, min(len(others), wanted - len(chosen)))
    if not chosen:
        return ()
    through = rng.uniform(0.4, 0.9) if len(chosen) > 1 else rng.uniform(0.25, 0.8)
    split = [rng.uniform(0.3, 0.7), 0.0] if len(chosen) > 1 else [1.0]
    split[-1] = 1.0 - sum(split[:-1])
    return tuple((p.index, through * part) for p, part in zip(chosen, split, strict=True))


def _churn_month(rng: random.Random, start: int, months: int, hazard: float) -> int | None:
    first = max(start + 1, 0)
    after = math.floor(math.log(1.0 - rng.random()) / math.log(1.0 - hazard))
    return first + after if first + after < months else None


def _customer(
    rng: random.Random, index: int, sign_up: tuple[int, int], pools: _Pools, book: NameBook, months: int
) -> CustomerSpec:
    start, day = sign_up
    partner = pools.referrers[start].draw(rng) if rng.random() < ATTRIBUTED_SHARE else None
    country = (
        partner.country
        if partner
        else rng.choices(list(DIRECT_COUNTRY_WEIGHTS), weights=list(DIRECT_COUNTRY_WEIGHTS.values()))[0]
    )
    vertical = _vertical(rng, partner)
    name, domain = book.customer(rng, country, vertical)
    plan = _plan(rng, partner)
    hazard = CHURN_DIRECT if partner is None else CHURN_PARTNER * (1.3 if partner.csat_mean < 4.0 else 1.0)
    accelerated = partner is not None and partner.subcategory == "accelerator"
    return CustomerSpec(
        index=index,
        country=country,
        vertical=vertical,
        name=name,
        domain=domain,
        partner=None if partner is None else partner.index,
        start_month=start,
        start_day=day,
        churn_month=_churn_month(rng, start, months, hazard),
        plan=plan,
        seats=rng.choice((0, 0, 0, 1, 1, 2, 3)),
        integrations=_integrations(rng, partner, pools.integrations[(start, country)]),
        usage_scale=USAGE_SCALE[plan],
        csat_mean=partner.csat_mean if partner else DIRECT_CSAT_MEAN,
        discount_until=start + ACCELERATOR_DISCOUNT_MONTHS if accelerated else start,
    )


def plan_customers(rng: random.Random, count: int, partners: Sequence[PartnerSpec], months: int) -> list[CustomerSpec]:
    """`count` customers in order of sign-up (customer 1 is the oldest)."""
    pools = _Pools(partners, months)
    book = NameBook()
    sign_ups = _sign_ups(rng, count, months)
    return [_customer(rng, index, sign_up, pools, book, months) for index, sign_up in enumerate(sign_ups, start=1)]


def customers_create(
    specs: Sequence[CustomerSpec], calendar: DemoCalendar, partner_ids: Sequence[int], *, actor: Actor
) -> int:
    """Create customers through customer_create (attribution backdated to their sign-up)."""
    with transaction.atomic():
        for spec in specs:
            customer_create(fields=spec.create_fields(calendar, partner_ids), actor=actor)
    return len(specs)
