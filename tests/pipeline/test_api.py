"""The pipeline API: evaluations, ranking, comparison, lifecycle; internal only (a partner key gets 403)."""

from __future__ import annotations

import pytest

from parceria.partners.lifecycle import checklist_tick
from parceria.partners.models import Evaluation, EvaluationWeights, StageTransition
from tests.conftest import ApiClient
from tests.factories import ACTOR, make_key, make_partner

pytestmark = pytest.mark.django_db
SCORES = {"customer_overlap": {"score": 8, "note": "70% ICP"}, "integration_complexity": {"score": 3},
          "market_size": {"score": "7"}, "competitive_advantage": {"score": 9}, "partner_willingness": {"score": 6}}


@pytest.fixture
def admin():
    return ApiClient(make_key("admin"))


def test_evaluate_list_rank_and_compare(admin):
    a = make_partner(name="A", category="technology_integration", subcategory="crm")
    b = make_partner(name="B", category="technology_integration", subcategory="crm")
    r = admin.post(f"/partners/{a.pk}/evaluations", {"scores": SCORES})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["priority_score"] == "7.5" and body["weights"]["customer_overlap"] == "25"
    overlap = body["contributions"][0]
    assert overlap == {"criterion": "customer_overlap", "entered": "8", "score": "8", "weight": "25",
                       "share": "0.2500", "points": "2.0000", "note": "70% ICP"}
    assert body["contributions"][1]["score"] == "7"  # effort 3
    b_scores = {**SCORES, "customer_overlap": {"score": 10}, "integration_complexity": {"score": 0},
                "competitive_advantage": {"score": 9}, "market_size": {"score": 9}, "partner_willingness": {"score": 1}}
    assert admin.post(f"/partners/{b.pk}/evaluations", {"scores": b_scores}).json()["priority_score"] == "8.2"
    assert [e["priority_score"] for e in admin.get(f"/partners/{a.pk}/evaluations").json()] == ["7.5"]
    ranked = admin.get("/evaluations/ranking", category="technology_integration").json()
    assert [(e["partner_name"], e["priority_score"]) for e in ranked] == [("B", "8.2"), ("A", "7.5")]
    compared = admin.get("/evaluations/compare", a=a.pk, b=b.pk).json()
    assert compared["rows"][0]["a"]["points"] == "2.0000" and compared["rows"][0]["b"]["points"] == "2.5000"
    assert admin.get("/evaluations/ranking", category="nope").status_code == 422


@pytest.mark.parametrize("bad", [
    {**SCORES, "market_size": {"score": 11}},
    {**SCORES, "market_size": {"score": -0.5}},
    {**SCORES, "market_size": {"score": "x"}},
    {k: v for k, v in SCORES.items() if k != "market_size"},
])
def test_bad_scores_are_a_422_and_store_nothing(admin, bad):
    partner = make_partner()
    r = admin.post(f"/partners/{partner.pk}/evaluations", {"scores": bad})
    assert r.status_code == 422 and r.json()["error"]["message"]
    assert not Evaluation.objects.exists()


def test_weights_zero_sum_is_a_422_and_changes_nothing(admin):
    zero = dict.fromkeys(["customer_overlap", "integration_complexity", "market_size", "competitive_advantage",
                          "partner_willingness"], 0)
    r = admin.post("/evaluation-weights", {"weights": zero})
    assert r.status_code == 422 and "positive" in r.json()["error"]["message"]
    assert EvaluationWeights.objects.count() == 1
    ok = admin.post("/evaluation-weights", {"weights": {**zero, "market_size": "2.5"}, "note": "market only"})
    assert ok.status_code == 201 and admin.get("/evaluation-weights").json()["weights"]["market_size"] == "2.5"


def test_lifecycle_read_refused_move_and_override(admin):
    partner = make_partner()
    state = admin.get(f"/partners/{partner.pk}/lifecycle").json()
    assert state["stage"] == "identification" and state["overdue"] is False
    assert state["allowed_moves"] == ["engagement", "rejected", "churned"]
    assert {g["gate"] for g in state["next_gates"]} == {"evaluated", "checklist"}
    refused = admin.post(f"/partners/{partner.pk}/lifecycle/moves", {"to": "engagement"})
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "gate_failed" and "not been evaluated" in error["message"]
    no_reason = admin.post(f"/partners/{partner.pk}/lifecycle/moves", {"to": "engagement", "override": True})
    assert no_reason.status_code == 422 and no_reason.json()["error"]["code"] == "override_reason_required"
    assert not StageTransition.objects.exists()
    moved = admin.post(f"/partners/{partner.pk}/lifecycle/moves",
                       {"to": "engagement", "override": True, "reason": "board decision"})
    assert moved.status_code == 201 and moved.json()["overridden"] is True
    tick = admin.post(f"/partners/{partner.pk}/lifecycle/checklist",
                      {"stage": "engagement", "item": "letter_of_intent", "done": True, "evidence": "loi.pdf"})
    assert tick.status_code == 200 and tick.json()["done"] is True
    bad_tick = admin.post(f"/partners/{partner.pk}/lifecycle/checklist",
                          {"stage": "engagement", "item": "letter_of_intent", "done": True})
    assert bad_tick.status_code == 422
    state = admin.get(f"/partners/{partner.pk}/lifecycle").json()
    assert state["stage"] == "engagement" and len(state["history"]) == 1
    assert state["history"][0]["reason"] == "board decision"
    loi = next(i for i in state["checklist"] if i["item"] == "letter_of_intent")
    assert loi["done"] is True and loi["evidence"] == "loi.pdf"
    assert admin.get("/partners/999999/lifecycle").status_code == 404


def routes(partner_id: int, other_id: int):
    move = {"to": "rejected", "reason": "x"}
    tick = {"stage": "identification", "item": "qualified_list", "done": True, "evidence": "list.xlsx"}
    return [
        ("get", "/evaluation-weights", {}),
        ("post", "/evaluation-weights", {"weights": {"customer_overlap": 1, "integration_complexity": 1,
                                                     "market_size": 1, "competitive_advantage": 1,
                                                     "partner_willingness": 1}}),
        ("post", f"/partners/{partner_id}/evaluations", {"scores": SCORES}),
        ("get", f"/partners/{partner_id}/evaluations", {}),
        ("get", "/evaluations/ranking", {"category": "consulting_agency"}),
        ("get", "/evaluations/compare", {"a": partner_id, "b": other_id}),
        ("get", f"/partners/{partner_id}/lifecycle", {}),
        ("post", f"/partners/{partner_id}/lifecycle/moves", move),
        ("post", f"/partners/{partner_id}/lifecycle/checklist", tick),
    ]


def call(api: ApiClient, method: str, path: str, data: dict):
    return api.get(path, **data) if method == "get" else api.post(path, data)


def test_a_partner_key_gets_403_on_every_route_even_for_itself():
    partner, other = make_partner(), make_partner()
    for target in (partner, other):
        api = ApiClient(make_key("partner", partner))
        for method, path, data in routes(target.pk, partner.pk if target == other else other.pk):
            assert call(api, method, path, data).status_code == 403, (method, path)
    assert not Evaluation.objects.exists() and not StageTransition.objects.exists()
    assert EvaluationWeights.objects.count() == 1


@pytest.mark.parametrize("scope", ["analytics", "platform", "finance"])
def test_read_only_scopes_read_but_cannot_write(scope):
    partner, other = make_partner(), make_partner()
    api = ApiClient(make_key(scope))
    for method, path, data in routes(partner.pk, other.pk):
        status = call(api, method, path, data).status_code
        if method == "post":
            assert status == 403, (method, path)
        else:
            assert status in (200, 404), (method, path)  # compare: 404 until both are evaluated
    assert not Evaluation.objects.exists() and not StageTransition.objects.exists()


def test_no_key_is_401():
    assert ApiClient(None).get("/evaluation-weights").status_code == 401


def test_checklist_tick_is_audited_via_service():
    partner = make_partner()
    checklist_tick(partner=partner, stage="identification", item="qualified_list", done=True, evidence="x", actor=ACTOR)
    from parceria.common.models import AuditRecord

    assert AuditRecord.objects.filter(action="partner.checklist_ticked", object_id=str(partner.pk)).exists()
