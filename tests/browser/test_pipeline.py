"""The pipeline board in a real browser: a partner manager moves a partner forward, meets a refused move with
the gate's message, and overrides it with a written reason; then drags cards between columns (a move and a
refused one). Screenshots go to var/screenshots/."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import user_create
from parceria.partners.evaluation import evaluation_create
from parceria.partners.lifecycle import checklist_tick, stage_state
from parceria.partners.lifecycle_data import Stage
from parceria.partners.models import StageTransition
from tests.browser.conftest import sign_in
from tests.factories import ACTOR, make_partner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"
SCORES = {"customer_overlap": 8, "integration_complexity": 3, "market_size": 7, "competitive_advantage": 9,
          "partner_willingness": 6}


def test_partner_manager_moves_is_refused_and_overrides(page, screenshot):
    ready = make_partner(name="Pipe CRM", category="technology_integration", subcategory="crm")
    evaluation_create(partner=ready, scores=SCORES, actor=ACTOR)
    for item in ("qualified_list", "interest_validated"):
        checklist_tick(partner=ready, stage=Stage.IDENTIFICATION, item=item, done=True, evidence="planilha.xlsx",
                       actor=ACTOR)
    make_partner(name="Agência Aurora")
    user = user_create(username="pm", password=PASSWORD, role="partner_manager", email="pm@example.com", actor=ACTOR)
    key = TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key

    sign_in(page, "pm", PASSWORD, totp_key_hex=key)
    page.wait_for_url("**/console/")
    page.goto("/console/pipeline/")
    card = page.locator(f"article[data-partner='{ready.pk}']")
    card.wait_for()
    screenshot(page, "pipeline-board")

    # forward: every gate passes
    card.locator("select").select_option("engagement")
    card.locator("button[type=submit]").click()
    page.wait_for_url("**/console/pipeline/")
    page.locator(f"section[data-stage='engagement'] article[data-partner='{ready.pk}']").wait_for()
    assert stage_state(ready).stage == Stage.ENGAGEMENT

    # refused: no signed letter of intent
    card = page.locator(f"article[data-partner='{ready.pk}']")
    card.locator("select").select_option("pilot")
    card.locator("button[type=submit]").click()
    card = page.locator(f"article[data-partner='{ready.pk}']")
    alert = card.locator(".gates .failed").first
    alert.wait_for()
    assert "carta de intenção" in alert.inner_text().lower() or "letter of intent" in alert.inner_text().lower()
    screenshot(page, "pipeline-board-refused")
    assert stage_state(ready).stage == Stage.ENGAGEMENT

    # override with a written reason
    card.locator("input[type=checkbox]").check()
    card.locator("textarea").fill("Carta assinada em papel; digitalização a caminho")
    card.locator("button[type=submit]").click()
    page.wait_for_url("**/console/pipeline/")
    page.locator(f"section[data-stage='pilot'] article[data-partner='{ready.pk}']").wait_for()
    move = StageTransition.objects.order_by("-id").first()
    assert move is not None and move.overridden and move.to_stage == "pilot"
    assert move.reason == "Carta assinada em papel; digitalização a caminho"
    screenshot(page, "pipeline-board-overridden")

    # drag and drop: the same moves as the buttons
    dragged = make_partner(name="Loja Arrasta", category="technology_integration", subcategory="ecommerce")
    evaluation_create(partner=dragged, scores=SCORES, actor=ACTOR)
    for item in ("qualified_list", "interest_validated"):
        checklist_tick(partner=dragged, stage=Stage.IDENTIFICATION, item=item, done=True, evidence="lista.csv",
                       actor=ACTOR)
    page.goto("/console/pipeline/")
    card = page.locator(f"article[data-partner='{dragged.pk}']")
    card.drag_to(page.locator("section[data-stage='engagement']"), source_position={"x": 6, "y": 6})
    page.locator(f"section[data-stage='engagement'] article[data-partner='{dragged.pk}']").wait_for()
    assert stage_state(dragged).stage == Stage.ENGAGEMENT
    move = StageTransition.objects.order_by("-id").first()
    assert move is not None and (move.partner_id, move.to_stage, move.overridden) == (dragged.pk, "engagement", False)

    # a refused drag shows the failed gate beside the card and moves nothing
    card = page.locator(f"article[data-partner='{ready.pk}']")
    card.drag_to(page.locator("section[data-stage='launch']"), source_position={"x": 6, "y": 6})
    alert = page.locator(f"article[data-partner='{ready.pk}'] .gates .failed").first
    alert.wait_for()
    assert "piloto" in alert.inner_text().lower() or "pilot" in alert.inner_text().lower()
    screenshot(page, "pipeline-board-refused-drag")
    assert stage_state(ready).stage == Stage.PILOT
    assert StageTransition.objects.filter(partner=ready).count() == 2

    page.goto(f"/console/pipeline/partners/{ready.pk}/")
    page.locator("#history").wait_for()
    assert page.locator("main table tbody tr").count() == 2
    screenshot(page, "pipeline-lifecycle")
