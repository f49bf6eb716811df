"""The error pages (config/urls.py's handler403, handler404 and handler500): inside the shell of the reader's area, in
their language, with the right status; under /api/ the API's JSON errors instead."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from parceria.config import urls as site_urls
from tests.factories import make_partner, staff_client
from tests.portal.conftest import ACTOR, PASSWORD


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a failure the page must not show")


# This module is also the URL configuration of the 500 tests: the site's, a view that fails, and the site's handlers.
urlpatterns = [path("boom/", boom), path("api/v1/boom/", boom), *site_urls.urlpatterns]
handler403 = getattr(site_urls, "handler403", "django.views.defaults.permission_denied")
handler404 = getattr(site_urls, "handler404", "django.views.defaults.page_not_found")
handler500 = getattr(site_urls, "handler500", "django.views.defaults.server_error")


def templates_of(response) -> list[str]:
    return [t.name for t in response.templates]


def speaking(client: Client, language: str) -> Client:
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def member(db):
    from parceria.accounts.services import user_create

    partner = make_partner(name="Agência Aurora")
    user = user_create(username="ana@aurora.com.br", email="ana@aurora.com.br", password=PASSWORD,
                       role="partner_member", partner=partner, actor=ACTOR)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("language", "title", "link"), [("pt-br", "Página não encontrada", "Ir para o início"),
                                                         ("es", "Página no encontrada", "Ir al inicio"),
                                                         ("en", "Page not found", "Go to the home page")])
def test_a_missing_portal_page_is_a_404_inside_the_portal_shell(member, language, title, link):
    response = speaking(member, language).get("/portal/no-such-page/")
    assert response.status_code == 404
    assert templates_of(response)[:3] == ["site/errors/404.html", "portal/base.html", "web/base.html"]
    html = response.content.decode()
    assert f'<h1 id="error-title">{title}</h1>' in html and f'href="/portal/">{link}</a>' in html
    assert 'id="sidebar"' in html and "Agência Aurora" in html
    assert response["Content-Security-Policy"].startswith("default-src 'self'")


def test_a_missing_console_page_is_a_404_inside_the_console_shell(db):
    response = staff_client("fin", "finance").get("/console/partners/999999/")
    assert response.status_code == 404
    assert templates_of(response)[:3] == ["site/errors/404.html", "console/base.html", "web/base.html"]
    assert 'href="/console/">Go to the home page</a>' in response.content.decode()


def test_a_missing_page_for_someone_not_signed_in_has_the_plain_top_bar(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert templates_of(response)[:2] == ["site/errors/404.html", "web/base.html"]
    html = response.content.decode()
    assert 'id="sidebar"' not in html and 'href="/">Go to the home page</a>' in html and 'href="/login/"' in html


def test_the_apis_404_stays_its_json_error(db):
    response = Client().get("/api/v1/no-such-route")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {"error": {"code": "not_found", "message": "no API route matches this URL"}}
    assert not templates_of(response)


def test_a_page_the_role_may_not_open_is_a_403_inside_the_console_shell(db):
    response = speaking(staff_client("ana", "analyst"), "pt-br").get("/console/adjustments/new/")
    assert response.status_code == 403
    assert templates_of(response)[:3] == ["site/errors/403.html", "console/base.html", "web/base.html"]
    html = response.content.decode()
    assert "Você não pode abrir esta página" in html and "your account does not open this page" not in html


@pytest.mark.urls(__name__)
def test_a_failure_is_a_500_inside_the_shell_and_shows_nothing_of_the_error(member):
    member.raise_request_exception = False
    response = speaking(member, "pt-br").get("/boom/")
    assert response.status_code == 500
    assert templates_of(response)[:3] == ["site/errors/500.html", "portal/base.html", "web/base.html"]
    html = response.content.decode()
    assert "Algo deu errado" in html and "RuntimeError" not in html and "must not show" not in html


@pytest.mark.urls(__name__)
def test_a_failure_the_shell_cannot_draw_still_answers_a_page(member, monkeypatch):
    from parceria.site import errors

    def broken(*args, **kwargs):
        raise RuntimeError("the database is down")

    monkeypatch.setattr(errors, "navigation", broken)
    member.raise_request_exception = False
    response = member.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html and 'id="sidebar"' not in html and "database is down" not in html


@pytest.mark.urls(__name__)
def test_a_failure_under_the_api_is_its_json_error(db):
    response = Client(raise_request_exception=False).get("/api/v1/boom/")
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "server_error",
                                         "message": "the server failed to answer this request; the error was logged"}}
