"""The partnership lifecycle (SPEC §1.3): a partner's stage, the exit checklist, the gates that guard a forward
move, overrides with a written reason, the overdue flag and the full history. The stages, checklists and the
table of allowed moves are data in lifecycle_data.py.

Gates are functions of the partner (and its checklist ticks) returning a GateResult, so a gate can later read
a real record: the letter-of-intent gate reads the checklist today and can read a signed agreement tomorrow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import Conflict, InvalidInput
from parceria.common.inputs import clean_text
from parceria.partners.lifecycle_data import (
    STAGES,
    TRANSITIONS,
    ChecklistItem,
    Gate,
    Stage,
    is_forward,
    needs_reason,
    next_stage,
)
from parceria.partners.models import ChecklistTick, Evaluation, Partner, PartnerLifecycle, StageTransition

REASON_MAX = 5000
EVIDENCE_MAX = 2000


class GateFailed(Conflict):
    """A forward move refused by its gates; `details["gates"]` lists every gate checked with its result."""

    code = "gate_failed"


@dataclass(frozen=True)
class GateResult:
    gate: str
    passed: bool
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"gate": self.gate, "passed": self.passed, "message": self.message}


Ticks = dict[tuple[str, str], ChecklistTick]  # (stage, item) → tick
GateCheck = Callable[[Partner, str, Ticks], GateResult]


# --- Gates ----------------------------------------------------------------------------------------------------

def _done(ticks: Ticks, stage: str, item: str) -> bool:
    tick = ticks.get((stage, item))
    return bool(tick and tick.done and tick.evidence.strip())


def gate_evaluated(partner: Partner, stage: str, ticks: Ticks) -> GateResult:
    if Evaluation.objects.filter(partner=partner).exists():
        return GateResult(Gate.EVALUATED, True, _("The partner has been evaluated against the strategic criteria."))
    return GateResult(Gate.EVALUATED, False,
                      _("The partner has not been evaluated against the strategic criteria yet."))


def gate_letter_of_intent(partner: Partner, stage: str, ticks: Ticks) -> GateResult:
    """No pilot without a signed letter of intent. Reads the engagement checklist; an agreement later."""
    if _done(ticks, Stage.ENGAGEMENT, "letter_of_intent"):
        return GateResult(Gate.LETTER_OF_INTENT, True, _("A signed letter of intent is on file."))
    return GateResult(Gate.LETTER_OF_INTENT, False,
                      _("No signed letter of intent with a defined pilot program: tick it with its evidence."))


def gate_checklist(partner: Partner, stage: str, ticks: Ticks) -> GateResult:
    missing = [str(item.label) for item in STAGES[stage].checklist
               if item.gate == Gate.CHECKLIST and not _done(ticks, stage, item.key)]
    if not missing:
        return GateResult(Gate.CHECKLIST, True, _("The exit checklist is complete."))
    return GateResult(Gate.CHECKLIST, False,
                      _("Exit checklist items not done (with evidence): %(items)s.") % {"items": "; ".join(missing)})


#: The check of each gate. A gate that reads another app's records is registered by that app (`register_gate` in its
#: AppConfig.ready): the pilot-customers gate by customers (customers/gates.py).
GATES: dict[str, GateCheck] = {
    Gate.EVALUATED: gate_evaluated,
    Gate.LETTER_OF_INTENT: gate_letter_of_intent,
    Gate.CHECKLIST: gate_checklist,
}


def register_gate(gate: str, check: GateCheck) -> GateCheck:
    GATES[gate] = check
    return check


def _ticks(partner: Partner) -> Ticks:
    return {(t.stage, t.item): t for t in ChecklistTick.objects.filter(partner=partner)}


def check_gates(partner: Partner, stage: str) -> list[GateResult]:
    """The gates of leaving `stage` forward, each with its result."""
    ticks = _ticks(partner)
    missing = [gate for gate in STAGES[stage].gates if gate not in GATES]
    if missing:
        raise LookupError(f"no check is registered for the gate(s) {', '.join(missing)} (register_gate)")
    return [GATES[gate](partner, stage, ticks) for gate in STAGES[stage].gates]


# --- Selectors ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StageState:
    stage: Stage
    entered_at: datetime
    overdue: bool
    days_in_stage: int
    max_weeks: int | None


def is_overdue(stage: str, entered_at: datetime, now: datetime) -> bool:
    """Past the stage's maximum duration (exactly at the maximum is not yet overdue)."""
    spec = STAGES[stage]
    return spec.max_weeks is not None and now - entered_at > timedelta(weeks=spec.max_weeks)


def _state(stage: str, entered_at: datetime, now: datetime) -> StageState:
    return StageState(Stage(stage), entered_at, is_overdue(stage, entered_at, now),
                      max((now - entered_at).days, 0), STAGES[stage].max_weeks)


def stage_state(partner: Partner, *, now: datetime | None = None) -> StageState:
    now = now or timezone.now()
    row = PartnerLifecycle.objects.filter(partner=partner).first()
    if row is None:
        return _state(Stage.IDENTIFICATION, partner.created_at, now)
    return _state(row.stage, row.entered_at, now)


@dataclass(frozen=True)
class ChecklistRow:
    stage: Stage
    item: ChecklistItem
    tick: ChecklistTick | None

    @property
    def done(self) -> bool:
        return bool(self.tick and self.tick.done)


def checklist(partner: Partner, stage: str) -> list[ChecklistRow]:
    ticks = _ticks(partner)
    return [ChecklistRow(Stage(stage), item, ticks.get((stage, item.key))) for item in STAGES[stage].checklist]


def history(partner: Partner) -> QuerySet[StageTransition]:
    return StageTransition.objects.filter(partner=partner).order_by("-at", "-id")


def allowed_moves(stage: str) -> list[Stage]:
    """The stages a partner in `stage` may move to, forward first, in pipeline order."""
    return sorted(TRANSITIONS[stage], key=lambda s: (not is_forward(stage, s), list(Stage).index(s)))


@dataclass(frozen=True)
class BoardCard:
    partner: Partner
    state: StageState
    latest_score: Any
    moves: list[Stage]


def board(*, now: datetime | None = None, partners: QuerySet[Partner] | None = None) -> dict[Stage, list[BoardCard]]:
    """Every partner by stage, in one query: its stage, days in it, overdue flag and latest priority score."""
    now = now or timezone.now()
    latest = Evaluation.objects.filter(partner=OuterRef("pk")).order_by("-created_at", "-id")
    qs = (partners if partners is not None else Partner.objects.all()).select_related("lifecycle").annotate(
        latest_score=Subquery(latest.values("priority_score")[:1])).order_by("name", "id")
    columns: dict[Stage, list[BoardCard]] = {stage: [] for stage in Stage}
    for partner in qs:
        row = getattr(partner, "lifecycle", None)
        state = _state(row.stage, row.entered_at, now) if row else _state(Stage.IDENTIFICATION, partner.created_at, now)
        card = BoardCard(partner, state, partner.latest_score, allowed_moves(state.stage))
        columns[state.stage].append(card)
    return columns


# --- Services -------------------------------------------------------------------------------------------------

def _lifecycle_row(partner: Partner) -> PartnerLifecycle:
    Partner.objects.select_for_update().filter(pk=partner.pk).first()  # one move of a partner at a time
    row, _created = PartnerLifecycle.objects.select_for_update().get_or_create(
        partner=partner, defaults={"stage": Stage.IDENTIFICATION, "entered_at": partner.created_at})
    return row


def lifecycle_move(
    *, partner: Partner, to: str, reason: str = "", override: bool = False, actor: Actor,
    now: datetime | None = None,
) -> StageTransition:
    """Move a partner to stage `to` per the transition table. A forward move passes the gates of the stage it
    leaves; a failed gate is refused (GateFailed, naming each gate and why) unless `override` with a written
    reason. Moves back and to rejected or churned need a reason. Recorded in the history and audited."""
    if to not in Stage.values:
        raise InvalidInput(f"to must be one of {', '.join(Stage.values)}; got {to!r}", code="invalid_choice",
                           details={"field": "to"})
    reason = clean_text(reason, field="reason", max_length=REASON_MAX, required=False)
    now = now or timezone.now()
    with transaction.atomic():
        row = _lifecycle_row(partner)
        current = row.stage
        if to not in TRANSITIONS[current]:
            raise InvalidInput(
                _("A partner in %(from)s cannot move to %(to)s.") % {"from": Stage(current).label,
                                                                     "to": Stage(to).label},
                code="invalid_transition", details={"field": "to"})
        if needs_reason(current, to) and not reason:
            raise InvalidInput(_("Write the reason for this move."), code="reason_required",
                               details={"field": "reason"})
        gates = check_gates(partner, current) if is_forward(current, to) else []
        failed = [g for g in gates if not g.passed]
        if failed and not override:
            raise GateFailed(" ".join(g.message for g in failed), details={
                "field": "to", "gates": [g.as_dict() for g in gates]})
        if failed and not reason:
            raise InvalidInput(_("An override needs a written reason."), code="override_reason_required",
                               details={"field": "reason", "gates": [g.as_dict() for g in gates]})
        transition = StageTransition.objects.create(
            partner=partner, from_stage=current, to_stage=to, at=now,
            by=actor.user if getattr(actor.user, "pk", None) else None, by_label=actor.label[:200],
            reason=reason, gates=[g.as_dict() for g in gates], overridden=bool(failed))
        row.stage, row.entered_at = to, now
        row.save(update_fields=["stage", "entered_at"])
        audit_record_create(
            actor=actor, action="partner.stage_overridden" if failed else "partner.stage_moved", obj=partner,
            before={"stage": current}, after={"stage": to, "gates": transition.gates}, reason=reason)
    return transition


def checklist_tick(
    *, partner: Partner, stage: str, item: str, done: bool, evidence: str = "", actor: Actor,
    now: datetime | None = None,
) -> ChecklistTick:
    """Tick (or untick) an exit criterion. Ticking needs its evidence."""
    if stage not in Stage.values:
        raise InvalidInput(f"stage must be one of {', '.join(Stage.values)}", code="invalid_choice",
                           details={"field": "stage"})
    if item not in {i.key for i in STAGES[stage].checklist}:
        raise InvalidInput(f"{item!r} is not on the checklist of {stage}", code="invalid_choice",
                           details={"field": "item"})
    evidence = clean_text(evidence, field="evidence", max_length=EVIDENCE_MAX, required=False)
    if done and not evidence:
        raise InvalidInput(_("Give the evidence that this criterion is met."), code="evidence_required",
                           details={"field": "evidence"})
    with transaction.atomic():
        tick, _created = ChecklistTick.objects.select_for_update().get_or_create(
            partner=partner, stage=stage, item=item,
            defaults={"updated_at": now or timezone.now(), "updated_by": actor.label[:200]})
        before = {"done": tick.done, "evidence": tick.evidence}
        tick.done, tick.evidence = done, evidence
        tick.updated_at, tick.updated_by = now or timezone.now(), actor.label[:200]
        tick.save()
        audit_record_create(actor=actor, action="partner.checklist_ticked", obj=partner,
                            before={"stage": stage, "item": item, **before},
                            after={"stage": stage, "item": item, "done": done, "evidence": evidence})
    return tick


def next_gates(partner: Partner, stage: str) -> Iterable[GateResult]:
    """The gates the next forward move must pass (empty at the end of the pipeline)."""
    return check_gates(partner, stage) if next_stage(stage) else []
