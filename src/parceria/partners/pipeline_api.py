"""Pipeline API (internal: staff keys only; a partner key gets 403): evaluations, weights, ranking, comparison,
and the lifecycle (stage with checklist and history, moves, checklist ticks). Mounted at /api/v1."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from parceria.accounts.tenancy import Ability, Principal
from parceria.api.auth import principal_of
from parceria.api.schemas import ERRORS, JsonInt, PathId, RowId, choice, declared
from parceria.common.errors import PermissionDenied
from parceria.partners import evaluation as ev
from parceria.partners import lifecycle as lc
from parceria.partners.lifecycle_data import STAGES, Stage
from parceria.partners.models import Category, Evaluation, EvaluationWeights, Partner, StageTransition

router = Router(tags=["pipeline"])


def _staff(request: HttpRequest, ability: str) -> Principal:
    principal = principal_of(request)
    if principal.is_partner:
        raise PermissionDenied("the partner pipeline is internal", code="forbidden_scope")
    principal.require(ability)
    return principal


def _partner(partner_id: int) -> Partner:
    return get_object_or_404(Partner, pk=partner_id)


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


# --- Schemas --------------------------------------------------------------------------------------------------

#: A weight: 0 to 1000, as a JSON integer or a decimal string (a fraction as a JSON number is refused: not exact).
_WEIGHT = {"anyOf": [{"type": "integer", "minimum": 0, "maximum": 1000},
                     {"type": "string", "pattern": r"^(1000(\.0{1,4})?|[0-9]{1,3}(\.[0-9]{1,4})?)$"}]}


class ScoreIn(Schema):
    model_config = ConfigDict(extra="forbid")

    score: str | int | float = declared(
        description="0–10, at most one decimal (integration complexity: the effort).",
        anyOf=[{"type": "number", "minimum": 0, "maximum": 10},
               {"type": "string", "pattern": r"^(10(\.0)?|[0-9](\.[0-9])?)$"}],
    )
    note: str = Field("", max_length=2000, description="Evidence for the score.")


class EvaluationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    scores: dict[str, ScoreIn] = declared(
        description="One entry per criterion.", required=list(ev.CRITERIA), propertyNames={"enum": list(ev.CRITERIA)},
    )


class WeightsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    weights: dict[str, str | JsonInt] = declared(
        description="One weight per criterion, 0–1000; they must not all be 0.", required=list(ev.CRITERIA),
        propertyNames={"enum": list(ev.CRITERIA)}, additionalProperties=_WEIGHT,
    )
    note: str = Field("", max_length=500)


class WeightsOut(Schema):
    id: int
    weights: dict[str, str]
    note: str
    created_at: datetime
    created_by: str


class ContributionOut(Schema):
    criterion: str
    entered: str
    score: str
    weight: str
    share: str = Field(description="The weight's share of the total, 4 decimals.")
    points: str = Field(description="share × score, 4 decimals.")
    note: str


class EvaluationOut(Schema):
    id: int
    partner_id: int
    partner_name: str
    priority_score: str
    weights_version: int
    weights: dict[str, str]
    contributions: list[ContributionOut]
    author: str
    created_at: datetime


class CompareRowOut(Schema):
    criterion: str
    a: ContributionOut
    b: ContributionOut


class CompareOut(Schema):
    a: EvaluationOut
    b: EvaluationOut
    rows: list[CompareRowOut]


class ChecklistItemOut(Schema):
    stage: str
    item: str
    label: str
    done: bool
    evidence: str
    updated_at: datetime | None
    updated_by: str


class GateOut(Schema):
    gate: str
    passed: bool
    message: str


class TransitionOut(Schema):
    id: int
    from_stage: str
    to_stage: str
    at: datetime
    by: str
    reason: str
    gates: list[GateOut]
    overridden: bool


class LifecycleOut(Schema):
    partner_id: int
    stage: str
    entered_at: datetime
    days_in_stage: int
    max_weeks: int | None
    overdue: bool
    allowed_moves: list[str]
    checklist: list[ChecklistItemOut]
    next_gates: list[GateOut]
    history: list[TransitionOut]


class MoveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to: str = choice(Stage.values)
    reason: str = Field("", max_length=5000)
    override: bool = False


class TickIn(Schema):
    model_config = ConfigDict(extra="forbid")

    stage: str = choice(Stage.values)
    item: str = choice(sorted({item.key for spec in STAGES.values() for item in spec.checklist}),
                       description="One of the stage's checklist items.")
    done: bool
    evidence: str = Field("", max_length=2000)


# --- Serialisers ----------------------------------------------------------------------------------------------

def _contribution(c: ev.Contribution, note: str) -> dict[str, Any]:
    q = Decimal("0.0001")
    return {"criterion": c.criterion, "entered": _num(c.entered), "score": _num(c.score), "weight": _num(c.weight),
            "share": str(c.share.quantize(q)), "points": str(c.points.quantize(q)), "note": note}


def _evaluation(e: Evaluation) -> dict[str, Any]:
    priority = ev.explain(e)
    return {
        "id": e.pk, "partner_id": e.partner_id, "partner_name": e.partner.name,
        "priority_score": str(e.priority_score), "weights_version": e.weights_version_id, "weights": e.weights,
        "contributions": [_contribution(c, e.scores[c.criterion].get("note", "")) for c in priority.contributions],
        "author": e.author_label, "created_at": e.created_at,
    }


def _transition(t: StageTransition) -> dict[str, Any]:
    return {"id": t.pk, "from_stage": t.from_stage, "to_stage": t.to_stage, "at": t.at, "by": t.by_label,
            "reason": t.reason, "gates": t.gates, "overridden": t.overridden}


def _lifecycle(partner: Partner) -> dict[str, Any]:
    state = lc.stage_state(partner)
    rows = [row for stage in STAGES for row in lc.checklist(partner, stage)]
    return {
        "partner_id": partner.pk, "stage": state.stage.value, "entered_at": state.entered_at,
        "days_in_stage": state.days_in_stage, "max_weeks": state.max_weeks, "overdue": state.overdue,
        "allowed_moves": [s.value for s in lc.allowed_moves(state.stage)],
        "checklist": [{"stage": r.stage.value, "item": r.item.key, "label": str(r.item.label), "done": r.done,
                       "evidence": r.tick.evidence if r.tick else "",
                       "updated_at": r.tick.updated_at if r.tick else None,
                       "updated_by": r.tick.updated_by if r.tick else ""} for r in rows],
        "next_gates": [g.as_dict() for g in lc.next_gates(partner, state.stage)],
        "history": [_transition(t) for t in lc.history(partner)],
    }


# --- Evaluation -----------------------------------------------------------------------------------------------

@router.get("/evaluation-weights", response={200: WeightsOut, **ERRORS}, summary="The weights in force")
def get_weights(request: HttpRequest) -> EvaluationWeights:
    _staff(request, Ability.READ)
    return ev.current_weights()


@router.post("/evaluation-weights", response={201: WeightsOut, **ERRORS}, summary="Set new weights (a new version)")
def set_weights(request: HttpRequest, payload: WeightsIn) -> Any:
    principal = _staff(request, Ability.MANAGE_PARTNERS)
    version = ev.evaluation_weights_set(weights=payload.weights, note=payload.note, actor=principal.actor)
    return Status(201, version)


@router.post("/partners/{int:partner_id}/evaluations", response={201: EvaluationOut, **ERRORS},
             summary="Evaluate a partner")
def create_evaluation(request: HttpRequest, partner_id: PathId, payload: EvaluationIn) -> Any:
    principal = _staff(request, Ability.MANAGE_PARTNERS)
    partner = _partner(partner_id)
    scores = {c: s.score if not isinstance(s.score, float) else str(s.score) for c, s in payload.scores.items()}
    notes = {c: s.note for c, s in payload.scores.items() if c in ev.CRITERIA}
    evaluation = ev.evaluation_create(partner=partner, scores=scores, notes=notes, actor=principal.actor)
    return Status(201, _evaluation(evaluation))


@router.get("/partners/{int:partner_id}/evaluations", response={200: list[EvaluationOut], **ERRORS},
            summary="A partner's evaluations, newest first")
def list_evaluations(request: HttpRequest, partner_id: PathId) -> Any:
    _staff(request, Ability.READ)
    partner = _partner(partner_id)
    return [_evaluation(e) for e in ev.partner_evaluations(partner).select_related("partner")]


@router.get("/evaluations/ranking", response={200: list[EvaluationOut], **ERRORS},
            summary="Candidates of a category ranked by their latest evaluation")
def ranking(request: HttpRequest, category: Annotated[str, choice(Category.values)]) -> Any:
    _staff(request, Ability.READ)
    return [_evaluation(e) for e in ev.ranking(category)]


@router.get("/evaluations/compare", response={200: CompareOut, **ERRORS},
            summary="Two partners' latest evaluations side by side")
def compare(request: HttpRequest, a: RowId, b: RowId) -> Any:
    _staff(request, Ability.READ)
    result = ev.compare(_partner(a), _partner(b))
    return {
        "a": _evaluation(result.a), "b": _evaluation(result.b),
        "rows": [{"criterion": r.criterion,
                  "a": _contribution(r.a, result.a.scores[r.criterion].get("note", "")),
                  "b": _contribution(r.b, result.b.scores[r.criterion].get("note", ""))} for r in result.rows],
    }


# --- Lifecycle ------------------------------------------------------------------------------------------------

@router.get("/partners/{int:partner_id}/lifecycle", response={200: LifecycleOut, **ERRORS},
            summary="A partner's stage, checklist, next gates and history")
def get_lifecycle(request: HttpRequest, partner_id: PathId) -> Any:
    _staff(request, Ability.READ)
    return _lifecycle(_partner(partner_id))


@router.post("/partners/{int:partner_id}/lifecycle/moves", response={201: TransitionOut, **ERRORS},
             summary="Move a partner to another stage (gates apply; override with a reason)")
def move(request: HttpRequest, partner_id: PathId, payload: MoveIn) -> Any:
    principal = _staff(request, Ability.MANAGE_PARTNERS)
    transition = lc.lifecycle_move(partner=_partner(partner_id), to=payload.to, reason=payload.reason,
                                   override=payload.override, actor=principal.actor)
    return Status(201, _transition(transition))


@router.post("/partners/{int:partner_id}/lifecycle/checklist", response={200: ChecklistItemOut, **ERRORS},
             summary="Tick or untick an exit-checklist item with its evidence")
def tick(request: HttpRequest, partner_id: PathId, payload: TickIn) -> Any:
    principal = _staff(request, Ability.MANAGE_PARTNERS)
    partner = _partner(partner_id)
    row = lc.checklist_tick(partner=partner, stage=payload.stage, item=payload.item, done=payload.done,
                            evidence=payload.evidence, actor=principal.actor)
    label = next(str(i.label) for i in STAGES[payload.stage].checklist if i.key == payload.item)
    return {"stage": row.stage, "item": row.item, "label": label, "done": row.done, "evidence": row.evidence,
            "updated_at": row.updated_at, "updated_by": row.updated_by}
