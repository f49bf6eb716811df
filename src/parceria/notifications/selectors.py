"""Reads: the delivery log as a principal may see it."""

from __future__ import annotations

from django.db.models import QuerySet

from parceria.accounts.tenancy import Principal, partner_owned
from parceria.notifications.models import Notification


def scope_notifications(principal: Principal) -> QuerySet[Notification]:
    """The notifications `principal` may see: a partner credential its own partner's, staff every one."""
    return partner_owned(principal, Notification.objects.all())


def delivery_log(principal: Principal, *, status: str = "", channel: str = "", event_type: str = "",
                 partner_id: int | None = None) -> QuerySet[Notification]:
    rows = scope_notifications(principal).select_related("user", "partner", "chat_webhook")
    if status:
        rows = rows.filter(status=status)
    if channel:
        rows = rows.filter(channel=channel)
    if event_type:
        rows = rows.filter(event_type=event_type)
    if partner_id:
        rows = rows.filter(partner_id=partner_id)
    return rows.order_by("-created_at", "-id")
