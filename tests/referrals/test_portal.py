"""The partner's referral links page: its own links only, each with clicks, sign-ups and paying customers; a new
link from the form; a bad landing URL refused with nothing stored."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from parceria.accounts.services import user_create
from parceria.common.audit import Actor
from parceria.customers.attribution import customer_create_referred
from parceria.customers.services import CustomerFields
from parceria.referrals.models import ReferralLink
from parceria.referrals.services import click_record, link_create
from tests.factories import ingest, make_partner, paid

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("tests")


def portal_client(partner, name: str) -> Client:
    user = user_create(username=f"{name}@example.com", email=f"{name}@example.com", password="a long password 4 t",
                       role="partner_member", partner=partner, actor=ACTOR)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def referred(code: str, external_id: str):
    customer, _, outcome = customer_create_referred(
        fields=CustomerFields(external_id=external_id, name=external_id, country="BR"), referral_code=code, actor=ACTOR)
    assert outcome is not None and outcome.applied
    return customer


def test_the_page_shows_each_link_with_its_figures_and_only_the_partners_own():
    alfa, bravo = make_partner(name="Alfa"), make_partner(name="Bravo")
    one = link_create(partner=alfa, landing_url="https://loja.example.com/a", actor=ACTOR)
    two = link_create(partner=alfa, landing_url="https://loja.example.com/b", actor=ACTOR)
    theirs = link_create(partner=bravo, landing_url="https://bravo-secret.example.com/", actor=ACTOR)
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        click_record(link=one, address=address, user_agent="t", referrer="")
    click_record(link=theirs, address="203.0.113.1", user_agent="t", referrer="")
    paying = referred(one.code, "cus_pay")
    referred(one.code, "cus_free")
    ingest(paid(paying, "100.00"))

    response = portal_client(alfa, "alfa").get("/portal/referrals/")

    assert response.status_code == 200
    body = response.content.decode()
    assert f"http://testserver/r/{one.code}" in body and f"http://testserver/r/{two.code}" in body
    assert theirs.code not in body and "bravo-secret" not in body
    assert body.count('data-clicks>3<') == 1 and body.count('data-sign-ups>2<') == 1
    assert body.count('data-paying>1<') == 1
    assert body.count('data-clicks>0<') == 1  # the second link


def test_the_page_reads_a_fixed_number_of_queries():
    alfa = make_partner()
    client = portal_client(alfa, "alfa")
    link_create(partner=alfa, landing_url="https://loja.example.com/", actor=ACTOR)
    client.get("/portal/referrals/")
    with CaptureQueriesContext(connection) as few:
        client.get("/portal/referrals/")
    for n in range(5):
        link_create(partner=alfa, landing_url=f"https://loja.example.com/{n}", actor=ACTOR)
    with CaptureQueriesContext(connection) as many:
        client.get("/portal/referrals/")
    assert len(many) == len(few)


def test_a_partner_creates_a_link():
    alfa = make_partner()
    response = portal_client(alfa, "alfa").post("/portal/referrals/", {"landing_url": "https://loja.example.com/x?y=1"})
    assert response.status_code == 302
    link = ReferralLink.objects.get()
    assert (link.partner_id, link.landing_url, link.active) == (alfa.pk, "https://loja.example.com/x?y=1", True)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "loja", "ftp://x.example.com/"])
def test_a_bad_landing_url_is_refused_and_nothing_is_stored(url):
    response = portal_client(make_partner(), "alfa").post("/portal/referrals/", {"landing_url": url})
    assert response.status_code == 422
    assert "http://" in response.content.decode()
    assert ReferralLink.objects.count() == 0


def test_staff_are_sent_to_the_console():
    from tests.factories import staff_client

    response = staff_client("pm", "partner_manager").get("/portal/referrals/")
    assert response.status_code in (302, 403)


@pytest.mark.parametrize(("language", "texts"), [
    ("pt-br", ["Links de indicação", "Cliques", "Cadastros", "Pagantes", "Copiar", "Criar o link"]),
    ("es", ["Enlaces de referido", "Clics", "Registros", "Con pagos", "Copiar", "Crear el enlace"]),
    ("en", ["Referral links", "Clicks", "Sign-ups", "Paying", "Copy", "Create the link"]),
])
def test_the_page_is_translated(language, texts):
    alfa = make_partner()
    link_create(partner=alfa, landing_url="https://loja.example.com/", actor=ACTOR)
    client = portal_client(alfa, "alfa")
    client.cookies["django_language"] = language
    body = client.get("/portal/referrals/").content.decode()
    assert all(text in body for text in texts), [t for t in texts if t not in body]
