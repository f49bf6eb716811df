"""Notifications of outbox events: who is told (preferences, roles, the partner's own users, the manager), in
which language, by e-mail and by a partner's chat webhook over real HTTP, retried after a failure, and at a
constant number of queries however many events a transaction writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parceria.accounts.models import User
from parceria.accounts.services import user_create
from parceria.common.audit import Actor
from parceria.common.errors import InvalidInput
from parceria.notifications.delivery import deliver_due
from parceria.notifications.models import ChatWebhook, Notification, Preference, Status
from parceria.notifications.services import chat_webhook_save, chat_webhook_test, preferences_set
from parceria.webhooks.outbox import emit, emit_many
from tests.factories import make_partner
from tests.notifications.receiver import chat_receiver

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("tests")
PAID = {"payout_id": 7, "batch_id": 3, "currency": "BRL", "gross": "1520.0000", "net": "1497.2000",
        "due_date": "2026-04-30", "payment_date": "2026-04-05", "reference": "E1"}


def _user(name: str, role: str, partner=None, language: str = "") -> User:
    user = user_create(username=name, password=None, role=role, email=f"{name}@example.com", partner=partner,
                       actor=ACTOR)
    if language:
        User.objects.filter(pk=user.pk).update(language=language)
    return user


def _emit(type: str, partner, data) -> None:
    with transaction.atomic():
        emit(type, partner=partner, data=data)


@pytest.fixture
def loopback(settings):
    settings.PARCERIA = {**settings.PARCERIA, "WEBHOOKS_ALLOW_LOOPBACK": True, "WEBHOOKS_TIMEOUT": 2}


def test_each_user_who_wants_the_event_gets_one_e_mail_in_their_language_and_the_user_who_opted_out_none():
    partner = make_partner(name="Loja Alfa")
    _user("ana", "partner_admin", partner, "pt-br")
    _user("eva", "partner_admin", partner, "es")
    off = _user("off", "partner_admin", partner, "pt-br")
    _user("member", "partner_member", partner, "pt-br")  # users are not told of payouts by default
    other = make_partner(name="Outra")
    _user("stranger", "partner_admin", other, "pt-br")
    preferences_set(user=off, email_on=["deal.decided"], actor=ACTOR)

    _emit("payout.paid", partner, PAID)

    rows = Notification.objects.order_by("user__username")
    assert [(n.user.username, n.channel, n.status, n.language) for n in rows] == [
        ("ana", "email", "pending", "pt-br"), ("eva", "email", "pending", "es")]
    assert deliver_due() == 2
    sent = {m.to[0]: m for m in mail.outbox}
    assert sorted(sent) == ["ana@example.com", "eva@example.com"]
    assert sent["ana@example.com"].subject == "Pagamento efetuado: R$ 1.497,20"
    assert sent["eva@example.com"].subject == "Pago realizado: R$ 1.497,20"
    assert "http://localhost:8000/portal/payouts/" in sent["ana@example.com"].body
    assert "Isto se refere à conta de parceiro Loja Alfa." in sent["ana@example.com"].body
    assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_partner_users_get_deal_decided_by_default_and_the_manager_of_the_partner_too_not_other_staff():
    manager = _user("gerente", "partner_manager", language="pt-br")
    _user("other-manager", "partner_manager")
    partner = make_partner()
    partner.__class__.objects.filter(pk=partner.pk).update(manager=manager)
    member = _user("vendedor", "partner_member", partner, "es")

    _emit("deal.decided", partner, {"registration_id": 1, "company_name": "Loja X", "status": "approved",
                                    "reason": ""})

    assert sorted(Notification.objects.values_list("user_id", flat=True)) == sorted([manager.pk, member.pk])
    deliver_due()
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects == {"gerente@example.com": "Registro de oportunidade aprovado: Loja X",
                        "vendedor@example.com": "Registro de oportunidad aprobado: Loja X"}
    staff_mail = next(m for m in mail.outbox if m.to == ["gerente@example.com"])
    assert "/console/deal-registrations/" in staff_mail.body


def test_a_change_that_rolls_back_notifies_nobody():
    partner = make_partner()
    _user("ana", "partner_admin", partner)
    with pytest.raises(RuntimeError), transaction.atomic():
        emit("payout.paid", partner=partner, data=PAID)
        assert Notification.objects.count() == 1
        raise RuntimeError("the change fails after its event")
    assert Notification.objects.count() == 0
    assert deliver_due() == 0 and mail.outbox == []


def test_commission_events_are_not_notified():
    partner = make_partner()
    _user("ana", "partner_admin", partner)
    with transaction.atomic():
        emit_many("commission.accrued", [(partner, {"amount": "1.00"})])
    assert Notification.objects.count() == 0


@pytest.mark.parametrize("url", ["http://chat.example.com/hook", "https://10.0.0.5/hook", "https://127.0.0.1/hook",
                                 "https://169.254.169.254/latest", "ftp://chat.example.com/"])
def test_a_chat_webhook_url_that_is_not_https_or_points_inside_is_refused_and_nothing_is_stored(url):
    partner = make_partner()
    with pytest.raises(InvalidInput) as refused:
        chat_webhook_save(partner=partner, url=url, event_types=["payout.paid"], language="", actor=ACTOR)
    assert refused.value.code == "url_refused"
    assert ChatWebhook.objects.count() == 0


def test_the_chat_webhook_receives_slack_json_in_the_partner_admins_language(loopback):
    partner = make_partner(name="Loja Alfa")
    _user("ana", "partner_admin", partner, "es")
    with chat_receiver() as receiver:
        chat_webhook_save(partner=partner, url=receiver.url, event_types=["deal.decided"], language="",
                          actor=ACTOR)
        _emit("deal.decided", partner, {"registration_id": 1, "company_name": "Loja X", "status": "rejected",
                                        "reason": "conflict"})
        _emit("payout.paid", partner, PAID)  # not one of the chat's types
        deliver_due()
    [message] = receiver.received
    text = message["body"]["text"]
    assert text == ("*Registro de oportunidad rechazado: Loja X*\nLoja Alfa · "
                    "<http://localhost:8000/portal/deals/|Abrir en Parceria>")
    assert message["body"]["blocks"] == [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    assert message["headers"]["Content-Type"] == "application/json"
    chat = Notification.objects.get(channel="chat")
    assert (chat.status, chat.attempts, chat.language) == ("sent", 1, "es")


def test_a_chat_message_answered_with_500_is_retried_later_and_then_sent(loopback):
    partner = make_partner()
    with chat_receiver(statuses=[500]) as receiver:
        chat_webhook_save(partner=partner, url=receiver.url, event_types=["payout.failed"], language="pt-br",
                          actor=ACTOR)
        _emit("payout.failed", partner, PAID)
        before = timezone.now()
        assert deliver_due() == 1
        row = Notification.objects.get()
        assert (row.status, row.attempts, row.last_error) == ("pending", 1, "HTTP 500: boom")
        assert row.next_attempt_at >= before + timedelta(seconds=30)
        assert deliver_due() == 0  # not due yet
        Notification.objects.update(next_attempt_at=timezone.now())
        assert deliver_due() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
    assert [r["body"]["text"].splitlines()[0] for r in receiver.received] == ["*Pagamento com falha: R$ 1.497,20*"] * 2


def test_the_last_failed_attempt_marks_the_notification_failed(loopback, settings):
    settings.PARCERIA_NOTIFICATIONS = {**settings.PARCERIA_NOTIFICATIONS, "MAX_ATTEMPTS": 1}
    partner = make_partner()
    with chat_receiver(statuses=[503]) as receiver:
        chat_webhook_save(partner=partner, url=receiver.url, event_types=["payout.failed"], language="",
                          actor=ACTOR)
        _emit("payout.failed", partner, PAID)
        deliver_due()
    row = Notification.objects.get()
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 1, None)


def test_the_chat_url_is_checked_again_at_delivery(loopback, settings):
    partner = make_partner()
    with chat_receiver() as receiver:
        chat_webhook_save(partner=partner, url=receiver.url, event_types=["payout.paid"], language="",
                          actor=ACTOR)
        settings.PARCERIA = {**settings.PARCERIA, "WEBHOOKS_ALLOW_LOOPBACK": False}
        _emit("payout.paid", partner, PAID)
        deliver_due()
    assert receiver.received == []
    row = Notification.objects.get()
    assert row.status == "pending" and row.last_error.startswith("refused: Only https://")


def test_the_test_button_posts_a_test_message(loopback):
    partner = make_partner(name="Loja Alfa")
    with chat_receiver() as receiver:
        chat = chat_webhook_save(partner=partner, url=receiver.url, event_types=["payout.paid"], language="pt-br",
                                 actor=ACTOR)
        chat_webhook_test(chat=chat, actor=ACTOR)
    assert receiver.received[0]["body"]["text"].startswith("*Mensagem de teste do Parceria*\nLoja Alfa")


def test_emit_many_costs_the_same_number_of_queries_for_20_or_200_events():
    partners = [make_partner() for _ in range(4)]
    for i, partner in enumerate(partners):
        _user(f"admin{i}", "partner_admin", partner, "pt-br")
        _user(f"member{i}", "partner_member", partner)
    preferences_set(user=User.objects.get(username="member0"), email_on=["payout.paid"], actor=ACTOR)

    def queries(n: int) -> tuple[int, int]:
        """(queries other than inserts, insert statements) of one emit_many of `n` events."""
        with transaction.atomic(), CaptureQueriesContext(connection) as captured:
            emit_many("payout.paid", [(partners[i % 4], {**PAID, "payout_id": i}) for i in range(n)])
        inserts = sum("INSERT INTO" in q["sql"][:40].upper() for q in captured.captured_queries)  # "N times: INSERT"
        return len(captured.captured_queries) - inserts, inserts

    small, large = queries(20), queries(200)
    # the events' ids, webhook endpoints, the partners' managers, users, preferences, chat webhooks
    assert small[0] == large[0] == 6
    # one insert of events (a COPY on PostgreSQL, which the capture does not see) and one of notifications (SQLite
    # batches it)
    assert small[1] in (1, 2) and large[1] <= 6
    # 220 events: each to its partner's admin, and partner 0's member who chose payouts
    assert Notification.objects.count() == 220 + 55


def test_a_preference_row_overrides_the_role_default_both_ways():
    partner = make_partner()
    member = _user("member", "partner_member", partner)
    preferences_set(user=member, email_on=["tier.changed"], actor=ACTOR)
    assert dict(Preference.objects.filter(user=member).values_list("event_type", "email"))["deal.decided"] is False
    _emit("deal.decided", partner, {"company_name": "X", "status": "approved"})
    _emit("tier.changed", partner, {"tier": "gold"})
    assert list(Notification.objects.values_list("event_type", flat=True)) == ["tier.changed"]
    with pytest.raises(InvalidInput):
        preferences_set(user=member, email_on=["commission.accrued"], actor=ACTOR)
    assert Preference.objects.get(user=member, event_type="tier.changed").email is True
    assert Status.SENT == "sent"


def test_a_notification_for_a_user_deactivated_meanwhile_is_skipped_and_sends_nothing():
    partner = make_partner()
    ana = _user("ana", "partner_admin", partner)
    _emit("payout.paid", partner, PAID)
    User.objects.filter(pk=ana.pk).update(is_active=False)
    assert deliver_due() == 1
    row = Notification.objects.get()
    assert (row.status, row.attempts, row.last_error) == ("skipped", 0, "the user is inactive or has no e-mail address")
    assert mail.outbox == []
