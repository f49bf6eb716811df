"""Typing the password again in the portal (changing the PIX key) is a password check like a sign-in: counted by
the sign-in throttle, refused unchecked while it is locked."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.test import Client

from parceria.accounts.models import LoginAttempt, User
from parceria.common.audit import AuditRecord
from tests.portal.conftest import PASSWORD, client_for

LIMIT = 5  # LOGIN_FAILURES_PER_USER
URL = "/portal/profile/payout-details/"


@pytest.fixture
def evaluated(monkeypatch):
    """The passwords checked against a user's hash, in order."""
    checked: list[str] = []
    lock = threading.Lock()
    original = User.check_password

    def counting(self, raw_password):
        with lock:
            checked.append(raw_password)
        return original(self, raw_password)

    monkeypatch.setattr(User, "check_password", counting)
    return checked


def change(client: Client, password: str, key: str = "ladrao@example.com"):
    return client.post(URL, {"key_type": "email", "key": key, "password": password})


@pytest.mark.django_db
def test_thirty_wrong_passwords_on_the_pix_form_are_five_checks_then_a_lock(world, evaluated):
    a = world["a"]
    before = (a.partner.pix_key_type, a.partner.pix_key, a.partner.payout_details_changed_at)
    client = client_for(a.member)
    statuses = []
    for n in range(30):
        response = change(client, f"guess {n}")
        statuses.append(response.status_code)
        text = response.content.decode()
        if n < LIMIT:
            assert "That password is not correct" in text
        else:
            assert "Too many wrong passwords" in text
    assert statuses == [422] * LIMIT + [429] * (30 - LIMIT)
    assert evaluated == [f"guess {n}" for n in range(LIMIT)]  # nothing checked while locked
    assert list(LoginAttempt.objects.values_list("username", "address", "succeeded")) == [
        ("member-a@example.com", "127.0.0.1", False)] * LIMIT
    # while locked even the right password changes nothing
    locked = change(client, PASSWORD)
    assert locked.status_code == 429 and len(evaluated) == LIMIT
    a.partner.refresh_from_db()
    assert (a.partner.pix_key_type, a.partner.pix_key, a.partner.payout_details_changed_at) == before
    assert not AuditRecord.objects.filter(action="partner.payout_details_changed").exists()
    assert mail.outbox == []
    # one throttle: the user name is locked at the sign-in page too
    signing_in = Client()
    refused = signing_in.post("/login/", {"username": "member-a@example.com", "password": PASSWORD})
    assert refused.status_code == 429 and "_auth_user_id" not in signing_in.session


@pytest.mark.django_db
def test_the_lock_left_by_failed_sign_ins_holds_on_the_pix_form(world, evaluated):
    a = world["a"]
    for _ in range(LIMIT):
        Client().post("/login/", {"username": "member-a@example.com", "password": "wrong"})
    response = change(client_for(a.member), PASSWORD)
    assert response.status_code == 429 and "Too many wrong passwords" in response.content.decode()
    assert len(evaluated) == LIMIT
    a.partner.refresh_from_db()
    assert a.partner.pix_key == a.partner.tax_id and a.partner.payout_details_changed_at is None  # its first key


@pytest.mark.django_db
def test_the_right_password_is_one_recorded_success(world):
    a = world["a"]
    response = change(client_for(a.member), PASSWORD, key="nova@alfa.example")
    assert response.status_code == 302
    a.partner.refresh_from_db()
    assert a.partner.pix_key == "nova@alfa.example"
    assert list(LoginAttempt.objects.values_list("username", "succeeded")) == [("member-a@example.com", True)]
