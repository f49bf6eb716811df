"""The demo program's figures the platform cannot know (analytics.inputs), one set per month of the window, so
every KPI of the program scorecard has its inputs (docs/analytics.md).

Planned from the demo's plan and a seeded generator (pure), then recorded through `figure_record` in one
transaction. All money is in R$ (the program reports in R$).

* The direct-sales figures follow the direct customers the demo bills: the average deal size is 12 × the list
  price (with the year's adjustment) of the plans the month's new direct customers took; the lifetime value is
  the average direct plan over the direct churn hazard; the 12-month retention is (1 − hazard)^12, all within a
  few per cent of noise. Partner customers take bigger plans and churn less, so partner LTV beats direct by far
  (target met) while partner retention stays under 90 % and the deal-size ratio under 2.5× (targets missed).
* The direct team's CAC and the program's cost besides commissions are budgets of a plausible size: the CAC
  falls slowly as the direct team matures, the program cost grows with its team.
* Per partner, for each month it was in the program (from its join month; a terminated partner until its
  termination): support tickets in proportion to its customers billed that month, their cost per ticket, joint
  marketing activities by tier (most partners run fewer than the seed's 2 a quarter) and MDF for preferred and
  strategic partners; a satisfaction score at the end of each quarter around its customers' CSAT, falling
  quarter after quarter for a partner about to be suspended or terminated.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from django.db import transaction

from parceria.analytics.inputs import figure_record
from parceria.common.audit import Actor
from parceria.demo.billing import PLAN_PRICES_BRL, SEAT_SHARE, price_index
from parceria.demo.customers import CHURN_DIRECT, CustomerSpec
from parceria.demo.partners import PartnerSpec
from parceria.demo.timeline import DemoCalendar
from parceria.partners.models import Partner, PartnerStatus

SOURCE = "demo"
CENT = Decimal("0.01")

DIRECT_CAC_START = 2400  # R$ per customer won in the window's first month
DIRECT_CAC_MONTHLY_DRIFT = -0.006
PROGRAM_COST_START = 38000  # R$ a month: the partner team, events, tools
PROGRAM_COST_MONTHLY_GROWTH = 0.02
TICKETS_PER_CUSTOMER = 0.25  # support tickets a billed customer opens in a month
TICKET_COST = (38.0, 62.0)  # R$ per ticket, drawn per partner
#: Joint marketing activities a month, by tier: below the seed's 2 a quarter except for strategic partners.
MARKETING_PER_MONTH: dict[str | None, float] = {None: 0.15, "certified": 0.4, "preferred": 0.6, "strategic": 1.0}
#: Market development funds a month (R$), for the tiers that get them, and how often a month has some.
MDF_RANGE: dict[str | None, tuple[int, int]] = {"preferred": (1500, 6000), "strategic": (4000, 15000)}
MDF_MONTH_SHARE = 0.5
SATISFACTION_NOISE = 0.2
SATISFACTION_FALL_PER_QUARTER = 0.35  # before a suspension or termination


@dataclass(frozen=True)
class PlannedFigure:
    key: str
    month: int  # window month
    value: Decimal
    partner: int | None = None  # partner index in the plan
    currency: str = ""


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_EVEN)


def _count(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method for small means, a rounded normal for large ones)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, mean**0.5)))
    limit, k, p = 2.718281828459045 ** -mean, 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _in_program(spec: PartnerSpec, month: int) -> bool:
    if spec.join_month is None or month < spec.join_month:
        return False
    ended = spec.final_status == PartnerStatus.TERMINATED and spec.status_change_month is not None
    return not (ended and month >= (spec.status_change_month or 0))


def _billed(customers: Sequence[CustomerSpec], months: int) -> Counter[tuple[int, int]]:
    """(partner index, month) → customers of the partner billed in the month."""
    out: Counter[tuple[int, int]] = Counter()
    for c in customers:
        if c.partner is None:
            continue
        for m in range(max(c.start_month, 0), min(c.churn_month if c.churn_month is not None else months, months)):
            out[(c.partner, m)] += 1
    return out


def _direct_figures(rng: random.Random, calendar: DemoCalendar,
                    customers: Sequence[CustomerSpec]) -> list[PlannedFigure]:
    direct = [c for c in customers if c.partner is None]
    plans = [PLAN_PRICES_BRL[c.plan] * (1 + SEAT_SHARE * c.seats) for c in direct] or [PLAN_PRICES_BRL[0]]
    average_plan = float(sum(plans) / len(plans))
    out = []
    for m in range(calendar.months):
        index = float(price_index(calendar, m)["BRL"])
        new = [PLAN_PRICES_BRL[c.plan] * (1 + SEAT_SHARE * c.seats) for c in direct if c.start_month == m]
        monthly = float(sum(new) / len(new)) if new else average_plan

        def noise(spread: float) -> float:
            return rng.uniform(1 - spread, 1 + spread)

        out += [
            PlannedFigure("direct_deal_size", m, _money(12 * monthly * index * noise(0.03)), currency="BRL"),
            PlannedFigure("direct_ltv", m, _money(average_plan * index / CHURN_DIRECT * noise(0.04)), currency="BRL"),
            PlannedFigure("direct_retention_12m", m,
                          Decimal(str(round(100 * (1 - CHURN_DIRECT) ** 12 * noise(0.02), 1)))),
            PlannedFigure("direct_cac", m, _money(DIRECT_CAC_START * (1 + DIRECT_CAC_MONTHLY_DRIFT) ** m * noise(0.06)),
                          currency="BRL"),
            PlannedFigure("partner_program_cost", m,
                          _money(PROGRAM_COST_START * (1 + PROGRAM_COST_MONTHLY_GROWTH) ** m * noise(0.05)),
                          currency="BRL"),
        ]
    return out


def _satisfaction(rng: random.Random, spec: PartnerSpec, month: int) -> Decimal:
    score = spec.csat_mean + rng.gauss(0, SATISFACTION_NOISE)
    change = spec.status_change_month
    if spec.final_status != PartnerStatus.ACTIVE and change is not None and month < change:
        score -= SATISFACTION_FALL_PER_QUARTER * max(0, 4 - (change - month) // 3)
    return Decimal(str(round(min(5.0, max(1.0, score)), 1)))


def _partner_figures(rng: random.Random, calendar: DemoCalendar, partners: Sequence[PartnerSpec],
                     customers: Sequence[CustomerSpec]) -> list[PlannedFigure]:
    billed = _billed(customers, calendar.months)
    out = []
    for spec in partners:
        ticket_cost = rng.uniform(*TICKET_COST)
        for m in range(calendar.months):
            if not _in_program(spec, m):
                continue
            tickets = _count(rng, TICKETS_PER_CUSTOMER * billed[(spec.index, m)])
            out += [
                PlannedFigure("support_tickets", m, Decimal(tickets), spec.index),
                PlannedFigure("support_cost", m, _money(tickets * ticket_cost), spec.index, "BRL"),
                PlannedFigure("joint_marketing_activities", m,
                              Decimal(_count(rng, MARKETING_PER_MONTH[spec.tier])), spec.index),
            ]
            if spec.tier in MDF_RANGE and rng.random() < MDF_MONTH_SHARE:
                low, high = MDF_RANGE[spec.tier]
                out.append(PlannedFigure("mdf_spent", m, _money(rng.randint(low, high)), spec.index, "BRL"))
            if calendar.first_day(m).month % 3 == 0:  # a quarter's last month: the survey's answer
                out.append(PlannedFigure("partner_satisfaction", m, _satisfaction(rng, spec, m), spec.index))
    return out


def plan_figures(rng: random.Random, calendar: DemoCalendar, partners: Sequence[PartnerSpec],
                 customers: Sequence[CustomerSpec]) -> list[PlannedFigure]:
    """Every figure of the window, program-wide first, then partner by partner (pure)."""
    return _direct_figures(rng, calendar, customers) + _partner_figures(rng, calendar, partners, customers)


def figures_record(planned: Sequence[PlannedFigure], calendar: DemoCalendar, partner_ids: Sequence[int], *,
                   actor: Actor) -> int:
    """Record the planned figures through figure_record, in one transaction; answers how many."""
    partners = Partner.objects.in_bulk(list(partner_ids))
    with transaction.atomic():
        for figure in planned:
            figure_record(key=figure.key, month=calendar.first_day(figure.month), value=figure.value,
                          currency=figure.currency, source=SOURCE, actor=actor,
                          partner=None if figure.partner is None else partners[partner_ids[figure.partner]])
    return len(planned)
