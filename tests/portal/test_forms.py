"""Every portal form: bad input gets a clear message beside the field, and nothing is stored (SPEC §16)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from parceria.accounts.models import User
from parceria.common.models import AuditRecord
from parceria.disputes.models import Dispute, DisputeComment
from parceria.partners.models import Partner
from tests.portal.conftest import PASSWORD, client_for


def state() -> tuple[Any, ...]:
    return (
        list(Dispute.objects.order_by("pk").values_list("pk", "status", "description")),
        DisputeComment.objects.count(),
        list(Partner.objects.order_by("pk").values_list("pix_key_type", "pix_key", "payout_details_changed_at")),
        list(User.objects.order_by("pk").values_list("pk", "is_active", "email")),
        AuditRecord.objects.count(),
        len(mail.outbox),
    )


def field_block(html: str, name: str) -> str:
    """The wrapper <div class="field…"> that holds the input named `name`."""
    for block in re.split(r'(?=<div class="field)', html):
        if f'name="{name}"' in block:
            return block.split("</div>")[0] if "errorlist" not in block else block
    raise AssertionError(f"no field {name!r} in the page")


def assert_error_beside(response: Any, name: str, message: str) -> None:
    assert response.status_code == 422
    html = response.content.decode()
    block = field_block(html, name)
    assert block.startswith('<div class="field field-error"'), block[:200]
    assert 'class="errorlist' in block and message in block, block


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "field", "message"), [
    ({"subject": "ledger_line", "description": "wrong"}, "ledger_line", "Enter the number of the commission line"),
    ({"subject": "ledger_line", "ledger_line": "999999", "description": "x"}, "ledger_line", "no commission line"),
    ({"subject": "ledger_line", "ledger_line": "abc", "description": "x"}, "ledger_line", "Enter a whole number"),
    ({"subject": "payout", "description": "x"}, "payout", "Choose the payout"),
    ({"subject": "missing_attribution", "description": "x"}, "customer_name", "Give the customer"),
    ({"subject": "ledger_line", "ledger_line": "1"}, "description", "This field is required"),
    ({"subject": "nonsense", "description": "x"}, "subject", "Select a valid choice"),
])
def test_opening_a_dispute_with_bad_input(world, data, field, message):
    client, before = client_for(world["a"].admin), state()
    assert_error_beside(client.post("/portal/disputes/new/", data), field, message)
    assert state() == before


@pytest.mark.django_db
def test_disputing_another_partners_line_is_refused_beside_the_field(world):
    client, before = client_for(world["a"].admin), state()
    data = {"subject": "ledger_line", "ledger_line": world["b"].line.pk, "description": "x"}
    assert_error_beside(client.post("/portal/disputes/new/", data), "ledger_line", "no commission line")
    assert state() == before


@pytest.mark.django_db
def test_disputing_a_line_twice_is_refused(world):
    a = world["a"]
    client, before = client_for(a.admin), state()
    data = {"subject": "ledger_line", "ledger_line": a.line.pk, "description": "again"}
    assert_error_beside(client.post("/portal/disputes/new/", data), "subject", "already an open dispute")
    assert state() == before


@pytest.mark.django_db
def test_an_empty_comment_is_refused(world):
    a = world["a"]
    client, before = client_for(a.admin), state()
    assert_error_beside(client.post(f"/portal/disputes/{a.dispute.pk}/comment/", {"text": "  "}), "text",
                        "This field is required")
    assert state() == before


@pytest.mark.django_db
def test_a_too_long_withdrawal_reason_is_refused(world):
    a = world["a"]
    client, before = client_for(a.admin), state()
    response = client.post(f"/portal/disputes/{a.dispute.pk}/withdraw/", {"reason": "x" * 2001})
    assert_error_beside(response, "reason", "at most 2000 characters")
    assert state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "field", "message"), [
    ({"key_type": "email", "key": "new@example.com", "password": "wrong"}, "password", "password is not correct"),
    ({"key_type": "cpf", "key": "123", "password": PASSWORD}, "key", "not a valid PIX key"),
    ({"key_type": "pigeon", "key": "x", "password": PASSWORD}, "key_type", "Select a valid choice"),
    ({"key_type": "email", "key": "", "password": PASSWORD}, "key", "This field is required"),
])
def test_changing_the_pix_key_with_bad_input(world, data, field, message):
    client, before = client_for(world["a"].admin), state()
    assert_error_beside(client.post("/portal/profile/payout-details/", data), field, message)
    assert state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("email", "message"), [
    ("not-an-address", "Enter a valid email address"),
    ("member-a@example.com", "already one of your users"),
    ("", "This field is required"),
])
def test_inviting_with_bad_input(world, email, message):
    client, before = client_for(world["a"].admin), state()
    assert_error_beside(client.post("/portal/users/invite/", {"email": email}), "email", message)
    assert state() == before


@pytest.mark.django_db
def test_a_bad_month_filter_is_shown_beside_the_filter(world):
    response = client_for(world["a"].admin).get("/portal/commissions/?month=2026-13")
    assert response.status_code == 200
    html = response.content.decode()
    block = html[html.index('<div class="field-error">'):]
    assert 'name="month"' in block.split("</div>")[0] and "Use the format YYYY-MM" in block.split("</div>")[0]


@pytest.mark.django_db
def test_removing_yourself_is_refused(world):
    a = world["a"]
    client, before = client_for(a.admin), state()
    response = client.post(f"/portal/users/{a.admin.pk}/remove/", follow=True)
    assert "You cannot remove yourself" in response.content.decode()
    assert state() == before
