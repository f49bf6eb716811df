"""The notification pages: each portal user sets their own e-mail choices; the partner admin sets the chat
webhook (refused addresses store nothing); staff set their own and read the delivery log with filters."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from parceria.accounts.services import user_create
from parceria.common.audit import Actor
from parceria.common.models import AuditRecord
from parceria.notifications.models import ChatWebhook, Notification, Preference
from parceria.webhooks.outbox import emit
from tests.factories import make_partner, staff_client

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("tests")


def _portal(partner, role="partner_admin", name="") -> Client:
    name = name or f"{role}-{partner.pk}"
    user = user_create(username=name, password=None, role=role, email=f"{name}@example.com", partner=partner,
                       actor=ACTOR)
    client = Client()
    client.force_login(user)
    client.user = user  # type: ignore[attr-defined]
    return client


def test_a_partner_user_turns_e_mail_off_and_is_not_told_any_more():
    partner = make_partner()
    client = _portal(partner, "partner_member")
    page = client.get("/portal/notifications/")
    assert page.status_code == 200
    assert page.context["form"].initial["email_on"] == ["deal.decided", "deal.converted"]
    assert page.context["chat_form"] is None  # the chat webhook is the admins'
    answer = client.post("/portal/notifications/", {"email_on": ["deal.converted"]})
    assert answer.status_code == 302
    assert Preference.objects.get(user=client.user, event_type="deal.decided").email is False
    with transaction.atomic():
        emit("deal.decided", partner=partner, data={"company_name": "X", "status": "approved"})
    assert Notification.objects.count() == 0
    assert AuditRecord.objects.filter(action="notification_preferences.changed").count() == 1


def test_an_unknown_event_type_is_a_422_and_nothing_is_stored():
    client = _portal(make_partner(), "partner_member")
    answer = client.post("/portal/notifications/", {"email_on": ["commission.accrued"]})
    assert answer.status_code == 422
    assert Preference.objects.count() == 0


def test_the_admin_s_chat_webhook_with_a_private_address_is_refused_and_nothing_stored(settings):
    settings.PARCERIA = {**settings.PARCERIA, "WEBHOOKS_ALLOW_LOOPBACK": False}
    client = _portal(make_partner())
    answer = client.post("/portal/notifications/chat/", {"action": "save", "url": "https://192.168.1.10/hook",
                                                         "event_types": ["payout.paid"], "language": ""})
    assert answer.status_code == 422
    assert "private, loopback" in answer.content.decode()
    assert ChatWebhook.objects.count() == 0 and AuditRecord.objects.filter(action="chat_webhook.saved").count() == 0


def test_the_admin_saves_and_removes_the_chat_webhook_and_a_user_may_not(settings):
    settings.PARCERIA = {**settings.PARCERIA, "WEBHOOKS_ALLOW_LOOPBACK": True}
    partner = make_partner()
    admin = _portal(partner)
    answer = admin.post("/portal/notifications/chat/", {"action": "save", "url": "http://127.0.0.1:9/hook",
                                                        "event_types": ["payout.paid", "tier.changed"],
                                                        "language": "es"})
    assert answer.status_code == 302
    chat = ChatWebhook.objects.get()
    assert (chat.partner, chat.event_types, chat.language) == (partner, ["payout.paid", "tier.changed"], "es")
    saved = AuditRecord.objects.get(action="chat_webhook.saved")
    assert saved.after["url"] == "http://127.0.0.1/…"  # the path of an incoming webhook is its secret
    member = _portal(partner, "partner_member")
    assert member.post("/portal/notifications/chat/", {"action": "delete"}).status_code == 403
    assert ChatWebhook.objects.count() == 1
    assert admin.post("/portal/notifications/chat/", {"action": "delete"}).status_code == 302
    assert ChatWebhook.objects.count() == 0


def test_staff_set_their_own_choices_and_read_the_log_filtered():
    manager = staff_client("gerente", "partner_manager")
    partner = make_partner(name="Loja Alfa")
    partner.__class__.objects.filter(pk=partner.pk).update(manager=manager.user)
    _portal(partner)
    with transaction.atomic():
        emit("payout.paid", partner=partner, data={"net": "10.00", "currency": "BRL"})
        emit("deal.converted", partner=partner, data={"company_name": "X"})
    page = manager.get("/console/notifications/")
    assert page.status_code == 200
    assert len(page.context["table"].page.object_list) == 2  # the admin and the manager, of payout.paid
    only_staff = manager.get("/console/notifications/", {"event_type": "payout.paid", "status": "pending",
                                                         "channel": "email"})
    assert {n.user.username for n in only_staff.context["table"].page.object_list} == {"gerente",
                                                                                      f"partner_admin-{partner.pk}"}
    assert manager.get("/console/notifications/", {"status": "nonsense"}).status_code == 200
    exported = manager.get("/console/notifications/", {"event_type": "payout.paid", "export": "csv"})
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    assert len(exported.content.decode().strip().splitlines()) == 3  # the header and two rows
    assert manager.post("/console/notifications/settings/", {"email_on": ["payout.failed"]}).status_code == 302
    assert sorted(Preference.objects.filter(user=manager.user, email=True).values_list("event_type", flat=True)) == [
        "payout.failed"]


def test_every_audited_notification_action_has_its_label_in_each_language():
    import re
    from pathlib import Path

    from django.utils import translation

    from parceria.common.audit import ACTION_LABELS, action_label

    source = Path(__file__).resolve().parents[2].joinpath("src", "parceria", "notifications", "services.py")
    actions = set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', source.read_text()))
    assert actions == {"chat_webhook.saved", "chat_webhook.deleted", "chat_webhook.tested",
                       "notification_preferences.changed"}
    assert actions <= set(ACTION_LABELS)
    with translation.override("pt-br"):
        assert action_label("notification_preferences.changed") == "Configurações de notificação alteradas"
    with translation.override("es"):
        assert action_label("chat_webhook.saved") == "Webhook de chat guardado"
