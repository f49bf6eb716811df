"""Console pages of the partner pipeline (SPEC §1.2–1.3): the board, a partner's lifecycle page, evaluations,
the ranking per category, side-by-side comparison and the weights. Every change goes through the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability
from parceria.common.errors import ParceriaError
from parceria.partners import evaluation as ev
from parceria.partners import lifecycle as lc
from parceria.partners.lifecycle_data import (
    PIPELINE,
    STAGES,
    TERMINAL,
    Stage,
    is_forward,
    needs_reason,
    previous_stage,
)
from parceria.partners.models import Partner
from parceria.partners.pipeline_forms import (
    CompareForm,
    EvaluationForm,
    MoveForm,
    RankingForm,
    TickForm,
    WeightsForm,
)
from parceria.web.access import actor, console_view
from parceria.web.forms import add_domain_error, attempt
from parceria.web.pages import page

NAV = "pipeline"


def _partner(partner_id: int) -> Partner:
    return get_object_or_404(Partner, pk=partner_id)


# --- Board ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Refusal:
    """A board move the service refused: shown above the board, its card marked, nothing changed."""

    partner: Partner
    to: Stage | None
    errors: list[str]
    gates: list[dict[str, Any]]  # the gates that failed (an override is on the lifecycle page)


def _menu(card: lc.BoardCard) -> list[dict[str, Any]]:
    """The card's move menu: each allowed stage, and whether its move needs a written reason (the service's rule)."""
    here = card.state.stage
    return [{"stage": to, "forward": is_forward(here, to), "back": to == previous_stage(here),
             "reason": needs_reason(here, to)} for to in card.moves]


def _board_page(request: HttpRequest, *, refused: Refusal | None = None, status: int = 200) -> HttpResponse:
    columns = lc.board()

    def column(stage: Stage) -> dict[str, Any]:
        cards = [{"card": card, "moves": _menu(card),
                  "refused": refused is not None and refused.partner.pk == card.partner.pk}
                 for card in columns[stage]]
        return {"stage": stage, "spec": STAGES[stage], "cards": cards}

    context = {"pipeline": [column(stage) for stage in PIPELINE],
               "closed": [column(stage) for stage in sorted(TERMINAL, key=list(Stage).index)],
               "refused": refused}
    return page(request, "partners/console/board.html", context, nav=NAV, status=status)


@console_view()
def board(request: HttpRequest) -> HttpResponse:
    return _board_page(request)


@console_view(read=None, write=Ability.MANAGE_PARTNERS)
def move(request: HttpRequest, partner_id: int) -> HttpResponse:
    """A move from the board's card menu (or a drag, which posts the same form) or from the lifecycle page. Every
    rule is the service's: the form offers any stage and the service refuses what the partner may not do. A refused
    board move shows why above the board; on the lifecycle page the failed gates sit beside its form, with the
    override."""
    partner = _partner(partner_id)
    from_page = request.POST.get("from") == "partner"
    form = MoveForm(request.POST, prefix=None if from_page else f"p{partner.pk}")
    gates: list[Any] = []
    if form.is_valid():
        data = form.cleaned_data
        try:
            lc.lifecycle_move(partner=partner, to=data["to"], reason=data["reason"], override=data["override"],
                              actor=actor(request))
        except lc.GateFailed as exc:
            gates = [g for g in exc.details["gates"] if not g["passed"]]
            if from_page:
                form.add_error("to", _("This move is refused: a gate failed (see below)."))
        except ParceriaError as exc:
            add_domain_error(form, exc, "to")
        else:
            messages.success(request, _("%(name)s moved to %(stage)s.") % {
                "name": partner.name, "stage": Stage(data["to"]).label})
            if from_page:
                return redirect("partners_console:lifecycle", partner_id=partner.pk)
            return redirect("partners_console:board")
    if from_page:
        form.limit(lc.allowed_moves(lc.stage_state(partner).stage))
        return _partner_page(request, partner, move_form=form, gates=gates, status=422)
    to = form.cleaned_data.get("to")
    errors = [str(message) for messages_ in form.errors.values() for message in messages_]
    return _board_page(request, refused=Refusal(partner, Stage(to) if to in Stage.values else None, errors, gates),
                       status=422)


# --- A partner's lifecycle ------------------------------------------------------------------------------------

def _partner_page(request: HttpRequest, partner: Partner, *, status: int = 200, move_form: MoveForm | None = None,
                  gates: list[Any] | None = None, tick_error: tuple[str, str, TickForm] | None = None) -> HttpResponse:
    state = lc.stage_state(partner)
    sections = []
    for stage in [*PIPELINE]:
        rows = []
        for row in lc.checklist(partner, stage):
            form = TickForm(initial={"stage": stage, "item": row.item.key, "done": row.done,
                                     "evidence": row.tick.evidence if row.tick else ""})
            if tick_error and tick_error[:2] == (stage, row.item.key):
                form = tick_error[2]
            rows.append({"row": row, "form": form})
        sections.append({"stage": stage, "spec": STAGES[stage], "rows": rows, "current": stage == state.stage})
    context = {
        "partner": partner, "state": state, "sections": sections,
        "move_form": move_form or MoveForm(moves=lc.allowed_moves(state.stage),
                                           initial={"to": request.GET.get("to", "")}),
        "failed_gates": gates or [], "next_gates": list(lc.next_gates(partner, state.stage)),
        "history": lc.history(partner), "latest": ev.latest_evaluation(partner),
    }
    return page(request, "partners/console/lifecycle.html", context, nav=NAV, status=status)


@console_view()
def partner_lifecycle(request: HttpRequest, partner_id: int) -> HttpResponse:
    return _partner_page(request, _partner(partner_id))


@console_view(read=None, write=Ability.MANAGE_PARTNERS)
def tick(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = _partner(partner_id)
    form = TickForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if attempt(form, lambda: lc.checklist_tick(partner=partner, stage=data["stage"], item=data["item"],
                                                   done=data["done"], evidence=data["evidence"],
                                                   actor=actor(request))):
            messages.success(request, _("The checklist is updated."))
            return redirect("partners_console:lifecycle", partner_id=partner.pk)
    key = (request.POST.get("stage", ""), request.POST.get("item", ""))
    return _partner_page(request, partner, tick_error=(*key, form), status=422)


# --- Evaluations ----------------------------------------------------------------------------------------------

def _explained(evaluations: Any) -> list[dict[str, Any]]:
    return [{"evaluation": e, "priority": ev.explain(e)} for e in evaluations]


@console_view(write=Ability.MANAGE_PARTNERS)
def evaluations(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = _partner(partner_id)
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scores = {c: data[c] for c in ev.CRITERIA}
        notes = {c: data[f"{c}_note"] for c in ev.CRITERIA}
        done = attempt(form, lambda: ev.evaluation_create(partner=partner, scores=scores, notes=notes,
                                                          actor=actor(request)))
        if done:
            messages.success(request, _("Evaluation saved: priority %(score)s.") % {"score": done.priority_score})
            return redirect("partners_console:evaluations", partner_id=partner.pk)
    context = {"partner": partner, "form": form, "weights": ev.current_weights(), "labels": ev.SHORT_LABELS,
               "history": _explained(ev.partner_evaluations(partner))}
    return page(request, "partners/console/evaluations.html", context, nav=NAV,
                status=422 if request.method == "POST" else 200)


@console_view()
def ranking(request: HttpRequest) -> HttpResponse:
    form = RankingForm(request.GET or {"category": "technology_integration"})
    ranked = _explained(ev.ranking(form.cleaned_data["category"])) if form.is_valid() else []
    return page(request, "partners/console/ranking.html", {"form": form, "ranked": ranked, "labels": ev.SHORT_LABELS},
                nav=NAV)


@console_view()
def compare(request: HttpRequest) -> HttpResponse:
    choices = list(Partner.objects.filter(evaluations__isnull=False).distinct().order_by("name")
                   .values_list("pk", "name"))
    form = CompareForm(request.GET or None, partners=choices)
    result = None
    if request.GET and form.is_valid():
        a = Partner.objects.filter(pk=form.cleaned_data["a"]).first()
        b = Partner.objects.filter(pk=form.cleaned_data["b"]).first()
        if a is None or b is None:
            form.add_error(None, _("Choose two evaluated partners."))
        else:
            result = attempt(form, lambda: ev.compare(a, b))
    return page(request, "partners/console/compare.html", {"form": form, "result": result, "labels": ev.SHORT_LABELS},
                nav=NAV, status=422 if form.errors else 200)


@console_view(write=Ability.MANAGE_PARTNERS)
def weights(request: HttpRequest) -> HttpResponse:
    current = ev.current_weights()
    form = WeightsForm(request.POST or None, initial=current.weights)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if attempt(form, lambda: ev.evaluation_weights_set(weights={c: data[c] for c in ev.CRITERIA},
                                                           note=data["note"], actor=actor(request))):
            messages.success(request, _("New weights are in force for the next evaluations."))
            return redirect("partners_console:weights")
    return page(request, "partners/console/weights.html", {"form": form, "current": current, "labels": ev.SHORT_LABELS},
                nav=NAV, status=422 if request.method == "POST" else 200)
