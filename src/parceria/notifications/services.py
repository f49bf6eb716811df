"""Writes: a user's own preferences, a partner's chat webhook (saved, removed, tested)."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from parceria.accounts.models import User
from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import InvalidInput
from parceria.notifications.delivery import SendFailed, chat_shared, send_chat
from parceria.notifications.models import ChatWebhook, Notification, Preference, Status
from parceria.notifications.rules import NOTIFIABLE, email_default
from parceria.partners.models import Partner
from parceria.webhooks.urlrules import check_url


def preferences_of(user: User) -> dict[str, bool]:
    """E-mail on/off per notifiable event type for `user`: their own choice, else their role's default."""
    chosen = dict(Preference.objects.filter(user=user).values_list("event_type", "email"))
    return {t: chosen.get(t, email_default(user.role, t)) for t in NOTIFIABLE}


def preferences_set(*, user: User, email_on: Iterable[str], actor: Actor) -> dict[str, bool]:
    """Store `user`'s choice: e-mail for the event types in `email_on`, none for the other notifiable types."""
    wanted = set(email_on)
    unknown = wanted - set(NOTIFIABLE)
    if unknown:
        raise InvalidInput(_("Unknown event type: %(type)s") % {"type": sorted(unknown)[0]}, code="invalid_event_type")
    with transaction.atomic():
        own = Q(partner_id=user.partner_id) if user.partner_id else Q(partner__isnull=True)
        User.objects.select_for_update().filter(own).get(pk=user.pk)
        before = preferences_of(user)
        Preference.objects.filter(user=user).delete()
        Preference.objects.bulk_create([Preference(user=user, event_type=t, email=t in wanted) for t in NOTIFIABLE])
        after = preferences_of(user)
        audit_record_create(actor=actor, action="notification_preferences.changed", obj=user,
                            before=before, after=after)
    return after


def _checked_types(event_types: Iterable[str]) -> list[str]:
    types = sorted(set(event_types))
    if not types:
        raise InvalidInput(_("Choose at least one event type."), code="invalid_event_type",
                           details={"field": "event_types"})
    if set(types) - set(NOTIFIABLE):
        raise InvalidInput(_("Unknown event type."), code="invalid_event_type", details={"field": "event_types"})
    return types


def _url_shown(url: str) -> str:
    """An incoming webhook's address as the audit log keeps it: scheme and host only (its path is its secret)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}/…"


def chat_webhook_save(*, partner: Partner, url: str, event_types: Iterable[str], language: str,
                      actor: Actor) -> ChatWebhook:
    """Set `partner`'s chat webhook (a new one, or the one it has changed). The URL must pass the webhooks' URL
    rules (https, a public address); otherwise InvalidInput and nothing is stored."""
    url = url.strip()
    check_url(url)
    types = _checked_types(event_types)
    with transaction.atomic():
        Partner.objects.select_for_update().get(pk=partner.pk)
        chat = ChatWebhook.objects.filter(partner=partner).first()
        before = None if chat is None else {"url": _url_shown(chat.url), "event_types": chat.event_types,
                                            "language": chat.language}
        chat = chat or ChatWebhook(partner=partner)
        chat.url, chat.event_types, chat.language, chat.enabled = url, types, language, True
        chat.save()
        audit_record_create(actor=actor, action="chat_webhook.saved", obj=chat, before=before,
                            after={"url": _url_shown(url), "event_types": types, "language": language})
    return chat


def chat_webhook_delete(*, chat: ChatWebhook, actor: Actor) -> None:
    with transaction.atomic():
        locked = ChatWebhook.objects.select_for_update().get(pk=chat.pk, partner_id=chat.partner_id)
        audit_record_create(actor=actor, action="chat_webhook.deleted", obj=locked,
                            before={"url": _url_shown(locked.url), "event_types": locked.event_types})
        locked.delete()


def chat_webhook_test(*, chat: ChatWebhook, actor: Actor) -> None:
    """Send a test message now (the URL checked again); InvalidInput saying why it failed."""
    try:
        send_chat(chat, event_type="test", partner_name=chat.partner.name, data={})
    except SendFailed as exc:
        raise InvalidInput(_("The test message was not delivered: %(error)s") % {"error": str(exc)},
                           code="chat_test_failed") from exc
    with transaction.atomic():
        audit_record_create(actor=actor, action="chat_webhook.tested", obj=chat)
        chat_shared(chat=chat, partner=chat.partner, event_type="test", obj=chat, actor=actor)


def pending_skip(*, reason: str) -> int:
    """Mark every notification still pending as skipped, with `reason` as its last error: for a history loaded in
    bulk (the demo), whose events nobody should be e-mailed about now. Answers how many were skipped."""
    return Notification.objects.filter(status=Status.PENDING).update(
        status=Status.SKIPPED, last_error=reason[:300], next_attempt_at=None)
