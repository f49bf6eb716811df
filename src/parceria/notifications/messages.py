"""What a notification says: a subject (the chat message's first line) and a sentence per event type, composed in
the language active when called (delivery wraps it in translation.override of the recipient's language)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from parceria.common.formatting import format_money


def _money(data: dict[str, Any], field: str) -> str:
    try:
        amount = Decimal(str(data.get(field)))
    except (InvalidOperation, ValueError):
        return str(data.get(field, ""))
    return format_money(amount, str(data.get("currency") or "BRL"), language=translation.get_language() or "en")


def subject(event_type: str, partner_name: str, data: dict[str, Any]) -> str:
    """The subject of event `event_type` about partner `partner_name`, in the active language."""
    names = {"partner": partner_name}
    if event_type == "deal.decided":
        names["company"] = str(data.get("company_name", ""))
        status = data.get("status")
        if status == "approved":
            return _("Deal registration approved: %(company)s") % names
        if status == "rejected":
            return _("Deal registration rejected: %(company)s") % names
        return _("Deal registration in review: %(company)s") % names
    if event_type == "deal.converted":
        return _("Deal converted: %(company)s is a customer") % {"company": data.get("company_name", "")}
    if event_type == "payout.approved":
        return _("Payout approved: %(amount)s") % {"amount": _money(data, "net")}
    if event_type == "payout.paid":
        return _("Payout paid: %(amount)s") % {"amount": _money(data, "net")}
    if event_type == "payout.failed":
        return _("Payout failed: %(amount)s") % {"amount": _money(data, "net")}
    if event_type == "tier.changed":
        return _("%(partner)s is now at tier %(tier)s") % {**names, "tier": data.get("tier") or "—"}
    if event_type == "dispute.updated":
        return _("Dispute #%(id)s updated") % {"id": data.get("dispute_id", "")}
    if event_type == "agreement.renewal_due":
        return _("Agreement renewal due on %(date)s") % {"date": data.get("renewal_date", "")}
    if event_type == "mdf.decided":
        return _("Marketing fund %(stage)s decided: %(status)s") % {
            "stage": _("claim") if data.get("stage") == "claim" else _("request"), "status": data.get("status", "")}
    if event_type == "test":
        return _("Test message from Parceria")
    return event_type


def email_body(*, event_type: str, title: str, partner_name: str, link: str, data: dict[str, Any]) -> str:
    return render_to_string("notifications/email/body.txt", {
        "title": title, "partner_name": partner_name, "link": link, "data": data, "event_type": event_type,
    }).strip() + "\n"


def chat_text(*, title: str, partner_name: str, link: str) -> str:
    """The chat message: Slack's mrkdwn link syntax <url|label>."""
    label = _("Open in Parceria")
    return f"*{title}*\n{partner_name} · <{link}|{label}>"
