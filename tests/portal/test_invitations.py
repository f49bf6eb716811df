"""Inviting tells a partner admin nothing about addresses outside their partner: an address already in use
elsewhere (another partner's user, staff) gets the same answer, the same message and the same kind of row on
the Users page as a new one, while nothing is created for it and its owner gets a neutral notice."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from parceria.accounts.models import User
from parceria.accounts.services import user_create
from parceria.common.audit import AuditRecord
from tests.portal.conftest import ACTOR, PASSWORD, client_for

NEW = "nova@alfa.example"


def user_state() -> list[tuple]:
    return list(User.objects.order_by("pk").values_list(
        "pk", "username", "email", "partner_id", "role", "is_active", "password", "language", "first_name"))


def row_of(html: str, email: str) -> str:
    """The Users table's row of `email`, with the address and any id in it blanked out."""
    rows = [r for r in re.findall(r"<tr>.*?</tr>", html, flags=re.S) if f"<td>{email}</td>" in r]
    assert len(rows) == 1, rows
    return re.sub(r"/\d+/", "/ID/", rows[0].replace(email, "EMAIL"))


def messages_of(html: str) -> list[str]:
    block = re.search(r'<ul class="messages"[^>]*>(.*?)</ul>', html, flags=re.S)
    return re.findall(r"<li[^>]*>(.*?)</li>", block.group(1)) if block else []


@pytest.fixture
def staff_holder(db):
    user_create(username="ops@parceria.example", password=PASSWORD, role="admin", email="ops-team@parceria.example",
                actor=ACTOR)
    return user_create(username="fin@staff", password=PASSWORD, role="finance", email="fin@parceria.example",
                       actor=ACTOR)


@pytest.mark.django_db
@pytest.mark.parametrize("taken", ["member-b@example.com", "Admin-B@Example.com", "fin@parceria.example",
                                   "OPS@parceria.example"])
def test_an_address_in_use_elsewhere_is_answered_like_a_new_one(world, staff_holder, taken,
                                                                django_capture_on_commit_callbacks):
    a = world["a"]
    client = client_for(a.admin)
    with django_capture_on_commit_callbacks(execute=True):
        fresh = client.post("/portal/users/invite/", {"email": NEW, "name": "Nova Pessoa"})
    fresh_page = client.get("/portal/users/").content.decode()
    users_before, mails_before = user_state(), len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/portal/users/invite/", {"email": taken, "name": "Nova Pessoa"})
    page = client.get("/portal/users/").content.decode()

    assert (answer.status_code, answer.get("Location")) == (fresh.status_code, fresh["Location"])
    assert (answer.status_code, answer.get("Location")) == (302, "/portal/users/")
    assert messages_of(fresh_page) == [f"Invitation sent to {NEW}."]
    assert messages_of(page) == [f"Invitation sent to {taken}."]
    address = taken.lower()
    assert row_of(page, address) == row_of(page, NEW)  # the same "Invited" row with the same actions
    # nothing was created or changed for the address's owner
    assert user_state() == users_before
    from parceria.accounts.models import Invitation

    invitation = Invitation.objects.get(partner=a.partner, email=address)
    assert invitation.user is None and invitation.withdrawn_at is None
    # its owner was told, without a link
    (notice,) = mail.outbox[mails_before:]
    holder = User.objects.get(pk=AuditRecord.objects.get(action="invitation.address_in_use").after["holder_id"])
    assert notice.to == [holder.email] and holder.partner_id != a.partner.pk
    assert notice.subject == "Parceria: an invitation to an address that already has an account"
    assert "Alfa Consultoria" in notice.body and "http" not in notice.body


@pytest.mark.django_db
def test_withdrawing_and_inviting_again_look_the_same_for_both_kinds(world, django_capture_on_commit_callbacks):
    from parceria.accounts.models import Invitation

    a, b = world["a"], world["b"]
    client = client_for(a.admin)
    for email in (NEW, "member-b@example.com"):
        client.post("/portal/users/invite/", {"email": email})
    created = Invitation.objects.get(email=NEW)
    phantom = Invitation.objects.get(email="member-b@example.com")
    withdrawn = [client.post(f"/portal/users/invitations/{i.pk}/withdraw/") for i in (created, phantom)]
    assert [(r.status_code, r["Location"]) for r in withdrawn] == [(302, "/portal/users/")] * 2
    page = client.get("/portal/users/").content.decode()
    assert row_of(page, NEW) == row_of(page, "member-b@example.com")
    assert "Removed" in row_of(page, NEW)
    assert not User.objects.get(email=NEW).is_active
    assert User.objects.get(pk=b.member.pk).is_active  # B's member is untouched
    with django_capture_on_commit_callbacks(execute=True):
        again = [client.post("/portal/users/invite/", {"email": e, "name": "Outro Nome"})
                 for e in (NEW, "member-b@example.com")]
    assert [r.status_code for r in again] == [302, 302]
    page = client.get("/portal/users/").content.decode()
    assert row_of(page, NEW) == row_of(page, "member-b@example.com")
    assert "Invited" in row_of(page, NEW) and "<td>Outro Nome</td>" in row_of(page, NEW)
    assert User.objects.get(email=NEW).is_active
    assert [m.to for m in mail.outbox] == [[NEW], ["member-b@example.com"]]
    assert User.objects.get(pk=b.member.pk).partner_id == b.partner.pk


@pytest.mark.django_db
def test_a_partner_admin_cannot_withdraw_another_partners_invitation(world):
    from parceria.accounts.models import Invitation

    a, b = world["a"], world["b"]
    client_for(b.admin).post("/portal/users/invite/", {"email": "convidada@bravo.example"})
    theirs = Invitation.objects.get(partner=b.partner)
    assert client_for(a.admin).post(f"/portal/users/invitations/{theirs.pk}/withdraw/").status_code == 404
    assert Invitation.objects.get(pk=theirs.pk).withdrawn_at is None
    assert User.objects.get(email="convidada@bravo.example").is_active


@pytest.mark.django_db
def test_an_address_freed_elsewhere_gets_a_real_invitation_next_time(world):
    from parceria.accounts.models import Invitation

    a, b = world["a"], world["b"]
    client = client_for(a.admin)
    client.post("/portal/users/invite/", {"email": "member-b@example.com"})
    User.objects.filter(pk=b.member.pk).update(username="old-member-b", email="old@bravo.example")
    client.post("/portal/users/invite/", {"email": "member-b@example.com"})
    invitation = Invitation.objects.get(partner=a.partner, email="member-b@example.com")
    assert invitation.user is not None and invitation.user.partner_id == a.partner.pk
    assert not invitation.user.has_usable_password()


@pytest.mark.django_db
def test_the_migration_gives_members_invited_before_their_invitation(world):
    import importlib

    from django.apps import apps

    from parceria.accounts.models import Invitation

    a = world["a"]
    migration = importlib.import_module("parceria.accounts.migrations.0007_invitations")
    pending = User.objects.create_user(username="antiga@alfa.example", email="antiga@alfa.example", password=None,
                                       role="partner_member", partner=a.partner, first_name="Antiga",
                                       last_name="Pessoa")
    migration.invitations_for_pending_members(apps, None)
    invitation = Invitation.objects.get()
    assert (invitation.partner_id, invitation.email, invitation.name, invitation.user_id, invitation.withdrawn_at) == (
        a.partner.pk, "antiga@alfa.example", "Antiga Pessoa", pending.pk, None)
    page = client_for(a.admin).get("/portal/users/").content.decode()
    assert "Invited" in row_of(page, "antiga@alfa.example")
