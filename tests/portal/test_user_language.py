"""Each user's stored language: the menu stores it, sign-in applies it, e-mails go out in the recipient's
language."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from parceria.accounts.languages import user_language_set
from parceria.accounts.models import User
from parceria.accounts.services import user_create
from parceria.common.audit import Actor, AuditRecord
from tests.portal.conftest import PASSWORD, client_for

ACTOR = Actor.system("tests")


def speaking(client: Client, language: str) -> Client:
    client.cookies["django_language"] = language
    return client


def stored(user: User) -> str:
    return User.objects.get(pk=user.pk).language


def html_lang(client: Client, url: str = "/portal/") -> str:
    page = client.get(url).content.decode()
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


@pytest.mark.django_db
def test_the_menu_stores_the_language_and_a_new_browser_session_starts_in_it(world):
    member = world["a"].member
    first = client_for(member)
    response = first.post("/i18n/setlang/", {"language": "pt-br", "next": "/portal/customers/"},
                          HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"] == "/portal/customers/"
    assert response.cookies["django_language"].value == "pt-br"
    assert stored(member) == "pt-br"
    assert AuditRecord.objects.filter(action="user.language_changed").count() == 1

    second = Client(HTTP_ACCEPT_LANGUAGE="es")
    signed_in = second.post("/login/", {"username": member.username, "password": PASSWORD})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/portal/"
    response = second.get("/portal/")
    assert response.content.decode().count('<html lang="pt-br">') == 1
    assert response.cookies["django_language"].value == "pt-br"
    assert '<option value="pt-br" selected>Português Brasileiro</option>' in response.content.decode()


@pytest.mark.django_db
def test_sign_in_applies_the_stored_language_over_the_cookie_and_the_browser_and_it_lasts_after_sign_out(world):
    member = world["a"].member
    user_language_set(user=member, language="es", actor=ACTOR)
    client = speaking(Client(HTTP_ACCEPT_LANGUAGE="pt-br"), "en")
    assert html_lang(client, "/login/") == "en"
    client.post("/login/", {"username": member.username, "password": PASSWORD})
    assert html_lang(client) == "es"
    client.post("/logout/")
    assert html_lang(client, "/login/") == "es"


@pytest.mark.django_db
def test_signed_out_the_cookie_and_the_browser_decide_as_before(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="pt-br")
    assert html_lang(client, "/login/") == "pt-br"
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/login/"})
    assert response["Location"] == "/login/" and response.cookies["django_language"].value == "es"
    assert html_lang(client, "/login/") == "es"


@pytest.mark.django_db
def test_the_blank_choice_follows_the_browser_again(world):
    member = world["a"].member
    user_language_set(user=member, language="es", actor=ACTOR)
    client = client_for(member)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "pt-br"
    response = client.post("/i18n/setlang/", {"language": "", "next": "/portal/profile/"})
    assert response["Location"] == "/portal/profile/"
    assert response.cookies["django_language"].value == "" and response.cookies["django_language"]["max-age"] == 0
    assert stored(member) == ""
    assert html_lang(client) == "pt-br"


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["fr", "pt", "en-us", "x" * 40])
def test_a_language_that_is_not_offered_is_refused_and_nothing_is_stored(world, bad):
    member = world["a"].member
    user_language_set(user=member, language="es", actor=ACTOR)
    audits = AuditRecord.objects.count()
    client = speaking(client_for(member), "es")
    response = client.post("/i18n/setlang/", {"language": bad, "next": "/portal/"})
    assert response.status_code == 400
    assert response.content.decode() == f"{bad} no es un idioma de Parceria; elija uno de estos: en, pt-br, es."
    assert "django_language" not in response.cookies
    assert stored(member) == "es" and AuditRecord.objects.count() == audits


@pytest.mark.django_db
def test_a_bad_language_is_refused_in_english_on_an_english_page(db):
    response = Client().post("/i18n/setlang/", {"language": "fr", "next": "/login/"})
    assert response.status_code == 400
    assert response.content.decode() == "fr is not a language of Parceria; choose one of en, pt-br, es."


@pytest.mark.django_db
def test_a_bad_language_is_refused_in_the_readers_language_when_signed_out(db):
    response = speaking(Client(), "pt-br").post("/i18n/setlang/", {"language": "fr", "next": "/login/"})
    assert response.status_code == 400
    assert response.content.decode() == "fr não é um idioma do Parceria; escolha um destes: en, pt-br, es."
    assert "django_language" not in response.cookies


@pytest.mark.django_db
@pytest.mark.parametrize("target", [
    "https://evil.example/steal", "//evil.example/steal", "http://testserver.evil.example/", "javascript:alert(1)",
])
def test_the_next_page_of_the_menu_cannot_leave_the_site(world, target):
    client = client_for(world["a"].member)
    response = client.post("/i18n/setlang/", {"language": "es", "next": target})
    assert response.status_code == 302 and response["Location"] == "/"
    assert stored(world["a"].member) == "es"


@pytest.mark.django_db
def test_the_menu_only_takes_a_post(world):
    client = client_for(world["a"].member)
    assert client.get("/i18n/setlang/?language=es&next=/portal/").status_code == 405
    assert stored(world["a"].member) == ""


@pytest.mark.django_db
def test_the_profile_page_shows_the_stored_choice(world):
    member = world["a"].member
    client = client_for(member)
    page = client.get("/portal/profile/").content.decode()
    assert '<option value="" selected>The browser&#x27;s language</option>' in page
    user_language_set(user=member, language="es", actor=ACTOR)
    page = client.get("/portal/profile/").content.decode()
    assert '<select name="language" aria-describedby="id_language_helptext" id="id_language">' in page
    assert '<option value="es" selected>Español</option>' in page
    assert "Idioma de sus páginas y correos" in page


@pytest.mark.django_db
def test_an_invitation_in_the_chosen_language_stores_it_with_the_new_user(world, django_capture_on_commit_callbacks):
    client = speaking(client_for(world["a"].admin), "en")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/portal/users/invite/",
                               {"email": "nueva@alfa.example", "name": "Nueva Persona", "language": "es"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["nueva@alfa.example"]
    assert message.subject == "Parceria: invitación al portal de Alfa Consultoria"
    assert "lo invitó al portal de socios Parceria de Alfa Consultoria." in message.body
    assert User.objects.get(email="nueva@alfa.example").language == "es"


@pytest.mark.django_db
def test_a_new_invitation_to_a_user_whose_language_is_es_goes_in_spanish(world, django_capture_on_commit_callbacks):
    client = speaking(client_for(world["a"].admin), "pt-br")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/portal/users/invite/", {"email": "nueva@alfa.example", "language": "es"})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/portal/users/invite/", {"email": "nueva@alfa.example"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.subject == "Parceria: invitación al portal de Alfa Consultoria"


@pytest.mark.django_db
def test_an_invitation_with_a_language_not_offered_is_refused(world):
    client = client_for(world["a"].admin)
    response = client.post("/portal/users/invite/", {"email": "nueva@alfa.example", "language": "fr"})
    assert response.status_code == 422
    assert "Select a valid choice. fr is not one of the available choices." in response.content.decode()
    assert not User.objects.filter(email="nueva@alfa.example").exists() and mail.outbox == []


@pytest.mark.django_db
def test_the_pix_notice_goes_to_each_admin_in_their_own_language(world, django_capture_on_commit_callbacks):
    a = world["a"]
    user_language_set(user=a.admin, language="pt-br", actor=ACTOR)
    english = user_create(username="admin-en@example.com", email="admin-en@example.com", password=PASSWORD,
                          role="partner_admin", partner=a.partner, actor=ACTOR)
    user_language_set(user=english, language="en", actor=ACTOR)
    user_create(username="admin-any@example.com", email="admin-any@example.com", password=PASSWORD,
                role="partner_admin", partner=a.partner, actor=ACTOR)
    client = speaking(client_for(a.member), "es")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/portal/profile/payout-details/",
                               {"key_type": "email", "key": "pix@alfa.example", "password": PASSWORD})
    assert response.status_code == 302
    sent = sorted((message.to, message.subject) for message in mail.outbox)
    assert sent == [
        (["admin-a@example.com"], "Parceria: os dados de pagamento de Alfa Consultoria foram alterados"),
        (["admin-any@example.com"], "Parceria: cambiaron los datos de pago de Alfa Consultoria"),
        (["admin-en@example.com"], "Parceria: payout details of Alfa Consultoria changed"),
    ]


@pytest.mark.django_db
def test_the_pix_notice_sends_one_message_per_language(world, django_capture_on_commit_callbacks):
    a = world["a"]
    for name in ("one", "two"):
        admin = user_create(username=f"{name}@example.com", email=f"{name}@example.com", password=PASSWORD,
                            role="partner_admin", partner=a.partner, actor=ACTOR)
        user_language_set(user=admin, language="en", actor=ACTOR)
    client = speaking(client_for(a.member), "en")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/portal/profile/payout-details/",
                    {"key_type": "email", "key": "pix@alfa.example", "password": PASSWORD})
    (message,) = mail.outbox
    assert message.to == ["admin-a@example.com", "one@example.com", "two@example.com"]


@pytest.mark.django_db
def test_the_password_reset_goes_out_in_the_users_language(world):
    user_language_set(user=world["a"].member, language="pt-br", actor=ACTOR)
    response = speaking(Client(), "en").post("/password-reset/", {"email": "member-a@example.com"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["member-a@example.com"] and message.subject == "Sua senha do Parceria"
    assert "Alguém pediu para redefinir a senha da sua conta Parceria" in message.body
