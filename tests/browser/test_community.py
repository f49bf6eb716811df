"""The community in a real browser: a partner user reads a new announcement and answers the quarterly survey from
the dashboard. With PARCERIA_SCREENSHOT_ALL=1 a second test photographs every community page (console and portal)
at desktop and phone widths in three languages, for a person to look at."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import user_create
from parceria.community.models import AnnouncementRead, NpsAnswer, NpsFollowUp
from parceria.community.services import (
    announcement_create,
    meeting_record,
    nps_answer,
    ticket_comment,
    ticket_open,
)
from tests.browser.conftest import sign_in
from tests.factories import ACTOR, PASSWORD, make_partner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def world(transactional_db):
    manager = user_create(username="pm", password=PASSWORD, role="partner_manager", actor=ACTOR)
    partner = make_partner(name="Alfa Consultoria Digital", tier="strategic")
    partner.manager = manager
    partner.save(update_fields=["manager"])
    admin = user_create(username="ana@alfa", password=PASSWORD, role="partner_admin", partner=partner, actor=ACTOR)
    now = timezone.now()
    item = announcement_create(actor=ACTOR, title="Nova trilha de certificação",
                               body="Lançamos a trilha **Integração avançada**.\n\nInscreva-se até o fim do mês: "
                                    "[saiba mais](https://example.com/trilha).",
                               publish_at=now - timedelta(hours=2), pinned=True)
    announcement_create(actor=ACTOR, title="Fechamento mensal no terceiro dia útil", body="A partir de janeiro.",
                        publish_at=now - timedelta(days=3))
    return {"partner": partner, "admin": admin, "manager": manager, "announcement": item}


def test_a_partner_user_reads_an_announcement_and_answers_the_survey(page, screenshot, world):
    sign_in(page, "ana@alfa", PASSWORD)
    page.wait_for_url("**/portal/")
    main = page.locator("main")
    assert "Nova trilha de certificação" in main.locator("#unread-announcements").inner_text()
    screenshot(page, "community-portal-home")
    main.locator("#unread-announcements a", has_text="Nova trilha").click()
    page.wait_for_url(f"**/portal/announcements/{world['announcement'].pk}/")
    assert main.locator(".prose strong").inner_text() == "Integração avançada"
    assert AnnouncementRead.objects.filter(user=world["admin"]).count() == 1
    page.goto("/portal/")
    main.locator("#survey-card a").click()
    page.wait_for_url("**/portal/survey/")
    main.locator("label.nps-option", has_text="5").first.click()
    main.locator("textarea[name=comment]").fill("O repasse demora.")
    main.locator("button[type=submit]").click()
    page.wait_for_url("**/portal/survey/")
    answer = NpsAnswer.objects.get()
    assert (answer.score, answer.comment, answer.partner_id) == (5, "O repasse demora.", world["partner"].pk)
    assert NpsFollowUp.objects.get().owner_id == world["manager"].pk
    assert main.locator("form[action$='/portal/survey/']").count() == 0  # answered: no form
    screenshot(page, "community-portal-survey-answered")


CONSOLE = ["tickets/", "tickets/{ticket}/", "tickets/new/", "announcements/", "announcements/{announcement}/",
           "announcements/new/", "survey/", "follow-ups/?status=all", "follow-ups/{follow_up}/", "meetings/?show=all",
           "meetings/new/", "meetings/partner/{partner}/"]
PORTAL = ["", "announcements/", "announcements/{announcement}/", "survey/", "tickets/", "tickets/{ticket}/",
          "tickets/new/", "meetings/"]


@pytest.mark.skipif(not os.environ.get("PARCERIA_SCREENSHOT_ALL"), reason="screenshots on demand")
def test_screenshots_of_every_community_page(browser, live_server, screenshot, world):
    partner, admin = world["partner"], world["admin"]
    member = user_create(username="bia@alfa", password=PASSWORD, role="partner_member", partner=partner, actor=ACTOR)
    answer = nps_answer(actor=ACTOR, partner=partner, user=member, score=4, comment="Suporte lento no último mês.")
    other = make_partner(name="Bravo Integrações", tier="preferred")
    nps_answer(actor=ACTOR, partner=other, score=10, comment="Excelente!",
               user=user_create(username="c@bravo", password=PASSWORD, role="partner_member", partner=other,
                                actor=ACTOR))
    ticket = ticket_open(actor=ACTOR, partner=partner, type="technical", severity="critical",
                         subject="Webhook de faturas sem entrega", description="Desde ontem não recebemos eventos.",
                         now=timezone.now() - timedelta(hours=30))
    ticket_comment(actor=ACTOR, ticket=ticket, body="Estamos investigando.", by_staff=True)
    ticket_comment(actor=ACTOR, ticket=ticket, body="Nota interna: falha no balanceador.", by_staff=True,
                   internal=True)
    ticket_open(actor=ACTOR, partner=other, type="business", severity="low", subject="Dúvida sobre comissão",
                description="d")
    meeting_record(actor=ACTOR, partner=partner, held_on=date.today() - timedelta(days=40), kind="mbr",
                   attendees="Paula; Ana", notes="Pipeline do trimestre.", next_steps="Plano de co-marketing.",
                   private_notes="Risco baixo.")
    ids = {"ticket": ticket.pk, "announcement": world["announcement"].pk, "follow_up": answer.follow_up.pk,
           "partner": partner.pk}
    key = TOTPDevice.objects.create(user=world["manager"], name="phone", confirmed=True).key
    states = {}
    for who in ("console", "portal"):  # sign in once each (a TOTP code is good only once), then reuse the session
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        if who == "console":
            sign_in(page, "pm", PASSWORD, totp_key_hex=key)
            page.wait_for_url("**/console/")
        else:
            sign_in(page, admin.username, PASSWORD)
            page.wait_for_url("**/portal/")
        states[who] = context.storage_state()
        context.close()
    for locale, lang in (("pt-BR", "pt"), ("es", "es"), ("en", "en")):
        for width, label in ((1280, "desktop"), (390, "phone")):
            if lang != "pt" and label == "phone":
                continue
            for who in ("console", "portal"):
                context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900},
                                              locale=locale, storage_state=states[who])
                page = context.new_page()
                pages = CONSOLE if who == "console" else PORTAL
                for path in [f"/{who}/{'community/' if who == 'console' else ''}{p.format(**ids)}" for p in pages]:
                    response = page.goto(path)
                    assert response is not None and response.status == 200, path
                    assert page.url.endswith(path), (path, page.url)
                    name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-")
                    screenshot(page, f"community-{lang}-{label}-{name}")
                context.close()
