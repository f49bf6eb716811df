"""Which events may be notified, who is told of them by default, and where the link of each leads."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from parceria.accounts.models import Role
from parceria.webhooks.models import EventType

#: The event types a person or a chat webhook may be told of (commission.* are too frequent; ping is technical).
NOTIFIABLE: tuple[str, ...] = (
    EventType.DEAL_DECIDED, EventType.DEAL_CONVERTED, EventType.PAYOUT_APPROVED, EventType.PAYOUT_PAID,
    EventType.PAYOUT_FAILED, EventType.TIER_CHANGED, EventType.DISPUTE_UPDATED, EventType.AGREEMENT_RENEWAL_DUE,
    EventType.MDF_DECIDED,
)

_ADMIN_AND_STAFF = frozenset({
    EventType.DEAL_DECIDED, EventType.PAYOUT_PAID, EventType.PAYOUT_FAILED, EventType.TIER_CHANGED,
    EventType.DISPUTE_UPDATED, EventType.AGREEMENT_RENEWAL_DUE, EventType.MDF_DECIDED,
})

#: E-mail on by default, per role, for a user who has not chosen (a Preference row overrides it).
DEFAULTS: dict[str, frozenset[str]] = {
    Role.PARTNER_ADMIN: _ADMIN_AND_STAFF,
    Role.PARTNER_MEMBER: frozenset({EventType.DEAL_DECIDED, EventType.DEAL_CONVERTED}),
    Role.PARTNER_MANAGER: _ADMIN_AND_STAFF,
    Role.ADMIN: _ADMIN_AND_STAFF,
    Role.FINANCE: frozenset({EventType.PAYOUT_FAILED, EventType.DISPUTE_UPDATED}),
    Role.ANALYST: frozenset(),
}

#: The portal page each event's link leads to (a URL name; the console's for staff).
_PORTAL_PAGE: dict[str, str] = {
    EventType.DEAL_DECIDED: "deals_portal:list", EventType.DEAL_CONVERTED: "deals_portal:list",
    EventType.PAYOUT_APPROVED: "payouts_portal:list", EventType.PAYOUT_PAID: "payouts_portal:list",
    EventType.PAYOUT_FAILED: "payouts_portal:list", EventType.TIER_CHANGED: "tiers_portal:tier",
    EventType.DISPUTE_UPDATED: "disputes_portal:list", EventType.AGREEMENT_RENEWAL_DUE: "agreements_portal:list",
}
_CONSOLE_PAGE: dict[str, str] = {
    EventType.DEAL_DECIDED: "deals_console:list", EventType.DEAL_CONVERTED: "deals_console:list",
    EventType.PAYOUT_APPROVED: "payouts_console:list", EventType.PAYOUT_PAID: "payouts_console:list",
    EventType.PAYOUT_FAILED: "payouts_console:list", EventType.TIER_CHANGED: "tiers_console:list",
    EventType.DISPUTE_UPDATED: "disputes_console:list", EventType.AGREEMENT_RENEWAL_DUE: "agreements_console:list",
}


def email_default(role: str, event_type: str) -> bool:
    return event_type in DEFAULTS.get(role, frozenset())


def site_url() -> str:
    return str(settings.PARCERIA_NOTIFICATIONS["SITE_URL"]).rstrip("/")


def link(event_type: str, *, staff: bool) -> str:
    """The absolute address of the page about an event of `event_type` (the area's home where there is none)."""
    name = (_CONSOLE_PAGE if staff else _PORTAL_PAGE).get(event_type, "console:home" if staff else "portal:home")
    try:
        path = reverse(name)
    except NoReverseMatch:
        path = "/console/" if staff else "/portal/"
    return site_url() + path
