"""The pipeline board in a real browser: a partner manager moves partners by a card's Move menu and by drag and
drop, meets refused moves (the reason shown above the board, nothing changed), overrides a gate on the lifecycle
page, and sees a board of 30 partners that fits a 1280 px screen and stacks on a phone, in Portuguese, Spanish and
English. Screenshots go to var/screenshots/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from parceria.accounts.services import user_create
from parceria.partners.evaluation import evaluation_create
from parceria.partners.lifecycle import checklist_tick, lifecycle_move, stage_state
from parceria.partners.lifecycle_data import PIPELINE, Stage
from parceria.partners.models import Partner, StageTransition
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.factories import ACTOR, make_partner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"
SCORES = {"customer_overlap": 8, "integration_complexity": 3, "market_size": 7, "competitive_advantage": 9,
          "partner_willingness": 6}


def _manager_signs_in(page) -> None:
    user = user_create(username="pm", password=PASSWORD, role="partner_manager", email="pm@example.com", actor=ACTOR)
    key = TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key
    sign_in(page, "pm", PASSWORD, totp_key_hex=key)
    page.wait_for_url("**/console/")


def _ready_to_leave_identification(name: str, subcategory: str) -> Partner:
    partner = make_partner(name=name, category="technology_integration", subcategory=subcategory)
    evaluation_create(partner=partner, scores=SCORES, actor=ACTOR)
    for item in ("qualified_list", "interest_validated"):
        checklist_tick(partner=partner, stage=Stage.IDENTIFICATION, item=item, done=True, evidence="planilha.xlsx",
                       actor=ACTOR)
    return partner


def _in_column(page, stage: str, partner: Partner):
    return page.locator(f"section[data-stage='{stage}'] article#partner-{partner.pk}")


def test_moves_by_menu_and_by_drag_refusals_and_the_override(page, screenshot):
    ready = _ready_to_leave_identification("Pipe CRM", "crm")
    dragged = _ready_to_leave_identification("Loja Arrasta", "ecommerce")
    make_partner(name="Agência Aurora")
    problems: list[str] = []  # script errors, and scripts the Content Security Policy blocks
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if "'script-src" in m.text else None)
    _manager_signs_in(page)
    page.goto("/console/pipeline/")
    card = page.locator(f"#partner-{ready.pk}")
    expect(card.locator(".meta").first).to_have_text("Integração tecnológica")
    expect(card.locator("details.move-menu")).not_to_have_attribute("open", "")

    # the card's Move menu: every gate passes
    card.locator("summary").click()
    expect(card.locator("form[data-to]")).to_have_count(3)  # forward, rejected, churned
    screenshot(page, "pipeline-board-menu")
    card.locator("form[data-to='engagement'] button").click()
    page.wait_for_url("**/console/pipeline/")
    _in_column(page, "engagement", ready).wait_for()
    assert stage_state(ready).stage == Stage.ENGAGEMENT
    expect(page.locator(".messages")).to_contain_text("Pipe CRM")

    # refused by the menu: no signed letter of intent; the reason is shown and nothing changes
    card = page.locator(f"#partner-{ready.pk}")
    card.locator("summary").click()
    card.locator("form[data-to='pilot'] button").click()
    refusal = page.locator(".move-refused")
    expect(refusal).to_contain_text("Pipe CRM não foi movido para Programa piloto")
    expect(refusal).to_contain_text("carta de intenção")
    screenshot(page, "pipeline-board-refused")
    assert stage_state(ready).stage == Stage.ENGAGEMENT
    assert StageTransition.objects.filter(partner=ready).count() == 1
    expect(_in_column(page, "engagement", ready)).to_have_class("board-card refused")

    # the override stays on the lifecycle page, the refused stage chosen, with a written reason
    refusal.locator("a").click()
    page.wait_for_url(f"**/console/pipeline/partners/{ready.pk}/?to=pilot#next")
    expect(page.locator("#id_to")).to_have_value("pilot")
    screenshot(page, "pipeline-lifecycle-override")
    page.locator("#id_override").check()
    page.locator("#id_reason").fill("Carta assinada em papel; digitalização a caminho")
    page.locator("section[aria-labelledby=next] button[type=submit]").click()
    page.wait_for_url(f"**/console/pipeline/partners/{ready.pk}/")
    move = StageTransition.objects.order_by("-id").first()
    assert move is not None and (move.partner_id, move.to_stage, move.overridden) == (ready.pk, "pilot", True)
    assert move.reason == "Carta assinada em papel; digitalização a caminho"

    # drag and drop: the same move as the menu's
    page.goto("/console/pipeline/")
    page.locator(f"#partner-{dragged.pk}").drag_to(page.locator("section[data-stage='engagement']"),
                                                    source_position={"x": 6, "y": 6})
    _in_column(page, "engagement", dragged).wait_for()
    assert stage_state(dragged).stage == Stage.ENGAGEMENT
    move = StageTransition.objects.order_by("-id").first()
    assert move is not None and (move.partner_id, move.to_stage, move.overridden) == (dragged.pk, "engagement", False)

    # a refused drag shows the failed gate and moves nothing
    count = StageTransition.objects.count()
    page.locator(f"#partner-{ready.pk}").drag_to(page.locator("section[data-stage='launch']"),
                                                  source_position={"x": 6, "y": 6})
    expect(page.locator(".move-refused")).to_contain_text("Pipe CRM não foi movido para Lançamento")
    expect(page.locator(".move-refused li.failed").first).to_contain_text("3")  # pilot customers needed
    screenshot(page, "pipeline-board-refused-drag")
    assert stage_state(ready).stage == Stage.PILOT and StageTransition.objects.count() == count
    expect(_in_column(page, "pilot", ready)).to_be_visible()

    # a drag to a stage that needs a reason opens the card's menu at that reason
    page.goto("/console/pipeline/")
    page.locator(f"#partner-{dragged.pk}").drag_to(page.locator("section[data-stage='rejected']"),
                                                    source_position={"x": 6, "y": 6})
    reason = page.locator(f"#reason-{dragged.pk}-rejected")
    expect(reason).to_be_focused()
    assert stage_state(dragged).stage == Stage.ENGAGEMENT and StageTransition.objects.count() == count
    reason.fill("Sem orçamento neste ano")
    reason.press("Enter")
    page.wait_for_url("**/console/pipeline/")
    _in_column(page, "rejected", dragged).wait_for()
    move = StageTransition.objects.order_by("-id").first()
    assert move is not None and (move.to_stage, move.reason) == ("rejected", "Sem orçamento neste ano")

    page.goto(f"/console/pipeline/partners/{ready.pk}/")
    page.locator("#history").wait_for()
    assert page.locator("main table tbody tr").count() == 2
    screenshot(page, "pipeline-lifecycle")
    assert problems == []


NAMES = [
    "Aurora Digital", "Bossa CRM", "Cajuína Software", "Dendê Commerce", "Estrela Contábil",
    "Consultoria Integrada de Soluções Digitais do Nordeste", "Farol Marketing", "Goiaba Social", "Horizonte Saúde",
    "Ipê Distribuidora", "Jabuticaba Moda", "Kiwi Aceleradora", "Lagoa Alimentos", "Mandacaru ERP", "Nascente Labs",
    "Orla Agência", "Pitanga Beleza", "Quintal Serviços", "Rio Claro Consultoria", "Sabiá Integrações",
    "Tucano Vendas", "Umbu Contabilidade", "Vereda Digital", "Xingu Joint Venture", "Zabumba Mídia",
    "Acerola Tech", "Baobá Commerce", "Cerrado Consultores", "Duna Pagamentos", "Espiga Agro",
]
# 30 partners: how many at each stage, and how many of them past the stage's maximum duration
SPREAD = {Stage.IDENTIFICATION: (12, 2), Stage.ENGAGEMENT: (6, 2), Stage.PILOT: (5, 1), Stage.LAUNCH: (3, 0),
          Stage.OPTIMISATION: (2, 0), Stage.REJECTED: (1, 0), Stage.CHURNED: (1, 0)}
CATEGORIES = [("technology_integration", "crm"), ("consulting_agency", "digital_agency"),
              ("industry_vertical", "healthcare"), ("international", "distributor")]


def _thirty_partners() -> list[Partner]:
    now = timezone.now()
    names = iter(NAMES)
    partners = []
    for stage, (count, overdue) in SPREAD.items():
        for i in range(count):
            category, subcategory = CATEGORIES[len(partners) % len(CATEGORIES)]
            partner = make_partner(name=next(names), category=category, subcategory=subcategory)
            if len(partners) % 3 == 0:
                evaluation_create(partner=partner, scores=SCORES, actor=ACTOR)
            when = now - timedelta(weeks=30 if i < overdue else 1, days=i)
            path = list(PIPELINE[1:PIPELINE.index(stage) + 1]) if stage in PIPELINE else [stage]
            for step in path:
                lifecycle_move(partner=partner, to=step, override=True, reason="demo", actor=ACTOR, now=when)
            if not path:  # still in the first stage: in it since the partner was created
                Partner.objects.filter(pk=partner.pk).update(created_at=when)
            partners.append(partner)
    return partners


def test_a_board_of_thirty_partners_fits_a_screen(page, screenshot):
    partners = _thirty_partners()
    _manager_signs_in(page)
    page.goto("/console/pipeline/")
    board = page.locator(".board")
    board.wait_for()
    assert page.locator("article.board-card").count() == 30
    assert page.locator("article.board-card.overdue").count() == 5
    assert page.evaluate("document.documentElement.scrollHeight") < 2000
    # the five pipeline columns fit 1280 px: nothing scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.locator(".board-pipeline").evaluate("e => e.scrollWidth <= e.clientWidth")
    # every card stays inside its column
    for stage in Stage:
        column = page.locator(f"section[data-stage='{stage}']").bounding_box()
        for box in (c.bounding_box() for c in page.locator(f"section[data-stage='{stage}'] article").all()):
            assert box is not None and column is not None
            assert column["x"] <= box["x"] and box["x"] + box["width"] <= column["x"] + column["width"] + 0.5
    long_name = page.locator(f"#partner-{partners[5].pk} h3")
    expect(long_name).to_have_text("Consultoria Integrada de Soluções Digitais do Nordeste")

    for language, overdue in (("pt-br", "Atrasado"), ("es", "Atrasado"), ("en", "Overdue")):
        page.set_viewport_size({"width": 1280, "height": 800})
        page.select_option("#language", language)
        page.wait_for_function(f"document.documentElement.lang === '{language}'")
        page.locator(".board").wait_for()
        expect(page.locator("article.board-card.overdue .badge.bad").first).to_have_text(overdue)
        assert page.evaluate("document.documentElement.scrollHeight") < 2000
        screenshot(page, f"pipeline-board-1280-{language}")
        page.set_viewport_size({"width": 390, "height": 844})
        # on a phone the columns stack: nothing is wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        boxes = [c.bounding_box() for c in page.locator("section.column").all()]
        assert all(b is not None and b["x"] >= 0 and b["x"] + b["width"] <= 390 for b in boxes)
        screenshot(page, f"pipeline-board-390-{language}")

    # the Move menu on a phone: its forms stay inside the card
    card = page.locator(f"#partner-{partners[0].pk}")
    card.locator("summary").click()
    card_box = card.bounding_box()
    for form in card.locator("form").all():
        box = form.bounding_box()
        assert box is not None and card_box is not None
        assert box["x"] + box["width"] <= card_box["x"] + card_box["width"]
    page.locator("section[data-stage=identification]").screenshot(path=str(SCREENSHOTS / "pipeline-board-390-menu.png"))
