"""The phase tracker (seed §8.1): the program's three phases — months 1–3 (foundation), 4–9 (expansion) and 10–12
(optimization), counted from PARCERIA["PROGRAM_START"] (YYYY-MM) or, when that is None, from the month of the first
agreement signed — and each phase's success criteria with the number, whether it is met and the month it was first
met.

Each criterion is a KPI of the registry (`analytics.kpis`) read per month against the phase's own threshold: the
value shown is the one of the phase's last month (or the current month, for a phase under way); a criterion is met
when it was met in some month from the program's start to the end of its phase.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parceria.agreements.models import Agreement
from parceria.analytics import kpis
from parceria.analytics.kpis import Direction, Reading, ScorecardFacts, target_met
from parceria.analytics.periods import Period, month_period
from parceria.common.months import add_months, month_start, parse_month


@dataclass(frozen=True)
class CriterionDef:
    label: object
    unit: kpis.Unit
    threshold: Decimal
    direction: Direction
    compute: Callable[[ScorecardFacts, Period], Reading]


@dataclass(frozen=True)
class PhaseDef:
    number: int
    name: object
    first: int  # its first month, counted from 1
    last: int
    criteria: tuple[CriterionDef, ...]


def _c(label: object, unit: kpis.Unit, threshold: int, direction: Direction,
       compute: Callable[[ScorecardFacts, Period], Reading]) -> CriterionDef:
    return CriterionDef(label, unit, Decimal(threshold), direction, compute)


PHASES: tuple[PhaseDef, ...] = (
    PhaseDef(1, _("Foundation"), 1, 3, (
        _c(_("5+ active partnerships generating customers"), "count", 5, ">=", kpis.active_partners),
        _c(_("Partner channel generating 10% of new customers"), "percent", 10, ">=", kpis.new_customer_share),
        _c(_("R$ 50K+ ARR from partner channels"), "money", 50_000, ">=", kpis.partner_arr),
    )),
    PhaseDef(2, _("Expansion"), 4, 9, (
        _c(_("20+ active partnerships"), "count", 20, ">=", kpis.active_partners),
        _c(_("Partner channel generating 25% of new customers"), "percent", 25, ">=", kpis.new_customer_share),
        _c(_("R$ 300K+ ARR from partner channels"), "money", 300_000, ">=", kpis.partner_arr),
    )),
    PhaseDef(3, _("Optimization"), 10, 12, (
        _c(_("Partner channel generating 40% of new customers"), "percent", 40, ">=", kpis.new_customer_share),
        _c(_("R$ 1M+ ARR from partner channels"), "money", 1_000_000, ">=", kpis.partner_arr),
        _c(_("International partnership revenue"), "money", 0, ">", kpis.international_revenue),
    )),
)


@dataclass(frozen=True)
class CriterionStatus:
    criterion: CriterionDef
    value: Decimal | None  # of the phase's last month so far
    met: bool
    first_met: date | None  # the first month it was met


@dataclass(frozen=True)
class PhaseStatus:
    phase: PhaseDef
    first_month: date
    last_month: date
    state: str  # "done", "current" or "upcoming"
    criteria: list[CriterionStatus]

    @property
    def met(self) -> bool:
        return all(c.met for c in self.criteria)


@dataclass(frozen=True)
class PhaseTracker:
    start: date | None  # None: no program start set and no agreement signed yet
    phases: list[PhaseStatus]


def program_start() -> date | None:
    """PARCERIA["PROGRAM_START"] (YYYY-MM), else the month of the first agreement signed, else None."""
    setting = settings.PARCERIA.get("PROGRAM_START")
    if setting:
        return parse_month(str(setting), field="PROGRAM_START")
    first = Agreement.objects.filter(signed_on__isnull=False).aggregate(first=Min("signed_on"))["first"]
    return None if first is None else month_start(first)


def phase_tracker(*, today: date | None = None) -> PhaseTracker:
    """The three phases from the program's start with each criterion evaluated month by month up to this month."""
    start = program_start()
    if start is None:
        return PhaseTracker(None, [])
    now = month_start(today or timezone.localdate())
    end = min(now, add_months(start, months=11))
    facts = kpis.load_facts(start, max(start, end))
    readings: dict[tuple[int, int], list[tuple[date, Decimal | None]]] = {}
    months = [add_months(start, months=i) for i in range(12)]
    phases = []
    for phase in PHASES:
        first, last = months[phase.first - 1], months[phase.last - 1]
        state = "done" if last < now else "current" if first <= now else "upcoming"
        criteria = []
        for index, criterion in enumerate(phase.criteria):
            seen = [(m, criterion.compute(facts, month_period(m)).value) for m in months if m <= min(last, now)]
            readings[(phase.number, index)] = seen
            first_met = next((m for m, v in seen if target_met(v, criterion.threshold, criterion.direction)), None)
            value = seen[-1][1] if seen and state != "upcoming" else None
            criteria.append(CriterionStatus(criterion, value, first_met is not None, first_met))
        phases.append(PhaseStatus(phase, first, last, state, criteria))
    return PhaseTracker(start, phases)


def tracker_out(tracker: PhaseTracker) -> dict[str, object]:
    return {"start": None if tracker.start is None else f"{tracker.start:%Y-%m}", "phases": [{
        "number": s.phase.number, "name": str(s.phase.name), "from": f"{s.first_month:%Y-%m}",
        "to": f"{s.last_month:%Y-%m}", "state": s.state, "met": s.met, "criteria": [{
            "label": str(c.criterion.label), "unit": c.criterion.unit, "threshold": str(c.criterion.threshold),
            "direction": c.criterion.direction, "value": None if c.value is None else str(c.value), "met": c.met,
            "first_met": None if c.first_met is None else f"{c.first_met:%Y-%m}"} for c in s.criteria]}
        for s in tracker.phases]}
