"""Changing the PIX key: password again, the admins are told, and the close holds payouts for 48 hours."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest
from django.core import mail

from parceria.common.audit import AuditRecord
from parceria.common.pix import PixKeyError
from parceria.partners.payout_details import partner_payout_details_change
from parceria.payouts.close import period_close
from parceria.payouts.models import Payout
from tests.factories import SP, credit, make_partner
from tests.portal.conftest import ACTOR, PASSWORD, client_for

MARCH = date(2026, 3, 1)
CLOSE_AT = datetime(2026, 4, 5, 10, 0, tzinfo=SP)


def funded_partner():
    partner = make_partner()
    credit(partner, "500.00", at=datetime(2026, 3, 10, 12, 0, tzinfo=SP))
    return partner


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(("hours_before_close", "paid"), [(47, False), (48, True), (72, True)])
def test_a_close_within_48_hours_of_a_pix_change_carries_and_after_48_hours_pays(hours_before_close, paid):
    partner = funded_partner()
    partner_payout_details_change(partner=partner, key_type="email", key="novo@example.com", actor=ACTOR,
                                  now=CLOSE_AT - timedelta(hours=hours_before_close))
    plan = period_close(month=MARCH, actor=ACTOR, now=CLOSE_AT)
    if paid:
        assert [(p.partner_id, p.gross) for p in plan.payouts] == [(partner.pk, D("500.00"))]
        assert Payout.objects.get(partner=partner).pix_key == "novo@example.com"
    else:
        assert plan.payouts == []
        assert [(c.partner_id, c.balance, c.reason) for c in plan.carried] == [
            (partner.pk, D("500.0000"), "details_changed")]
        assert not Payout.objects.filter(partner=partner).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_change_is_stored_audited_and_mailed_to_the_admins(world_tx):
    a = world_tx["a"]
    client = client_for(a.member)
    response = client.post("/portal/profile/payout-details/",
                           {"key_type": "phone", "key": "(11) 98765-4321", "password": PASSWORD})
    assert response.status_code == 302
    a.partner.refresh_from_db()
    assert (a.partner.pix_key_type, a.partner.pix_key) == ("phone", "+5511987654321")
    assert a.partner.payout_details_changed_at is not None
    assert AuditRecord.objects.filter(action="partner.payout_details_changed").count() == 1
    (message,) = mail.outbox
    assert message.to == ["admin-a@example.com"] and "held until" in message.body
    assert "+5511987654321" not in message.body  # the key is masked


@pytest.mark.django_db
def test_an_invalid_key_changes_nothing():
    partner = make_partner()
    with pytest.raises(PixKeyError):
        partner_payout_details_change(partner=partner, key_type="cpf", key="123", actor=ACTOR)
    partner.refresh_from_db()
    assert (partner.pix_key, partner.payout_details_changed_at) == (partner.tax_id, None) and mail.outbox == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_mail_server_that_is_down_does_not_undo_or_break_the_change(world_tx, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens there
    a = world_tx["a"]
    response = client_for(a.member).post("/portal/profile/payout-details/",
                                         {"key_type": "email", "key": "pix@alfa.example", "password": PASSWORD})
    assert response.status_code == 302  # the notice failed and was logged; the change stands
    a.partner.refresh_from_db()
    assert a.partner.pix_key == "pix@alfa.example" and a.partner.payout_details_changed_at is not None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_invited_member_who_never_signed_in_can_be_invited_again(world_tx):
    from parceria.accounts.models import User
    from parceria.partners.invitations import user_invite

    a = world_tx["a"]
    first = user_invite(inviter=a.admin, email="Nova@Alfa.example", base_url="http://testserver", actor=ACTOR)
    again = user_invite(inviter=a.admin, email="nova@alfa.example", base_url="http://testserver", actor=ACTOR)
    assert again.pk == first.pk and User.objects.filter(email="nova@alfa.example").count() == 1
    assert again.user_id == first.user_id is not None
    assert [m.to for m in mail.outbox][-2:] == [["nova@alfa.example"], ["nova@alfa.example"]]
    assert AuditRecord.objects.filter(action="user.invited_again", object_id=str(first.user_id)).count() == 1
