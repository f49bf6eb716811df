"""Console pipeline pages: access per role, the board's constant query count, moves (refused, overridden),
checklist ticks, evaluations with errors beside the fields, ranking, comparison and weights."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parceria.accounts.services import user_create
from parceria.partners.evaluation import evaluation_create
from parceria.partners.lifecycle import lifecycle_move, stage_state
from parceria.partners.lifecycle_data import Stage
from parceria.partners.models import ChecklistTick, Evaluation, EvaluationWeights, StageTransition
from tests.factories import ACTOR, make_partner

pytestmark = pytest.mark.django_db
SCORES = {"customer_overlap": 8, "integration_complexity": 3, "market_size": 7, "competitive_advantage": 9,
          "partner_willingness": 6}


def pages(partner_id: int) -> list[str]:
    return ["/console/pipeline/", f"/console/pipeline/partners/{partner_id}/",
            f"/console/pipeline/partners/{partner_id}/evaluations/", "/console/pipeline/ranking/",
            "/console/pipeline/compare/", "/console/pipeline/weights/"]


def posts(partner_id: int) -> list[tuple[str, dict]]:
    return [
        (f"/console/pipeline/partners/{partner_id}/move/", {f"p{partner_id}-to": "rejected",
                                                            f"p{partner_id}-reason": "no"}),
        (f"/console/pipeline/partners/{partner_id}/checklist/", {"stage": "identification", "item": "qualified_list",
                                                                 "done": "on", "evidence": "x"}),
        (f"/console/pipeline/partners/{partner_id}/evaluations/", {k: str(v) for k, v in SCORES.items()}),
        ("/console/pipeline/weights/", dict.fromkeys(SCORES, "1")),
    ]


def test_anonymous_is_sent_to_login():
    partner = make_partner()
    for url in pages(partner.pk):
        r = Client().get(url)
        assert r.status_code == 302 and "/login/" in r["Location"], url


def test_partner_user_is_refused():
    partner = make_partner()
    user = user_create(username="pa", password="correct horse battery staple 7", role="partner_admin",
                       email="pa@example.com", partner=partner, actor=ACTOR)
    client = Client()
    client.force_login(user)
    for url in pages(partner.pk):
        r = client.get(url)
        assert r.status_code in (302, 403) and "/console/" not in r.get("Location", ""), url
    for url, data in posts(partner.pk):
        assert client.post(url, data).status_code in (302, 403)
    assert not StageTransition.objects.exists() and not Evaluation.objects.exists()


def test_analyst_reads_every_page_but_every_post_is_403(analyst):
    partner = make_partner()
    evaluation_create(partner=partner, scores=SCORES, actor=ACTOR)
    for url in pages(partner.pk):
        r = analyst.get(url)
        assert r.status_code == 200, url
        html = r.content
        assert b'action="/console/pipeline/' not in html and b'<form method="post" novalidate' not in html, url
    for url, data in posts(partner.pk):
        assert analyst.post(url, data).status_code == 403, url
    assert not StageTransition.objects.exists() and Evaluation.objects.count() == 1
    assert not ChecklistTick.objects.exists() and EvaluationWeights.objects.count() == 1


def test_finance_reads_but_may_not_move(finance):
    partner = make_partner()
    assert finance.get("/console/pipeline/").status_code == 200
    url, data = posts(partner.pk)[0]
    assert finance.post(url, data).status_code == 403


def _board_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/console/pipeline/").status_code == 200
    return len(ctx.captured_queries)


def test_board_query_count_is_constant(manager, django_assert_num_queries):
    for n in range(3):
        p = make_partner(name=f"Small {n}")
        evaluation_create(partner=p, scores=SCORES, actor=ACTOR)
    lifecycle_move(partner=p, to=Stage.ENGAGEMENT, override=True, reason="test", actor=ACTOR)
    few = _board_queries(manager)
    for n in range(27):
        p = make_partner(name=f"Big {n}")
        evaluation_create(partner=p, scores=SCORES, actor=ACTOR)
        if n % 3 == 0:
            lifecycle_move(partner=p, to=Stage.REJECTED, reason="test", actor=ACTOR)
        if n % 3 == 1:
            lifecycle_move(partner=p, to=Stage.ENGAGEMENT, override=True, reason="test", actor=ACTOR,
                           now=timezone.now() - timedelta(weeks=9))
    with django_assert_num_queries(few):
        html = manager.get("/console/pipeline/").content.decode()
    assert html.count("<article ") == 30 and html.count('class="board-card overdue"') == 9


def _card(html: str, partner_id: int) -> str:
    start = html.index(f'id="partner-{partner_id}"')
    return html[start:html.index("</article>", start)]


def test_board_cards_are_compact(manager, finance):
    """A card shows the partner's name (to its lifecycle page), its category's label, the days in its stage, the
    overdue flag past the stage's maximum and a Move menu of tiny forms, one per allowed stage: no full form."""
    fresh = make_partner(name="Fresca", category="technology_integration", subcategory="crm")
    late = make_partner(name="Atrasada", category="consulting_agency", subcategory="digital_agency")
    lifecycle_move(partner=late, to=Stage.ENGAGEMENT, override=True, reason="test", actor=ACTOR,
                   now=timezone.now() - timedelta(weeks=8, days=3))
    html = manager.get("/console/pipeline/").content.decode()
    assert "<select" not in html.split('id="main"')[1] and "<textarea" not in html and "override" not in html
    card = _card(html, fresh.pk)
    assert f'href="/console/pipeline/partners/{fresh.pk}/">Fresca</a>' in card
    assert "Technology integration" in card and "technology_integration" not in card
    assert "0 days in stage" in card and "Overdue" not in card
    assert re.findall(r'data-to="(\w+)"', card) == ["engagement", "rejected", "churned"]
    assert card.count('type="text"') == 2  # only rejecting and churning need a written reason
    assert f'<input type="hidden" name="p{fresh.pk}-to" value="engagement">' in card
    card = _card(html, late.pk)
    assert "Consulting &amp; agency" in card and "59 days in stage" in card and "Overdue" in card
    assert f'class="board-card overdue" id="partner-{late.pk}"' in html
    assert f'class="board-card" id="partner-{fresh.pk}"' in html
    assert re.findall(r'data-to="(\w+)"', card) == ["pilot", "identification", "rejected", "churned"]
    assert "&lt;- Identification" not in card and "← Identification &amp; research" in card
    read_only = finance.get("/console/pipeline/").content.decode()
    assert "move-menu" not in read_only and "partners/board.js" not in read_only and "Fresca" in read_only


def test_board_refusals_show_the_services_reason_and_change_nothing(manager):
    partner = make_partner(name="Recusável")
    url = f"/console/pipeline/partners/{partner.pk}/move/"
    r = manager.post(url, {f"p{partner.pk}-to": "rejected", f"p{partner.pk}-reason": "  "})
    assert r.status_code == 422
    refusal = r.content.decode().split('class="move-refused"')[1].split("</div>")[0]
    assert "Recusável was not moved to Rejected." in refusal and "Write the reason for this move." in refusal
    assert f'class="board-card refused" id="partner-{partner.pk}"' in r.content.decode()
    # a stage the partner may not reach: the service's rule, in its words
    r = manager.post(url, {f"p{partner.pk}-to": "launch"})
    assert r.status_code == 422
    assert "A partner in Identification &amp; research cannot move to Full launch." in r.content.decode()
    r = manager.post(url, {"from": "partner", "to": "launch"})  # the same rule on the lifecycle page's form
    assert r.status_code == 422
    assert "A partner in Identification &amp; research cannot move to Full launch." in r.content.decode()
    assert '<option value="launch"' not in r.content.decode()
    r = manager.post(url, {f"p{partner.pk}-to": "nowhere"})
    assert r.status_code == 422 and "Recusável was not moved." in r.content.decode()
    assert stage_state(partner).stage == Stage.IDENTIFICATION and not StageTransition.objects.exists()
    # the gates: named, and the way to the override on the lifecycle page, with the refused stage chosen
    r = manager.post(url, {f"p{partner.pk}-to": "engagement"})
    html = r.content.decode()
    assert r.status_code == 422 and "not been evaluated" in html
    assert f'href="/console/pipeline/partners/{partner.pk}/?to=engagement#next"' in html
    page = manager.get(f"/console/pipeline/partners/{partner.pk}/", {"to": "engagement"}).content.decode()
    assert '<option value="engagement" selected>' in page
    assert not StageTransition.objects.exists()


def test_board_move_refused_shows_the_gate_then_override_with_reason(manager):
    partner = make_partner(name="Pipe CRM")
    r = manager.get("/console/pipeline/")
    assert "Pipe CRM" in r.content.decode()
    url = f"/console/pipeline/partners/{partner.pk}/move/"
    r = manager.post(url, {f"p{partner.pk}-to": "engagement"})
    assert r.status_code == 422
    html = r.content.decode()
    assert "not been evaluated" in html and "Gate failed" in html
    assert stage_state(partner).stage == Stage.IDENTIFICATION
    r = manager.post(url, {f"p{partner.pk}-to": "engagement", f"p{partner.pk}-override": "on"})
    assert r.status_code == 422 and "An override needs a written reason." in r.content.decode()
    assert not StageTransition.objects.exists()
    r = manager.post(url, {f"p{partner.pk}-to": "engagement", f"p{partner.pk}-override": "on",
                           f"p{partner.pk}-reason": "Strategic: CEO asked"})
    assert r.status_code == 302 and r["Location"] == "/console/pipeline/"
    move = StageTransition.objects.get()
    assert move.overridden and move.reason == "Strategic: CEO asked" and move.by_label == "user:pm"


def test_lifecycle_page_ticks_the_checklist_and_moves(manager):
    partner = make_partner()
    lifecycle_move(partner=partner, to=Stage.ENGAGEMENT, override=True, reason="test", actor=ACTOR)
    url = f"/console/pipeline/partners/{partner.pk}/"
    assert "No signed letter of intent" in manager.get(url).content.decode()
    r = manager.post(url + "checklist/", {"stage": "engagement", "item": "letter_of_intent", "done": "on"})
    assert r.status_code == 422 and "Give the evidence" in r.content.decode()
    assert not ChecklistTick.objects.exists()
    for item in ("letter_of_intent", "technical_scoping"):
        r = manager.post(url + "checklist/", {"stage": "engagement", "item": item, "done": "on", "evidence": "doc"})
        assert r.status_code == 302
    r = manager.post(url + "move/", {"from": "partner", "to": "pilot"})
    assert r.status_code == 302 and r["Location"] == url
    assert stage_state(partner).stage == Stage.PILOT
    html = manager.get(url).content.decode()
    assert "Only 0 pilot customers have paid an invoice" in html


def test_evaluation_form_errors_sit_beside_the_field_and_store_nothing(manager):
    partner = make_partner()
    url = f"/console/pipeline/partners/{partner.pk}/evaluations/"
    r = manager.post(url, {**{k: str(v) for k, v in SCORES.items()}, "market_size": "11"})
    assert r.status_code == 422 and not Evaluation.objects.exists()
    assert 'field field-error' in r.content.decode()
    r = manager.post(url, {**{k: str(v) for k, v in SCORES.items()}, "customer_overlap_note": "ICP 70%"})
    assert r.status_code == 302
    html = manager.get(url).content.decode()
    assert "7.5" in html and "ICP 70%" in html


def test_weights_page_refuses_a_zero_sum(manager):
    r = manager.post("/console/pipeline/weights/", dict.fromkeys(SCORES, "0"))
    assert r.status_code == 422 and "positive" in r.content.decode()
    assert EvaluationWeights.objects.count() == 1
    r = manager.post("/console/pipeline/weights/", {**dict.fromkeys(SCORES, "1"), "note": "equal"})
    assert r.status_code == 302
    assert EvaluationWeights.objects.count() == 2


def test_ranking_and_compare_pages(manager):
    a = make_partner(name="Alpha", category="technology_integration", subcategory="crm")
    b = make_partner(name="Beta", category="technology_integration", subcategory="crm")
    evaluation_create(partner=a, scores=SCORES, actor=ACTOR)
    evaluation_create(partner=b, scores={**SCORES, "customer_overlap": 10}, actor=ACTOR)
    html = manager.get("/console/pipeline/ranking/", {"category": "technology_integration"}).content.decode()
    assert html.index("Beta") < html.index("Alpha") and "8.0" in html and "7.5" in html
    html = manager.get("/console/pipeline/compare/", {"a": a.pk, "b": b.pk}).content.decode()
    assert "Alpha" in html and "Beta" in html and "2.50" in html
    assert manager.get("/console/pipeline/compare/", {"a": a.pk, "b": a.pk}).status_code == 422


def test_cards_are_draggable_only_for_those_who_may_move(manager, finance):
    partner = make_partner(name="Arrastável")
    html = manager.get("/console/pipeline/").content.decode()
    assert f'data-partner="{partner.pk}" draggable="true" data-moves="engagement rejected churned"' in html
    assert 'class="board" data-draggable' in html and "partners/board.js" in html
    read_only = finance.get("/console/pipeline/").content.decode()
    assert 'draggable="true"' not in read_only and "data-draggable" not in read_only
