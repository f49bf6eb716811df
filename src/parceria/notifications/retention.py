"""The retention rule of outbound events (privacy.retention; the period and its reason: privacy.retention_data).

Past the period an event of the outbox is deleted with its webhook deliveries, their attempts (the receivers'
answers) and the notifications it caused (all cascade from it), once none of them is still pending. It lives here,
above webhooks, because it reads both apps' rows. The events of a partner under a legal hold are kept. The sharing
log (privacy.SharingRecord) keeps the fact that a person's data was sent, without the payload."""

from __future__ import annotations

from django.db.models import QuerySet

from parceria.notifications.models import Notification, Status
from parceria.privacy.retention import Rule, Scope, register_rule
from parceria.webhooks.models import Delivery, DeliveryState, OutboxEvent


def outbox_event_candidates(scope: Scope) -> QuerySet[OutboxEvent]:
    old = OutboxEvent.objects.filter(created_at__lt=scope.cutoff_at)
    if scope.partner_ids:
        old = old.exclude(partner_id__in=scope.partner_ids)
    pending_deliveries = Delivery.objects.filter(state=DeliveryState.PENDING).values("event_id")
    pending_notifications = Notification.objects.filter(status=Status.PENDING).values("event_id")
    return old.exclude(pk__in=pending_deliveries).exclude(pk__in=pending_notifications)


def outbox_events_delete(queryset: QuerySet[OutboxEvent]) -> int:
    count = queryset.count()
    OutboxEvent.objects.filter(pk__in=list(queryset.values_list("pk", flat=True))).delete()
    return count


register_rule(Rule("webhook_events", OutboxEvent, "created_at", outbox_event_candidates, outbox_events_delete))
