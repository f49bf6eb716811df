"""The shell of the portal and the console in a real browser: the sidebar at desktop width and the menu button on a
phone, tables that become cards on a phone without anything cut off at the right, the error pages inside the shell,
and pages that log no console error (the CSP refuses nothing). A tour of every shell page writes screenshots at 1280
and 390 px (var/screenshots/shell-*.png) in the languages of PARCERIA_SCREENSHOT_LANGUAGES (default pt-BR; for
instance "pt-BR,es,en")."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.test import Client

from parceria.agreements.models import Agreement
from parceria.common.audit import Actor
from parceria.partners.invitations import user_invite
from parceria.payouts.models import PayoutBatch
from tests.factories import staff_client
from tests.portal.conftest import build_world, client_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PHONE, DESKTOP = 390, 1280
LOCALES = {"pt-BR": "pt-br", "es": "es", "en": "en"}


@pytest.fixture
def world(transactional_db) -> dict[str, Any]:
    sides = build_world()
    a = sides["a"]
    user_invite(inviter=a.admin, email="convidada.com.um.endereco.bem.comprido@alfa-consultoria.com.br",
                name="Convidada", base_url="http://testserver", actor=Actor(label="user:admin-a"))
    return {"a": a, "staff": staff_client("fin", "admin"), "analyst": staff_client("ana", "analyst")}


@contextmanager
def browsing(browser, live_server, *, width: int, client: Client | None = None, locale: str = "pt-BR") -> Iterator[Any]:
    """A page at `width` px, signed in with `client`'s session, speaking `locale`; it fails the test if the page
    logged a console error or threw (a script error, a refused CSP rule, a missing file)."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    if client is not None:
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]

    def console(message: Any) -> None:
        # An error page's own status (404, 403) is reported as a failed load of the page itself: not an error.
        if message.type == "error" and not (message.text.startswith("Failed to load resource")
                                            and message.location.get("url") == page.url):
            page.errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", console)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()


def clipped_cells(page) -> list[str]:
    """The visible table cells (and anything else in main) that reach past the right edge of the viewport."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const out = [];
        for (const el of document.querySelectorAll("main th, main td, main, .topbar, .topbar *")) {
            const box = el.getBoundingClientRect();
            if (box.width === 0 || box.height === 0 || !el.checkVisibility({visibilityProperty: true})) continue;
            if (box.left < -0.5 || box.right > width + 0.5) {
                out.push(`${el.tagName} ${el.textContent.trim().slice(0, 40)} [${box.left}, ${box.right}]`);
            }
        }
        const scrolls = document.documentElement.scrollWidth;
        if (scrolls > width) out.push(`page scrolls to ${scrolls}`);
        return out;
    }""")


def test_the_portal_has_a_sidebar_on_a_desktop_and_a_menu_button_on_a_phone(browser, live_server, world, screenshot):
    admin = client_for(world["a"].admin)
    with browsing(browser, live_server, width=DESKTOP, client=admin) as page:
        page.goto("/portal/commissions/")
        sidebar = page.locator("#sidebar")
        assert sidebar.is_visible() and not page.locator(".menu-toggle").is_visible()
        assert sidebar.locator(".navgroup").all_inner_texts() == ["DINHEIRO", "CLIENTES", "PROGRAMA", "CONTA"]
        assert sidebar.locator("a").all_inner_texts() == [
            "Início", "Comissões", "Pagamentos e extratos", "Contestações", "Fundos de marketing", "Clientes",
            "Oportunidades", "Leads", "Links de indicação", "Mapeamento de contas", "Nível", "Contratos", "Treinamento",
            "Co-marketing", "Comunidade", "Painel", "Perfil", "Forma de recebimento", "Listagem no diretório",
            "Usuários", "Webhooks", "Notificações", "Privacidade"]
        assert sidebar.locator("a[aria-current=page]").all_inner_texts() == ["Comissões"]
        assert page.locator(".topbar .context").inner_text() == "Alfa Consultoria"
        page.click(".usermenu summary")
        page.locator(".usermenu-panel button:text('Sair')").wait_for()
        screenshot(page, "shell-portal-user-menu")
        assert page.errors == []

    with browsing(browser, live_server, width=PHONE, client=admin) as page:
        page.goto("/portal/")
        toggle = page.locator(".menu-toggle")
        assert toggle.is_visible() and not page.locator("#sidebar").is_visible()
        assert not page.locator("#language").is_visible()  # on a phone it is in the user menu
        page.click(".usermenu summary")
        assert page.locator("#language-in-menu").is_visible()
        screenshot(page, "shell-portal-user-menu-phone")
        page.click(".usermenu summary")
        assert toggle.get_attribute("aria-expanded") == "false"
        screenshot(page, "shell-portal-menu-closed-phone")
        toggle.click()
        assert page.locator("#sidebar").is_visible() and toggle.get_attribute("aria-expanded") == "true"
        screenshot(page, "shell-portal-menu-open-phone")
        page.click("#sidebar a:text('Usuários')")
        page.wait_for_url("**/portal/users/")
        assert not page.locator("#sidebar").is_visible()
        assert page.errors == []


def test_the_console_has_a_sidebar_on_a_desktop_and_a_menu_button_on_a_phone(browser, live_server, world):
    with browsing(browser, live_server, width=DESKTOP, client=world["staff"]) as page:
        page.goto("/console/pipeline/ranking/")
        sidebar = page.locator("#sidebar")
        assert sidebar.is_visible() and not page.locator(".menu-toggle").is_visible()
        assert sidebar.locator(".navgroup").all_inner_texts() == ["DINHEIRO", "PARCEIROS", "PROGRAMA"]
        assert sidebar.locator("a[aria-current=page]").all_inner_texts() == ["Ranking"]
        assert sidebar.locator("a[aria-current=true]").all_inner_texts() == ["Funil"]  # its section
        assert page.locator(".topbar .context").inner_text() == "Console da equipe"
        assert page.locator(".topbar input[type=search]").is_visible()
        assert page.errors == []

    with browsing(browser, live_server, width=PHONE, client=world["staff"]) as page:
        page.goto("/console/")
        assert not page.locator("#sidebar").is_visible()
        page.click(".menu-toggle")
        page.click("#sidebar a:text('Pagamentos')")
        page.wait_for_url("**/console/payouts/")
        assert page.errors == []


@pytest.mark.parametrize(("who", "path"), [("admin", "/portal/users/"), ("admin", "/portal/payouts/"),
                                           ("admin", "/portal/profile/"), ("staff", "/console/payouts/"),
                                           ("staff", "/console/partners/")])
def test_no_table_is_cut_off_on_a_phone(browser, live_server, world, who, path):
    client = client_for(world["a"].admin) if who == "admin" else world["staff"]
    with browsing(browser, live_server, width=PHONE, client=client) as page:
        page.goto(path)
        assert page.locator("main table.stacked").count() >= (0 if path == "/portal/profile/" else 1)
        assert clipped_cells(page) == []
        if path == "/portal/users/":  # every column of both rows kinds, the amounts' place aside
            cells = page.locator("main table tbody tr").first.locator("td")
            assert [cells.nth(i).get_attribute("data-label") for i in range(cells.count())] == [
                "Nome", "E-mail", "Papel", "Situação", "Ações"]
            assert page.locator("main table button:text('Remover')").first.is_visible()
            assert page.locator("main table .badge:text('Convidado')").is_visible()
        if path == "/portal/payouts/":  # a card starts with its amount
            first = page.locator("main table.stacked tbody tr").first
            amount = first.locator("td.num").first.bounding_box()
            for cell in first.locator("td:not(.num)").all():
                box = cell.bounding_box()
                assert box is None or box["y"] >= amount["y"]
        assert page.errors == []


@pytest.mark.parametrize(("locale", "title", "link"), [("pt-BR", "Página não encontrada", "Ir para o início"),
                                                       ("en", "Page not found", "Go to the home page")])
def test_the_404_page_is_inside_the_shell_in_the_readers_language(browser, live_server, world, screenshot, locale,
                                                                  title, link):
    with browsing(browser, live_server, width=DESKTOP, client=client_for(world["a"].member), locale=locale) as page:
        response = page.goto("/portal/no-such-page/")
        assert response.status == 404
        assert page.locator("main h1").inner_text() == title
        assert page.locator("#sidebar").is_visible() and page.locator(".topbar .context").inner_text() == (
            "Alfa Consultoria")
        page.click(f"main a:text('{link}')")
        page.wait_for_url("**/portal/")
        screenshot(page, f"shell-404-{locale}")
        assert page.errors == []


@pytest.mark.parametrize(("who", "path"), [("member", "/portal/"), ("staff", "/console/")])
def test_the_home_pages_log_no_console_error(browser, live_server, world, who, path):
    client = client_for(world["a"].member) if who == "member" else world["staff"]
    with browsing(browser, live_server, width=DESKTOP, client=client) as page:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.errors == []


def shell_pages(world: dict[str, Any]) -> list[tuple[str, str]]:
    a = world["a"]
    batch = PayoutBatch.objects.get()
    agreement = Agreement.objects.order_by("pk").first()
    partner = a.partner.pk
    pages = [
        ("admin", "/portal/"), ("admin", "/portal/commissions/"), ("admin", f"/portal/commissions/{a.line.pk}/"),
        ("admin", "/portal/payouts/"), ("admin", "/portal/disputes/"), ("admin", "/portal/disputes/new/"),
        ("admin", f"/portal/disputes/{a.dispute.pk}/"), ("admin", "/portal/customers/"), ("admin", "/portal/tier/"),
        ("admin", "/portal/agreements/"), ("admin", "/portal/training/"), ("admin", "/portal/profile/"),
        ("admin", "/portal/profile/payout-method/"),
        ("admin", "/portal/users/"), ("admin", "/portal/no-such-page/"),
        ("staff", "/console/"), ("staff", "/console/search/?q=Alfa"), ("staff", "/console/partners/"),
        ("staff", f"/console/partners/{partner}/"), ("staff", "/console/pipeline/"),
        ("staff", f"/console/pipeline/partners/{partner}/"), ("staff", "/console/pipeline/ranking/"),
        ("staff", "/console/pipeline/compare/"), ("staff", "/console/pipeline/weights/"), ("staff", "/console/tiers/"),
        ("staff", "/console/agreements/"), ("staff", "/console/agreements/new/"),
        ("staff", "/console/agreements/upcoming/"), ("staff", "/console/enablement/"),
        ("staff", "/console/enablement/check-ins/overdue/"), ("staff", f"/console/enablement/partners/{partner}/"),
        ("staff", "/console/close/"), ("staff", f"/console/batches/{batch.pk}/"), ("staff", "/console/payouts/"),
        ("staff", "/console/disputes/"), ("staff", f"/console/disputes/{a.dispute.pk}/"),
        ("staff", "/console/adjustments/"), ("staff", "/console/adjustments/new/"), ("staff", "/console/intake/"),
        ("staff", "/console/intake/import/"), ("staff", "/console/no-such-page/"),
        ("analyst", "/console/adjustments/new/"),
        (None, "/"), (None, "/login/"), (None, "/no-such-page/"),
    ]
    if agreement is not None:
        pages.append(("staff", f"/console/agreements/{agreement.pk}/"))
    return pages


def test_a_tour_of_every_shell_page(browser, live_server, world, screenshot):
    """Every page of the portal and the console (and the start, sign-in and error pages) at both widths: nothing
    cut off at the right on a phone, no console error; a screenshot of each. Each reader browses its pages in one
    browser context per width and language, as a person does (the style sheets and scripts load once)."""
    clients = {"admin": client_for(world["a"].admin), "staff": world["staff"], "analyst": world["analyst"], None: None}
    languages = os.environ.get("PARCERIA_SCREENSHOT_LANGUAGES", "pt-BR").split(",")
    readers: dict[str | None, list[str]] = {}
    for who, path in shell_pages(world):
        readers.setdefault(who, []).append(path)
    problems: dict[str, list[str]] = {}
    for locale in languages:
        for who, paths in readers.items():
            for width in (DESKTOP, PHONE):
                with browsing(browser, live_server, width=width, client=clients[who], locale=locale) as page:
                    for path in paths:
                        page.errors.clear()
                        page.goto(path)
                        name = path.strip("/").replace("/", "-").replace("?q=", "-") or "start"
                        screenshot(page, f"shell-{LOCALES[locale]}-{width}-{who or 'anonymous'}-{name}")
                        found = (clipped_cells(page) if width == PHONE else []) + page.errors
                        if found:
                            problems[f"{locale} {width} {who} {path}"] = found
    assert problems == {}
