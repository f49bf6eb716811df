"""Delivering the outbox: claim the due deliveries, POST each signed event to its endpoint, record the attempt, and
decide what follows (delivered, retried later, failed and the endpoint flagged, or the endpoint disabled on 410).

A claim is a lease: `claim_due` takes due rows with SELECT … FOR UPDATE SKIP LOCKED (several workers share the
work on PostgreSQL) and sets `leased_until`; a delivery whose claimant dies before finishing (a worker killed) is due
again when the lease runs out. Receivers therefore see an event at least once and deduplicate by its
`Parceria-Event-Id`."""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from parceria.common.audit import Actor
from parceria.common.errors import InvalidInput
from parceria.privacy.models import LegalBasis
from parceria.privacy.sharing import partner_is_person, sharing_record, url_host
from parceria.webhooks import secrets
from parceria.webhooks.models import Attempt, Delivery, DeliveryState, Endpoint
from parceria.webhooks.urlrules import check_url

#: Seconds before each retry after a failed attempt: 11 retries over about two days, then the delivery fails.
RETRY_SECONDS: tuple[int, ...] = (5, 30, 60, 300, 1200, 3600, 4 * 3600, 6 * 3600, 12 * 3600, 12 * 3600, 24 * 3600)
ANSWER_KEPT = 1024
USER_AGENT = "Parceria-Webhooks/1"


def timeout() -> float:
    return float(str(settings.PARCERIA.get("WEBHOOKS_TIMEOUT", 10)))


def lease() -> timedelta:
    return timedelta(seconds=float(str(settings.PARCERIA.get("WEBHOOKS_LEASE_SECONDS", 60))))


def claim_due(limit: int, *, now: datetime | None = None) -> list[int]:
    """Lease up to `limit` due deliveries (oldest first) and answer their ids."""
    now = now or timezone.now()
    with transaction.atomic():
        due = (
            Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lte=now))
            .order_by("next_attempt_at", "id")
            .select_for_update(skip_locked=True)
        )
        ids = list(due.values_list("id", flat=True)[:limit])
        if ids:
            Delivery.objects.filter(id__in=ids).update(leased_until=now + lease())
    return ids


def deliver_due(limit: int = 100, *, now: datetime | None = None) -> int:
    """Claim and deliver up to `limit` due deliveries; answers how many were attempted."""
    ids = claim_due(limit, now=now)
    for delivery in Delivery.objects.filter(id__in=ids).select_related("event", "endpoint__partner").order_by("id"):
        attempt(delivery)
    return len(ids)


def next_due_at() -> datetime | None:
    """When the earliest pending delivery is due (None: nothing is waiting)."""
    row = (Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__isnull=False)
           .order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first())
    return row


@dataclass
class Answer:
    status: int | None
    body: str
    error: str
    latency_ms: int


class _PinnedHTTP(http.client.HTTPConnection):
    """A connection to the address the URL check resolved, not to whatever the name resolves to a moment later."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to `url` after the URL rules, connected to the checked address; never raises."""
    started = time.monotonic()

    def answer(status: int | None, text: str = "", error: str = "") -> Answer:
        return Answer(status, text, error[:300], int((time.monotonic() - started) * 1000))

    try:
        address = check_url(url)[0]
    except InvalidInput as exc:
        return answer(None, error=f"refused: {exc.message}")
    parts = urlsplit(url)
    host = parts.hostname or ""
    connection_class = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    port = parts.port or (443 if parts.scheme == "https" else 80)
    conn = connection_class(host, port, address, timeout())
    try:
        path = parts.path or "/"
        conn.request("POST", path + (f"?{parts.query}" if parts.query else ""), body=body, headers=headers)
        response = conn.getresponse()
        text = response.read(ANSWER_KEPT).decode("utf-8", "replace")
        return answer(response.status, text)
    except TimeoutError:
        return answer(None, error=f"timed out after {timeout():g} s")
    except (OSError, http.client.HTTPException) as exc:
        return answer(None, error=f"{type(exc).__name__}: {exc}")
    finally:
        conn.close()


def attempt(delivery: Delivery) -> Attempt | None:
    """One POST of `delivery` and its consequences. A delivery whose endpoint was disabled meanwhile is parked
    (kept pending without a due time; enabling the endpoint makes it due again)."""
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None, leased_until=None)
        return None
    body = secrets.canonical_body(delivery.event.payload)
    try:
        secret = secrets.unseal(endpoint.secret_sealed)
    except ValueError:  # SECRET_KEY changed since the endpoint was registered: nothing can be signed
        return record(delivery, Answer(None, "", "the signing secret cannot be opened (SECRET_KEY changed): "
                                                 "register the endpoint again", 0))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Parceria-Event-Id": str(delivery.event.event_id),
        "Parceria-Event-Type": delivery.event.type,
        "Parceria-Signature": secrets.sign(secret, body),
    }
    return record(delivery, post(endpoint.url, body, headers))


def record(delivery: Delivery, got: Answer) -> Attempt:
    now = timezone.now()
    with transaction.atomic():
        row = Attempt.objects.create(delivery=delivery, status=got.status, latency_ms=got.latency_ms,
                                     response=got.body, error=got.error)
        delivery.attempts += 1
        delivery.leased_until = None
        if row.ok:
            delivery.state, delivery.delivered_at, delivery.next_attempt_at = DeliveryState.DELIVERED, now, None
            Endpoint.objects.filter(pk=delivery.endpoint_id, failing_since__isnull=False).update(failing_since=None)
            _log_sharing(delivery)
        elif got.status == 410:
            delivery.state, delivery.next_attempt_at = DeliveryState.CANCELLED, None
            _disable_gone(delivery.endpoint)
        elif delivery.attempts <= len(RETRY_SECONDS):
            delivery.next_attempt_at = now + timedelta(seconds=RETRY_SECONDS[delivery.attempts - 1])
            transaction.on_commit(lambda: _queue_at(delivery.next_attempt_at))
        else:
            delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
            _flag_failing(delivery.endpoint, now)
        delivery.save(update_fields=["attempts", "leased_until", "state", "delivered_at", "next_attempt_at"])
    return row


def _log_sharing(delivery: Delivery) -> None:
    """The sharing log's record of a delivered event (privacy/sharing.py): a partner's endpoint, and the partner it
    names is a person (its name; a payout event also carries its income). One INSERT, nothing for a company."""
    partner = delivery.endpoint.partner if delivery.endpoint.partner_id else None
    if partner is None or not partner_is_person(partner):
        return
    event = delivery.event
    payout = event.type.startswith("payout.")
    categories = ["partner_contact", *(["pf_payee_tax"] if payout else [])]
    sharing_record(recipient=url_host(delivery.endpoint.url), channel="webhook", legal_basis=LegalBasis.CONTRACT,
                   categories=categories,
                   description=f"Event {event.type} {event.event_id}: the partner's name"
                               + (" and the payout's amounts" if payout else ""),
                   partner_id=partner.pk, obj=delivery, actor=Actor.system("webhooks"))


def _queue_at(when: datetime | None) -> None:
    from parceria.webhooks.tasks import queue_delivery

    queue_delivery(run_after=when)


def _disable_gone(endpoint: Endpoint) -> None:
    from parceria.webhooks.services import endpoint_disable_gone

    endpoint_disable_gone(endpoint)


def _flag_failing(endpoint: Endpoint, now: datetime) -> None:
    from parceria.webhooks.services import endpoint_flag_failing

    endpoint_flag_failing(endpoint, now)


def deliveries_of(endpoint: Endpoint) -> Any:
    return endpoint.deliveries.select_related("event").order_by("-created_at", "-id")
