"""Delivering notifications: claim the due ones, send each (an e-mail, or a chat message POSTed to the partner's
chat webhook through the webhooks' URL rules, checked again now), and record the outcome: sent, skipped (nobody
to send to any more), retried later with back-off (jobs.retry.RetryPolicy), or failed after the last attempt."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from parceria.accounts.models import STAFF_ROLES, Role, User
from parceria.common.audit import Actor
from parceria.jobs.retry import RetryPolicy
from parceria.notifications import messages
from parceria.notifications.models import Channel, ChatWebhook, Notification, Status
from parceria.notifications.rules import link
from parceria.partners.notices import recipient_language
from parceria.privacy.models import LegalBasis
from parceria.privacy.sharing import partner_is_person, sharing_record, url_host
from parceria.webhooks.delivery import post

USER_AGENT = "Parceria-Notifications/1"


def policy() -> RetryPolicy:
    own = settings.PARCERIA_NOTIFICATIONS
    return RetryPolicy(max_attempts=int(str(own["MAX_ATTEMPTS"])), backoff_seconds=float(str(own["BACKOFF_SECONDS"])),
                       backoff_cap_seconds=float(str(own["BACKOFF_CAP_SECONDS"])))


class Undeliverable(Exception):
    """Nothing to send to any more (the user left, the chat webhook was removed): the row is skipped."""


def claim_due(limit: int, *, now: datetime | None = None) -> list[int]:
    """Lease up to `limit` due notifications (oldest first): their due time moves a lease ahead, so a worker that
    dies mid-delivery leaves them due again after it."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(Notification.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
                   .order_by("next_attempt_at", "id").select_for_update(skip_locked=True)
                   .values_list("id", flat=True)[:limit])
        if ids:
            lease = timedelta(seconds=float(str(settings.PARCERIA_NOTIFICATIONS["LEASE_SECONDS"])))
            Notification.objects.filter(id__in=ids).update(next_attempt_at=now + lease)
    return ids


def deliver_due(limit: int = 100) -> int:
    """Claim and deliver up to `limit` due notifications; answers how many were attempted."""
    ids = claim_due(limit)
    for row in Notification.objects.filter(id__in=ids).select_related("event", "user", "chat_webhook", "partner"):
        attempt(row)
    return len(ids)


def attempt(row: Notification) -> Notification:
    """Send `row` once and record what happened."""
    now = timezone.now()
    try:
        if row.channel == Channel.EMAIL:
            row.subject = _send_email(row)
        else:
            row.subject = _send_chat(row)
    except Undeliverable as exc:
        row.status, row.last_error, row.next_attempt_at = Status.SKIPPED, str(exc)[:300], None
    except Exception as exc:
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:300] if not isinstance(exc, SendFailed) else str(exc)[:300]
        rules = policy()
        if rules.gives_up(row.attempts):
            row.status, row.next_attempt_at = Status.FAILED, None
        else:
            row.next_attempt_at = now + rules.delay(row.attempts)
            from parceria.notifications.tasks import queue_delivery

            queue_delivery(run_after=row.next_attempt_at)
    else:
        row.attempts += 1
        row.status, row.sent_at, row.next_attempt_at, row.last_error = Status.SENT, now, None, ""
    with transaction.atomic():
        row.save(update_fields=["status", "attempts", "last_error", "subject", "language", "next_attempt_at",
                                "sent_at"])
        if row.status == Status.SENT and row.channel == Channel.CHAT:
            _log_sharing(row)
    return row


def _log_sharing(row: Notification) -> None:
    chat_shared(chat=row.chat_webhook, partner=row.partner, event_type=row.event_type, obj=row,
                actor=Actor.system("notifications"))


def chat_shared(*, chat: ChatWebhook | None, partner: Any, event_type: str, obj: Any, actor: Actor) -> None:
    """The sharing log's record of a chat message sent (privacy/sharing.py): logged when the partner it names is a
    person (its name goes to the chat service; a payout's message also carries its net amount)."""
    if partner is None or chat is None or not partner_is_person(partner):
        return
    payout = event_type.startswith("payout.")
    sharing_record(recipient=url_host(chat.url), channel="chat_webhook", legal_basis=LegalBasis.CONTRACT,
                   categories=["partner_contact", *(["pf_payee_tax"] if payout else [])],
                   description=f"Chat message about {event_type}: the partner's name"
                               + (" and the payout's net amount" if payout else ""),
                   partner_id=partner.pk, obj=obj, actor=actor)


class SendFailed(Exception):
    """The receiver answered with an error, or could not be reached."""


def _send_email(row: Notification) -> str:
    user = row.user
    if user is None or not user.is_active or not user.email:
        raise Undeliverable("the user is inactive or has no e-mail address")
    payload = row.event.payload
    partner_name = (payload.get("partner") or {}).get("name", "")
    row.language = row.language or recipient_language(user.language, settings.LANGUAGE_CODE)
    with translation.override(row.language):
        title = messages.subject(row.event_type, partner_name, payload.get("data") or {})
        body = messages.email_body(event_type=row.event_type, title=title, partner_name=partner_name,
                                   link=link(row.event_type, staff=user.role in STAFF_ROLES),
                                   data=payload.get("data") or {})
    send_mail(title, body, None, [user.email])
    return title


def chat_language(chat: ChatWebhook) -> str:
    """The chat webhook's own language, else its partner admins' most common one, else the site's."""
    if chat.language:
        return chat.language
    counts = Counter(User.objects.filter(partner_id=chat.partner_id, role=Role.PARTNER_ADMIN, is_active=True)
                     .exclude(language="").values_list("language", flat=True))
    return counts.most_common(1)[0][0] if counts else settings.LANGUAGE_CODE


def send_chat(chat: ChatWebhook, *, event_type: str, partner_name: str, data: dict[str, object]) -> tuple[str, str]:
    """POST a Slack-compatible message about the event to `chat`; answers (language, title) or raises SendFailed."""
    language = chat_language(chat)
    with translation.override(language):
        title = messages.subject(event_type, partner_name, data)
        text = messages.chat_text(title=title, partner_name=partner_name, link=link(event_type, staff=False))
    body = json.dumps({"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]},
                      ensure_ascii=False).encode()
    answer = post(chat.url, body, {"Content-Type": "application/json", "User-Agent": USER_AGENT})
    if answer.status is None:
        raise SendFailed(answer.error)
    if not 200 <= answer.status < 300:
        raise SendFailed(f"HTTP {answer.status}: {answer.body[:200]}")
    return language, title


def _send_chat(row: Notification) -> str:
    chat = row.chat_webhook
    if chat is None or not chat.enabled:
        raise Undeliverable("the chat webhook was removed or turned off")
    payload = row.event.payload
    partner_name = (payload.get("partner") or {}).get("name", "")
    row.language, title = send_chat(chat, event_type=row.event_type, partner_name=partner_name,
                                    data=payload.get("data") or {})
    return title
