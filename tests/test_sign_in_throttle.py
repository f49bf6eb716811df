"""The sign-in throttle from outside: one user name whatever its spelling, at most the limit of password checks
however many arrive at once, and the admin's password change under the same throttle."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.sessions.models import Session
from django.test import Client

from parceria.accounts.models import LoginAttempt, User
from parceria.accounts.services import user_create
from tests.factories import ACTOR, PASSWORD, make_partner, staff_client

LIMIT = 5  # LOGIN_FAILURES_PER_USER

# The same user name as "ana@parceira" to the sign-in form: spaces or a tab around it, a no-break space,
# full-width letters, capitals.
VARIANTS = [" ana@parceira", "ana@parceira  ", "ana@parceira\t", "\u00a0ana@parceira", "ａｎａ@parceira",
            "ANA@Parceira", "\tＡＮＡ@PARCEIRA\u00a0"]


class ProductionCostHasher(PBKDF2PasswordHasher):
    """A password hash that takes real time, as in production (the test settings' MD5 takes none), so that
    parallel sign-ins overlap while their passwords are checked."""

    iterations = 300_000


@pytest.fixture
def ana(db):
    return user_create(username="ana@parceira", password=PASSWORD, role="partner_admin", email="ana@example.com",
                       partner=make_partner(name="Parceira Ana"), actor=ACTOR)


@pytest.fixture
def evaluated(monkeypatch):
    """The passwords checked against a user's hash, in order (thread-safe)."""
    checked: list[str] = []
    lock = threading.Lock()
    original = User.check_password

    def counting(self, raw_password):
        with lock:
            checked.append(raw_password)
        return original(self, raw_password)

    monkeypatch.setattr(User, "check_password", counting)
    return checked


def sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def signed_in_sessions() -> int:
    return sum("_auth_user_id" in s.get_decoded() for s in Session.objects.all())


def test_every_variant_of_a_user_name_has_one_canonical_form():
    from parceria.accounts.models import username_canonical

    assert {username_canonical(v) for v in VARIANTS} == {"ana@parceira"}
    assert username_canonical("Straße@Example") == "strasse@example"


@pytest.mark.django_db
@pytest.mark.parametrize("variant", VARIANTS)
def test_a_locked_user_name_stays_locked_under_any_spelling(ana, variant, evaluated):
    for _ in range(LIMIT):
        assert "Please enter a correct" in sign_in(Client(), "ana@parceira", "wrong").content.decode()
    client = Client()
    locked = sign_in(client, variant)  # the right password, another spelling of the name
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session and signed_in_sessions() == 0
    assert evaluated == ["wrong"] * LIMIT  # the locked attempt's password was never checked
    assert list(LoginAttempt.objects.values_list("username", "succeeded")) == [("ana@parceira", False)] * LIMIT


@pytest.mark.django_db
def test_failures_under_different_spellings_count_against_one_user_name(ana, evaluated):
    for variant in VARIANTS[:LIMIT]:
        assert "Please enter a correct" in sign_in(Client(), variant, "wrong").content.decode()
    client = Client()
    locked = sign_in(client, "ana@parceira")
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session and signed_in_sessions() == 0
    assert len(evaluated) == LIMIT
    assert list(LoginAttempt.objects.values_list("username", "succeeded")) == [("ana@parceira", False)] * LIMIT


@pytest.mark.django_db
@pytest.mark.parametrize("variant", VARIANTS)
def test_any_spelling_of_the_user_name_signs_in(ana, variant):
    client = Client()
    response = sign_in(client, variant)
    assert response.status_code == 302 and response["Location"] == "/portal/"
    assert client.session["_auth_user_id"] == str(ana.pk)
    assert list(LoginAttempt.objects.values_list("username", "succeeded")) == [("ana@parceira", True)]


@pytest.mark.django_db
def test_user_names_are_stored_in_the_canonical_form():
    user = user_create(username="  Ｂeto@Parceira\u00a0", password=PASSWORD, role="finance", actor=ACTOR)
    assert User.objects.get(pk=user.pk).username == "beto@parceira"
    from parceria.common.errors import InvalidInput

    with pytest.raises(InvalidInput):
        user_create(username="BETO@parceira", password=PASSWORD, role="finance", actor=ACTOR)
    assert User.objects.filter(username__icontains="beto").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_wrong_passwords_are_checked_at_most_the_limit(live_server, settings, evaluated):
    """19 wrong passwords sent at once over HTTP to a live (threaded) server: at most the limit are checked,
    each of those is recorded, the others are refused unchecked, and nobody is signed in."""
    settings.PASSWORD_HASHERS = [f"{__name__}.ProductionCostHasher"]
    user_create(username="ana@parceira", password=PASSWORD, role="partner_admin", email="ana@example.com",
                partner=make_partner(name="Parceira Ana"), actor=ACTOR)
    parallel = 19
    url = f"{live_server.url}/login/"
    start = threading.Barrier(parallel)

    def attempt(n: int) -> requests.Response:
        session = requests.Session()
        session.get(url, timeout=60)
        token = session.cookies["csrftoken"]
        start.wait(timeout=60)
        spelling = VARIANTS[n % len(VARIANTS)]
        return session.post(url, data={"username": spelling, "password": f"wrong {n}",
                                       "csrfmiddlewaretoken": token}, allow_redirects=False, timeout=120)

    with ThreadPoolExecutor(parallel) as pool:
        responses = list(pool.map(attempt, range(parallel)))
    assert len(evaluated) <= LIMIT
    assert len(evaluated) == LIMIT  # and exactly the limit: the first ones were all checked
    assert sorted(r.status_code for r in responses) == [200] * LIMIT + [429] * (parallel - LIMIT)
    assert sum("Too many failed sign-ins" in r.text for r in responses) == parallel - LIMIT
    assert LoginAttempt.objects.filter(username="ana@parceira", succeeded=False).count() == LIMIT
    assert LoginAttempt.objects.count() == LIMIT
    assert signed_in_sessions() == 0


@pytest.mark.django_db
def test_the_admin_password_change_is_under_the_sign_in_throttle(evaluated):
    client = staff_client("fin@staff", "finance")
    user = client.user  # type: ignore[attr-defined]
    new = {"new_password1": "a brand new passphrase 42", "new_password2": "a brand new passphrase 42"}
    for _ in range(LIMIT):
        wrong = client.post("/admin/password_change/", {"old_password": "wrong", **new})
        assert wrong.status_code == 200 and "Your old password was entered incorrectly" in wrong.content.decode()
    locked = client.post("/admin/password_change/", {"old_password": PASSWORD, **new})
    assert "Too many wrong passwords" in locked.content.decode()
    assert evaluated == ["wrong"] * LIMIT
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)  # unchanged
    assert list(LoginAttempt.objects.values_list("username", "succeeded")) == [("fin@staff", False)] * LIMIT
    # the same lock holds at the sign-in page
    assert "Too many failed sign-ins" in sign_in(Client(), "fin@staff", PASSWORD).content.decode()


@pytest.mark.django_db
def test_a_right_old_password_changes_it_and_is_recorded_as_a_success():
    client = staff_client("fin@staff", "finance")
    new = "a brand new passphrase 42"
    response = client.post("/admin/password_change/",
                           {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert User.objects.get(username="fin@staff").check_password(new)
    assert list(LoginAttempt.objects.values_list("username", "succeeded")) == [("fin@staff", True)]


@pytest.mark.django_db
def test_the_migration_puts_existing_user_names_in_the_canonical_form():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("parceria.accounts.migrations.0006_usernames_canonical")
    ana = user_create(username="ana", password=PASSWORD, role="finance", actor=ACTOR)
    beto = user_create(username="beto", password=PASSWORD, role="finance", actor=ACTOR)
    User.objects.filter(pk=ana.pk).update(username=" Ana@Parceira\t")  # as stored before names had one form
    User.objects.filter(pk=beto.pk).update(username="ＢＥＴＯ")
    migration.canonicalise(apps, None)
    assert list(User.objects.order_by("pk").values_list("username", flat=True)) == ["ana@parceira", "beto"]
    carla = user_create(username="carla", password=PASSWORD, role="finance", actor=ACTOR)
    User.objects.filter(pk=carla.pk).update(username="BETO")
    with pytest.raises(RuntimeError, match="'BETO' -> 'beto'"):
        migration.canonicalise(apps, None)
    assert User.objects.get(pk=carla.pk).username == "BETO"  # left for the operator to rename
