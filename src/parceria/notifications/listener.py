"""The outbox listener: for the events a transaction wrote, one Notification per (recipient, channel) that wants
it, set-based (a constant number of queries however many events), and after the commit one delivery task."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from parceria.accounts.models import PARTNER_ROLES, STAFF_ROLES, User
from parceria.notifications.models import Channel, ChatWebhook, Notification, Preference
from parceria.notifications.rules import NOTIFIABLE, email_default
from parceria.partners.models import Partner
from parceria.partners.notices import recipient_language


def on_events(events: Sequence[Any]) -> None:
    """Registered with webhooks.outbox.register_listener: runs in the transaction that wrote `events`."""
    wanted = [e for e in events if e.type in NOTIFIABLE and e.partner_id is not None]
    if not wanted:
        return
    partner_ids = sorted({e.partner_id for e in wanted})
    managers: dict[int, int] = dict(
        Partner.objects.filter(id__in=partner_ids, manager__isnull=False).values_list("id", "manager_id"))
    users = list(
        User.objects.filter(is_active=True).exclude(email="")
        .filter(_partner_users(partner_ids) | _staff(set(managers.values())))
        .values_list("id", "role", "partner_id", "language"))
    types = sorted({e.type for e in wanted})
    chosen = {(u, t): on for u, t, on in Preference.objects.filter(user_id__in=[u[0] for u in users],
                                                                   event_type__in=types)
              .values_list("user_id", "event_type", "email")}
    chats = {c.partner_id: c for c in ChatWebhook.objects.filter(partner_id__in=partner_ids, enabled=True)}
    by_partner: dict[int, list[tuple[int, str, str]]] = {}
    staff_of: dict[int, list[tuple[int, str, str]]] = {}
    for user_id, role, partner_id, language in users:
        entry = (user_id, role, recipient_language(language, settings.LANGUAGE_CODE))
        if role in PARTNER_ROLES:
            by_partner.setdefault(partner_id, []).append(entry)
        else:
            staff_of[user_id] = [entry]
    now = timezone.now()
    rows: list[Notification] = []
    for event in wanted:
        recipients = by_partner.get(event.partner_id, []) + staff_of.get(managers.get(event.partner_id, 0), [])
        for user_id, role, language in recipients:
            if chosen.get((user_id, event.type), email_default(role, event.type)):
                rows.append(Notification(event=event, event_type=event.type, partner_id=event.partner_id,
                                         channel=Channel.EMAIL, user_id=user_id, language=language,
                                         next_attempt_at=now))
        chat = chats.get(event.partner_id)
        if chat is not None and event.type in chat.event_types:
            rows.append(Notification(event=event, event_type=event.type, partner_id=event.partner_id,
                                     channel=Channel.CHAT, chat_webhook=chat, next_attempt_at=now))
    if rows:
        Notification.objects.bulk_create(rows)
        queue_after_commit()


def _partner_users(partner_ids: list[int]) -> Q:
    return Q(partner_id__in=partner_ids, role__in=sorted(PARTNER_ROLES))


def _staff(user_ids: set[int]) -> Q:
    return Q(id__in=sorted(user_ids), role__in=sorted(STAFF_ROLES))


def queue_after_commit() -> None:
    """One delivery task after the commit, however many notifications the transaction wrote."""
    connection = transaction.get_connection()
    if not any(func is _queue for _ids, func, _robust in connection.run_on_commit):
        transaction.on_commit(_queue)


def _queue() -> None:
    from parceria.notifications.tasks import queue_delivery

    queue_delivery()
