"""Sign-in for the portal and the console: throttling, staff TOTP, password reset, security headers."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.models import LoginAttempt
from parceria.accounts.services import user_create
from tests.factories import ACTOR, make_partner

PASSWORD = "correct horse battery staple 7"


@pytest.fixture
def partner_user(db):
    return user_create(username="ana@parceira", password=PASSWORD, role="partner_admin", email="ana@example.com",
                       partner=make_partner(name="Parceira Ana"), actor=ACTOR)


@pytest.fixture
def finance_user(db):
    return user_create(username="fin@staff", password=PASSWORD, role="finance", email="fin@example.com", actor=ACTOR)


def sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def test_a_partner_user_signs_in_to_the_portal(partner_user):
    client = Client()
    response = sign_in(client, "ana@parceira")
    assert response.status_code == 302 and response["Location"] == "/portal/"
    page = client.get("/portal/")
    assert page.status_code == 200 and "Parceira Ana" in page.content.decode()
    assert client.get("/console/").status_code == 302  # partners have no console


def test_staff_set_up_totp_on_first_sign_in_and_need_it_for_the_console(finance_user):
    client = Client()
    assert sign_in(client, "fin@staff")["Location"] == "/login/two-factor/"
    assert client.get("/console/")["Location"] == "/login/two-factor/"  # not verified yet
    setup = client.get("/login/two-factor/")
    secret = re.search(r'id="totp-secret">([A-Z2-7=]+)<', setup.content.decode()).group(1)
    device = TOTPDevice.objects.get(user=finance_user)
    wrong = client.post("/login/two-factor/", {"token": "000000" if totp(device.bin_key) != 0 else "111111"})
    assert "That code is not valid" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    throttled = client.post("/login/two-factor/", {"token": f"{totp(device.bin_key):06d}"})
    assert "Too many wrong codes" in throttled.content.decode()  # django-otp waits after a wrong code
    TOTPDevice.objects.get(pk=device.pk).throttle_reset()
    code = f"{totp(device.bin_key):06d}"
    assert secret
    done = client.post("/login/two-factor/", {"token": code})
    assert done.status_code == 302 and done["Location"] == "/console/"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/console/").status_code == 200
    assert client.get("/portal/")["Location"] == "/console/"


def test_a_second_sign_in_asks_for_a_code_without_showing_the_key(finance_user):
    device = TOTPDevice.objects.create(user=finance_user, name="phone", confirmed=True)
    client = Client()
    sign_in(client, "fin@staff")
    page = client.get("/login/two-factor/").content.decode()
    assert "totp-secret" not in page and "Enter the 6-digit code" in page
    assert client.post("/login/two-factor/", {"token": f"{totp(device.bin_key):06d}"})["Location"] == "/console/"


def test_sign_ins_are_throttled_per_user_name(partner_user, settings):
    client = Client()
    for _ in range(5):
        assert "Please enter a correct" in sign_in(client, "ana@parceira", "wrong").content.decode()
    locked = sign_in(client, "ana@parceira")  # even the right password is refused while locked
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginAttempt.objects.filter(username="ana@parceira", succeeded=False).count() == 5


def test_password_reset_sends_a_link_that_sets_a_new_password(partner_user):
    client = Client()
    response = client.post("/password-reset/", {"email": "ana@example.com"})
    assert response["Location"] == "/password-reset/sent/"
    (message,) = mail.outbox
    link = re.search(r"http://testserver(/password-reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    new = "a brand new passphrase 42"
    client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert sign_in(Client(), "ana@parceira", new)["Location"] == "/portal/"


def test_pages_carry_security_headers_and_sessions_end_with_the_browser(settings):
    response = Client().get("/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and settings.SESSION_COOKIE_AGE == 8 * 3600


def test_passwords_are_stored_with_argon2():
    from django.conf import settings as real

    from parceria.config import settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert real.PASSWORD_HASHERS  # the test settings use a fast hasher


def test_language_follows_the_browser_and_the_user_choice(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="pt-br")
    page = client.get("/login/").content.decode()
    assert '<html lang="pt-br">' in page and "Esqueceu a senha?" in page
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/login/"})
    assert response.status_code == 302
    page = client.get("/login/").content.decode()
    assert '<html lang="es">' in page and "¿Olvidó su contraseña?" in page


def test_the_next_page_after_sign_in_stays_on_this_site(partner_user):
    client = Client()
    outside = client.post("/login/?next=https://evil.example/steal", {"username": "ana@parceira", "password": PASSWORD})
    assert outside["Location"] == "/portal/"
    client = Client()
    inside = client.post("/login/?next=/portal/", {"username": "ana@parceira", "password": PASSWORD})
    assert inside["Location"] == "/portal/"


def test_the_start_page_lists_the_demo_logins_only_when_the_demo_is_loaded(db):
    from parceria.demo.generator import generate
    from parceria.demo.logins import demo_totp_key

    assert "Demo logins" not in Client().get("/").content.decode()
    from datetime import date

    from parceria.common.audit import Actor
    from parceria.demo.logins import demo_finish

    generate(seed=3, partners=8, customers=60, months=2, end_month=date(2026, 3, 1))  # it creates the logins
    demo_finish(actor=Actor.system("demo"))  # the administrator, last, marks a finished load
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    assert "Demo logins" in page and "partner.admin@demo" in page and "finance@demo" in page
    assert demo_totp_key() in page


def test_behind_a_proxy_the_throttle_counts_the_client_address(settings, partner_user):
    settings.PARCERIA = {**settings.PARCERIA, "BEHIND_PROXY": True}
    for n in range(5):
        Client(HTTP_X_FORWARDED_FOR=f"203.0.113.{n}", REMOTE_ADDR="10.0.0.1").post(
            "/login/", {"username": f"nobody{n}", "password": "x"})
    addresses = set(LoginAttempt.objects.values_list("address", flat=True))
    assert addresses == {f"203.0.113.{n}" for n in range(5)}  # not the proxy's 10.0.0.1


def test_the_admin_sign_in_is_throttled_too(finance_user):
    client = Client()
    for _ in range(5):
        client.post("/admin/login/", {"username": "fin@staff", "password": "wrong", "otp_token": "000000"})
    locked = client.post("/admin/login/", {"username": "fin@staff", "password": PASSWORD, "otp_token": "000000"})
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.content.decode()
    assert LoginAttempt.objects.filter(username="fin@staff", succeeded=False).count() == 5
