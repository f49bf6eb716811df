"""What people do with endpoints (register, enable, disable, delete, ping, re-send) and what delivery does to them
(disable on 410, flag after the last retry). Every change by a person is audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import Conflict, InvalidInput
from parceria.webhooks import outbox, secrets
from parceria.webhooks.models import Delivery, DeliveryState, Endpoint, EventType
from parceria.webhooks.urlrules import check_url

#: The event types an endpoint may ask for (a ping is always sent when asked for on the endpoint's page).
SUBSCRIBABLE = [t for t in EventType.values if t != EventType.PING]


def snapshot(endpoint: Endpoint) -> dict[str, Any]:
    return {"url": endpoint.url, "event_types": endpoint.event_types, "enabled": endpoint.enabled,
            "partner": endpoint.partner_id, "description": endpoint.description}


def endpoint_create(*, partner: Any, url: str, event_types: Iterable[str], description: str = "",
                    actor: Actor) -> tuple[Endpoint, str]:
    """Register an endpoint for `partner` (None: a staff endpoint). Answers the endpoint and its secret, which is
    shown this once."""
    url = url.strip()
    check_url(url)
    types = sorted(set(event_types))
    if not types or any(t not in SUBSCRIBABLE for t in types):
        raise InvalidInput(_("Choose at least one event type."), details={"field": "event_types"})
    secret = secrets.new_secret()
    with transaction.atomic():
        endpoint = Endpoint.objects.create(
            partner=partner, url=url, event_types=types, description=description.strip()[:200],
            secret_sealed=secrets.seal(secret), secret_hint=secret[-4:], created_by=actor.user,
        )
        audit_record_create(actor=actor, action="webhook_endpoint.created", obj=endpoint, after=snapshot(endpoint))
    return endpoint, secret


def endpoint_set_enabled(*, endpoint: Endpoint, enabled: bool, actor: Actor, reason: str = "") -> Endpoint:
    """Enable or disable. Enabling makes the parked deliveries due again and clears the failing flag."""
    with transaction.atomic():
        owner = {"partner_id": endpoint.partner_id} if endpoint.partner_id else {"partner__isnull": True}
        locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk, **owner)
        before = snapshot(locked)
        if enabled:
            check_url(locked.url)  # the rules of today, before sending anything again
            locked.enabled, locked.disabled_reason, locked.failing_since = True, "", None
            locked.deliveries.filter(state=DeliveryState.PENDING).update(next_attempt_at=timezone.now(),
                                                                         leased_until=None)
            outbox._queue_after_commit()
        else:
            locked.enabled, locked.disabled_reason = False, (reason or _("Disabled by its owner."))[:200]
        locked.save(update_fields=["enabled", "disabled_reason", "failing_since"])
        audit_record_create(actor=actor, action="webhook_endpoint.enabled" if enabled else "webhook_endpoint.disabled",
                            obj=locked, before=before, after=snapshot(locked), reason=reason)
    return locked


def endpoint_delete(*, endpoint: Endpoint, actor: Actor) -> None:
    with transaction.atomic():
        audit_record_create(actor=actor, action="webhook_endpoint.deleted", obj=endpoint, before=snapshot(endpoint))
        endpoint.delete()


def endpoint_ping(*, endpoint: Endpoint, actor: Actor) -> Delivery:
    """A `ping` event to this endpoint only."""
    if not endpoint.enabled:
        raise Conflict(_("Enable the endpoint before sending a ping."))
    with transaction.atomic():
        event = outbox.write_event(EventType.PING, partner=endpoint.partner, data={"endpoint": endpoint.pk})
        delivery = outbox.fan_out([event], endpoints=Endpoint.objects.filter(pk=endpoint.pk), every_type=True)[0]
        audit_record_create(actor=actor, action="webhook_endpoint.pinged", obj=endpoint)
    return delivery


def delivery_resend(*, delivery: Delivery, actor: Actor) -> Delivery:
    """Send a delivery again now, whatever its state (a delivered one too: the receiver deduplicates by event
    id); the attempts so far are kept."""
    if not delivery.endpoint.enabled:
        raise Conflict(_("Enable the endpoint before sending again."))
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.PENDING, next_attempt_at=timezone.now(),
                                                       leased_until=None, delivered_at=None)
        audit_record_create(actor=actor, action="webhook_delivery.resent", obj=delivery,
                            before={"state": delivery.state, "attempts": delivery.attempts})
        outbox._queue_after_commit()
    delivery.refresh_from_db()
    return delivery


def endpoint_disable_gone(endpoint: Endpoint) -> None:
    """The receiver answered 410 Gone: disable the endpoint and park its pending deliveries."""
    Endpoint.objects.filter(pk=endpoint.pk).update(enabled=False,
                                                   disabled_reason="The receiver answered 410 Gone.")
    Delivery.objects.filter(endpoint_id=endpoint.pk, state=DeliveryState.PENDING).update(next_attempt_at=None)
    audit_record_create(actor=Actor.system("webhooks"), action="webhook_endpoint.disabled", obj=endpoint,
                        reason="410 Gone")


def endpoint_flag_failing(endpoint: Endpoint, now: datetime) -> None:
    """A delivery failed its last retry: flag the endpoint to its owner (pages show it; a partner's admins get an
    e-mail the first time). The events are kept and can be sent again."""
    flagged = Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
    if flagged and endpoint.partner_id is not None:
        transaction.on_commit(lambda: _mail_failing(endpoint))


def _mail_failing(endpoint: Endpoint) -> None:
    from parceria.partners.notices import mail_partner_admins

    def compose() -> tuple[str, str]:
        return (_("A webhook endpoint is failing"),
                _("Deliveries to %(url)s failed on every retry for about two days. The events are kept: fix the "
                  "receiver, then send them again from Webhooks in the portal.") % {"url": endpoint.url})

    if endpoint.partner is not None:
        mail_partner_admins(endpoint.partner, compose, language=translation.get_language() or "pt-br")
