"""The partnership lifecycle as data (SPEC §1.3, seed §3.1): the stages, their expected durations, the exit
checklist drawn from the seed's success criteria, the gates that guard each forward move, and the table of
allowed moves. Pure data: no ORM, so the services, selectors, pages and tests all read the same table.

Moves (DESIGN rule 8):
- forward one stage, through the gates of the stage being left (a failed gate can be overridden only with a
  written reason, which is recorded);
- to rejected or churned from any non-terminal stage, with a written reason (no gates);
- back one stage, with a written reason (no gates): a pilot that needs renegotiating returns to initial
  engagement rather than being rejected and started over. The checklist ticks are kept;
- a rejected partner may be reopened into identification & research, with a reason; churned is final.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Stage(models.TextChoices):
    IDENTIFICATION = "identification", _("Identification & research")
    ENGAGEMENT = "engagement", _("Initial engagement")
    PILOT = "pilot", _("Pilot program")
    LAUNCH = "launch", _("Full launch")
    OPTIMISATION = "optimisation", _("Optimisation & scaling")
    REJECTED = "rejected", pgettext_lazy("lifecycle stage", "Rejected")
    CHURNED = "churned", pgettext_lazy("lifecycle stage", "Churned")


#: The pipeline, in order.
PIPELINE: tuple[Stage, ...] = (Stage.IDENTIFICATION, Stage.ENGAGEMENT, Stage.PILOT, Stage.LAUNCH, Stage.OPTIMISATION)
TERMINAL = frozenset({Stage.REJECTED, Stage.CHURNED})


class Gate:
    """Names of the gate checks (lifecycle.py holds the functions)."""

    EVALUATED = "evaluated"
    CHECKLIST = "checklist"
    LETTER_OF_INTENT = "letter_of_intent"
    PILOT_CUSTOMERS = "pilot_customers"


#: Pilot customers with revenue needed before the full launch (seed: "joint customer pilot with 3-5 customers").
PILOT_CUSTOMERS_REQUIRED = 3


@dataclass(frozen=True)
class ChecklistItem:
    """An exit criterion ticked by staff with its evidence. `gate` names a dedicated gate that reads this item
    (and may later read a real record instead, e.g. a signed agreement); the rest form the checklist gate."""

    key: str
    label: Any  # a lazily translated string
    gate: str = Gate.CHECKLIST


@dataclass(frozen=True)
class StageSpec:
    stage: Stage
    min_weeks: int | None
    max_weeks: int | None  # None: ongoing, never overdue
    checklist: tuple[ChecklistItem, ...] = ()
    gates: tuple[str, ...] = ()  # checked when leaving this stage forward


STAGES: dict[str, StageSpec] = {
    Stage.IDENTIFICATION: StageSpec(
        Stage.IDENTIFICATION, 2, 4,
        checklist=(
            ChecklistItem("qualified_list",
                          _("On the qualified list of 10–15 high-potential partners of its category")),
            ChecklistItem("interest_validated", _("Initial outreach done and interest validated")),
        ),
        gates=(Gate.EVALUATED, Gate.CHECKLIST),
    ),
    Stage.ENGAGEMENT: StageSpec(
        Stage.ENGAGEMENT, 4, 8,
        checklist=(
            ChecklistItem("letter_of_intent", _("Signed letter of intent with a defined pilot program"),
                          gate=Gate.LETTER_OF_INTENT),
            ChecklistItem("technical_scoping", _("Technical feasibility and integration scoped")),
        ),
        gates=(Gate.LETTER_OF_INTENT, Gate.CHECKLIST),
    ),
    Stage.PILOT: StageSpec(
        Stage.PILOT, 8, 12,
        checklist=(
            ChecklistItem("customer_value", _("Customer value demonstrated in the pilot")),
            ChecklistItem("technical_feasibility", _("Technical feasibility demonstrated")),
        ),
        gates=(Gate.PILOT_CUSTOMERS, Gate.CHECKLIST),
    ),
    Stage.LAUNCH: StageSpec(
        Stage.LAUNCH, 4, 6,
        checklist=(
            ChecklistItem("integration_certified", _("Integration complete and certified")),
            ChecklistItem("active_acquisition", _("Active customer acquisition through the partner channel")),
        ),
        gates=(Gate.CHECKLIST,),
    ),
    Stage.OPTIMISATION: StageSpec(
        Stage.OPTIMISATION, None, None,
        checklist=(
            ChecklistItem("channel_share", _("The partner channel brings 20 percent or more of new customers")),
        ),
    ),
    Stage.REJECTED: StageSpec(Stage.REJECTED, None, None),
    Stage.CHURNED: StageSpec(Stage.CHURNED, None, None),
}


def next_stage(stage: str) -> Stage | None:
    if stage not in PIPELINE:
        return None
    i = PIPELINE.index(Stage(stage))
    return PIPELINE[i + 1] if i + 1 < len(PIPELINE) else None


def previous_stage(stage: str) -> Stage | None:
    if stage not in PIPELINE:
        return None
    i = PIPELINE.index(Stage(stage))
    return PIPELINE[i - 1] if i > 0 else None


def _allowed(stage: Stage) -> frozenset[Stage]:
    if stage == Stage.REJECTED:
        return frozenset({Stage.IDENTIFICATION})
    if stage == Stage.CHURNED:
        return frozenset()
    moves = {Stage.REJECTED, Stage.CHURNED}
    for other in (next_stage(stage), previous_stage(stage)):
        if other is not None:
            moves.add(other)
    return frozenset(moves)


#: Allowed moves: stage → the stages it may move to.
TRANSITIONS: dict[str, frozenset[Stage]] = {stage: _allowed(stage) for stage in Stage}


def is_forward(from_stage: str, to_stage: str) -> bool:
    return next_stage(from_stage) == to_stage


def needs_reason(from_stage: str, to_stage: str) -> bool:
    """Every move except a forward one must say why."""
    return not is_forward(from_stage, to_stage)
