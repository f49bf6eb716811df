"""Lifecycle: the transition table, every gate and its override, the overdue boundary, history and audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parceria.common.errors import InvalidInput
from parceria.common.models import AuditRecord
from parceria.customers.selectors import pilot_customers_with_revenue
from parceria.partners.evaluation import evaluation_create
from parceria.partners.lifecycle import (
    GateFailed,
    board,
    checklist_tick,
    history,
    is_overdue,
    lifecycle_move,
    stage_state,
)
from parceria.partners.lifecycle_data import TRANSITIONS, Gate, Stage
from parceria.partners.models import PartnerLifecycle, StageTransition
from tests.factories import ACTOR, ingest, make_customer, make_partner, paid

pytestmark = pytest.mark.django_db
SCORES = {"customer_overlap": 8, "integration_complexity": 3, "market_size": 7, "competitive_advantage": 9,
          "partner_willingness": 6}


def tick_all(partner, stage, items):
    for item in items:
        checklist_tick(partner=partner, stage=stage, item=item, done=True, evidence=f"https://docs/{item}", actor=ACTOR)


def at_stage(stage: Stage):
    """A partner moved (with overrides) to `stage`."""
    partner = make_partner()
    order = [Stage.ENGAGEMENT, Stage.PILOT, Stage.LAUNCH, Stage.OPTIMISATION]
    for to in order[: order.index(stage) + 1] if stage in order else []:
        lifecycle_move(partner=partner, to=to, override=True, reason="setting up the test", actor=ACTOR)
    return partner


def test_the_transition_table():
    assert TRANSITIONS[Stage.IDENTIFICATION] == {Stage.ENGAGEMENT, Stage.REJECTED, Stage.CHURNED}
    assert TRANSITIONS[Stage.ENGAGEMENT] == {Stage.PILOT, Stage.IDENTIFICATION, Stage.REJECTED, Stage.CHURNED}
    assert TRANSITIONS[Stage.PILOT] == {Stage.LAUNCH, Stage.ENGAGEMENT, Stage.REJECTED, Stage.CHURNED}
    assert TRANSITIONS[Stage.LAUNCH] == {Stage.OPTIMISATION, Stage.PILOT, Stage.REJECTED, Stage.CHURNED}
    assert TRANSITIONS[Stage.OPTIMISATION] == {Stage.LAUNCH, Stage.REJECTED, Stage.CHURNED}
    assert TRANSITIONS[Stage.REJECTED] == {Stage.IDENTIFICATION}
    assert TRANSITIONS[Stage.CHURNED] == set()


def test_a_new_partner_is_in_identification_since_it_was_registered():
    partner = make_partner()
    state = stage_state(partner)
    assert state.stage == Stage.IDENTIFICATION and state.entered_at == partner.created_at


def test_skipping_a_stage_is_refused_and_changes_nothing():
    partner = make_partner()
    with pytest.raises(InvalidInput, match="cannot move"):
        lifecycle_move(partner=partner, to=Stage.PILOT, override=True, reason="hurry", actor=ACTOR)
    with pytest.raises(InvalidInput):
        lifecycle_move(partner=partner, to="heaven", actor=ACTOR)
    assert not StageTransition.objects.exists() and stage_state(partner).stage == Stage.IDENTIFICATION


def test_identification_needs_an_evaluation_and_its_checklist():
    partner = make_partner()
    with pytest.raises(GateFailed) as err:
        lifecycle_move(partner=partner, to=Stage.ENGAGEMENT, actor=ACTOR)
    gates = {g["gate"]: g["passed"] for g in err.value.details["gates"]}
    assert gates == {"evaluated": False, "checklist": False}
    assert "not been evaluated" in err.value.message and err.value.status == 409
    evaluation_create(partner=partner, scores=SCORES, actor=ACTOR)
    tick_all(partner, Stage.IDENTIFICATION, ["qualified_list", "interest_validated"])
    moved = lifecycle_move(partner=partner, to=Stage.ENGAGEMENT, actor=ACTOR)
    assert moved.overridden is False and all(g["passed"] for g in moved.gates)
    assert stage_state(partner).stage == Stage.ENGAGEMENT


def test_no_pilot_without_a_signed_letter_of_intent():
    partner = at_stage(Stage.ENGAGEMENT)
    tick_all(partner, Stage.ENGAGEMENT, ["technical_scoping"])
    with pytest.raises(GateFailed, match="No signed letter of intent"):
        lifecycle_move(partner=partner, to=Stage.PILOT, actor=ACTOR)
    with pytest.raises(InvalidInput, match="evidence"):  # a tick without evidence does not count
        checklist_tick(partner=partner, stage=Stage.ENGAGEMENT, item="letter_of_intent", done=True, evidence=" ",
                       actor=ACTOR)
    tick_all(partner, Stage.ENGAGEMENT, ["letter_of_intent"])
    assert lifecycle_move(partner=partner, to=Stage.PILOT, actor=ACTOR).to_stage == Stage.PILOT


def test_no_launch_without_three_pilot_customers_with_revenue():
    partner = at_stage(Stage.PILOT)
    tick_all(partner, Stage.PILOT, ["customer_value", "technical_feasibility"])
    customers = [make_customer(partner) for _ in range(3)]
    make_customer(make_partner())  # another partner's customer does not count
    ingest(paid(customers[0], "100.00"), paid(customers[0], "50.00"), paid(customers[1], "80.00"))
    assert pilot_customers_with_revenue(partner) == 2  # the third has no paid invoice
    with pytest.raises(GateFailed, match="Only 2 pilot customers have paid an invoice; 3 are needed"):
        lifecycle_move(partner=partner, to=Stage.LAUNCH, actor=ACTOR)
    ingest(paid(customers[2], "10.00"))
    moved = lifecycle_move(partner=partner, to=Stage.LAUNCH, actor=ACTOR)
    assert {"gate": "pilot_customers", "passed": True,
            "message": "3 pilot customers have paid an invoice (3 needed)."} in moved.gates


def test_the_pilot_customers_gate_is_the_one_customers_registers_and_a_missing_check_is_named(monkeypatch):
    from parceria.customers.gates import gate_pilot_customers
    from parceria.partners import lifecycle

    assert lifecycle.GATES[Gate.PILOT_CUSTOMERS] is gate_pilot_customers
    partner = at_stage(Stage.PILOT)
    monkeypatch.delitem(lifecycle.GATES, Gate.PILOT_CUSTOMERS)
    with pytest.raises(LookupError, match="pilot_customers"):
        lifecycle_move(partner=partner, to=Stage.LAUNCH, actor=ACTOR)
    assert PartnerLifecycle.objects.get(partner=partner).stage == Stage.PILOT


def test_launch_needs_its_checklist():
    partner = at_stage(Stage.LAUNCH)
    tick_all(partner, Stage.LAUNCH, ["integration_certified"])
    with pytest.raises(GateFailed, match="Active customer acquisition"):
        lifecycle_move(partner=partner, to=Stage.OPTIMISATION, actor=ACTOR)
    tick_all(partner, Stage.LAUNCH, ["active_acquisition"])
    assert lifecycle_move(partner=partner, to=Stage.OPTIMISATION, actor=ACTOR).overridden is False


def test_an_override_needs_a_written_reason_which_is_recorded_and_audited():
    partner = at_stage(Stage.ENGAGEMENT)
    before = StageTransition.objects.count()
    with pytest.raises(InvalidInput, match="reason"):
        lifecycle_move(partner=partner, to=Stage.PILOT, override=True, reason="   ", actor=ACTOR)
    assert StageTransition.objects.count() == before and stage_state(partner).stage == Stage.ENGAGEMENT
    moved = lifecycle_move(partner=partner, to=Stage.PILOT, override=True, reason="LOI signed on paper, scan pending",
                           actor=ACTOR)
    assert moved.overridden is True and moved.reason == "LOI signed on paper, scan pending"
    assert {g["gate"]: g["passed"] for g in moved.gates} == {"letter_of_intent": False, "checklist": False}
    record = AuditRecord.objects.filter(action="partner.stage_overridden", object_id=str(partner.pk)).order_by("-id")[0]
    assert record.reason == "LOI signed on paper, scan pending" and record.after["stage"] == "pilot"


def test_override_with_all_gates_passed_is_an_ordinary_move():
    partner = make_partner()
    evaluation_create(partner=partner, scores=SCORES, actor=ACTOR)
    tick_all(partner, Stage.IDENTIFICATION, ["qualified_list", "interest_validated"])
    assert lifecycle_move(partner=partner, to=Stage.ENGAGEMENT, override=True, actor=ACTOR).overridden is False


@pytest.mark.parametrize("to", [Stage.REJECTED, Stage.CHURNED, Stage.IDENTIFICATION])
def test_back_reject_and_churn_need_a_reason_but_no_gates(to):
    partner = at_stage(Stage.ENGAGEMENT)
    with pytest.raises(InvalidInput, match="reason"):
        lifecycle_move(partner=partner, to=to, actor=ACTOR)
    moved = lifecycle_move(partner=partner, to=to, reason="no budget this year", actor=ACTOR)
    assert moved.gates == [] and moved.overridden is False and stage_state(partner).stage == to


def test_churned_is_final_and_rejected_may_reopen():
    churned, rejected = make_partner(), make_partner()
    lifecycle_move(partner=churned, to=Stage.CHURNED, reason="went out of business", actor=ACTOR)
    lifecycle_move(partner=rejected, to=Stage.REJECTED, reason="no fit", actor=ACTOR)
    with pytest.raises(InvalidInput):
        lifecycle_move(partner=churned, to=Stage.IDENTIFICATION, reason="again", actor=ACTOR)
    assert lifecycle_move(partner=rejected, to=Stage.IDENTIFICATION, reason="new CEO is keen",
                          actor=ACTOR).to_stage == Stage.IDENTIFICATION


def test_overdue_at_the_boundary():
    entered = timezone.now() - timedelta(days=365)
    four_weeks = entered + timedelta(weeks=4)
    assert is_overdue(Stage.IDENTIFICATION, entered, four_weeks) is False  # exactly the maximum
    assert is_overdue(Stage.IDENTIFICATION, entered, four_weeks + timedelta(days=1)) is True
    assert is_overdue(Stage.PILOT, entered, entered + timedelta(weeks=12)) is False
    assert is_overdue(Stage.PILOT, entered, entered + timedelta(weeks=12, days=1)) is True
    assert is_overdue(Stage.OPTIMISATION, entered, entered + timedelta(weeks=500)) is False  # ongoing
    partner = at_stage(Stage.ENGAGEMENT)
    row = PartnerLifecycle.objects.get(partner=partner)
    assert stage_state(partner, now=row.entered_at + timedelta(weeks=8)).overdue is False
    state = stage_state(partner, now=row.entered_at + timedelta(weeks=8, days=1))
    assert state.overdue is True and state.days_in_stage == 57


def test_history_keeps_every_move_with_who_when_and_why():
    partner = at_stage(Stage.PILOT)
    lifecycle_move(partner=partner, to=Stage.ENGAGEMENT, reason="pilot scope renegotiated", actor=ACTOR)
    moves = [(t.from_stage, t.to_stage, t.by_label, t.reason, t.overridden) for t in history(partner)]
    assert moves == [
        ("pilot", "engagement", "tests", "pilot scope renegotiated", False),
        ("engagement", "pilot", "tests", "setting up the test", True),
        ("identification", "engagement", "tests", "setting up the test", True),
    ]
    assert stage_state(partner).stage == Stage.ENGAGEMENT
    assert AuditRecord.objects.filter(object_id=str(partner.pk), action__startswith="partner.stage_").count() == 3


def test_the_board_groups_partners_by_stage():
    a, b = make_partner(name="A"), at_stage(Stage.PILOT)
    evaluation_create(partner=a, scores=SCORES, actor=ACTOR)
    columns = board()
    assert [c.partner for c in columns[Stage.IDENTIFICATION]] == [a]
    assert [c.partner for c in columns[Stage.PILOT]] == [b]
    assert str(columns[Stage.IDENTIFICATION][0].latest_score) == "7.5"
    assert columns[Stage.PILOT][0].moves == [Stage.LAUNCH, Stage.ENGAGEMENT, Stage.REJECTED, Stage.CHURNED]
