"""A partner changes where its payouts go (SPEC §7.3, issue 4 item 2).

A new PIX key is validated by type, stored with the moment of the change, audited, and announced by e-mail
to the partner's admins once the transaction commits. The close holds (carries) the partner's payable
balance until PAYOUT_DETAILS_HOLD_HOURS have passed since the change, so a stolen session cannot redirect
the next payout unnoticed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from parceria.common.audit import Actor, audit_record_create
from parceria.partners.models import Partner
from parceria.payouts.pix import parse_key_type, validate_pix_key


def payout_details_hold() -> timedelta:
    return timedelta(hours=int(settings.PARCERIA["PAYOUT_DETAILS_HOLD_HOURS"]))  # type: ignore[call-overload]


def payout_details_held_until(partner: Partner) -> datetime | None:
    """When payouts to the partner's current account stop being held (None: never changed)."""
    changed = partner.payout_details_changed_at
    return None if changed is None else changed + payout_details_hold()


def partner_payout_details_change(
    *, partner: Partner, key_type: str, key: str, actor: Actor, now: datetime | None = None
) -> Partner:
    """Set the partner's PIX key. Raises PixKeyError (InvalidInput, 422) for a key not valid for its type."""
    kind = parse_key_type(key_type).value
    normalised = validate_pix_key(kind, key)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        before = {"pix_key_type": locked.pix_key_type, "pix_key": locked.pix_key}
        locked.pix_key_type, locked.pix_key, locked.payout_details_changed_at = kind, normalised, now
        locked.save(update_fields=["pix_key_type", "pix_key", "payout_details_changed_at", "updated_at"])
        audit_record_create(
            actor=actor, action="partner.payout_details_changed", obj=locked, before=before,
            after={"pix_key_type": kind, "pix_key": normalised, "changed_at": now.isoformat()},
        )
        transaction.on_commit(lambda: _notify_admins(locked, actor, now), robust=True)
    partner.refresh_from_db()
    return partner


def _notify_admins(partner: Partner, actor: Actor, now: datetime) -> None:
    from parceria.accounts.models import Role, User

    recipients = list(
        User.objects.filter(partner=partner, role=Role.PARTNER_ADMIN, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return
    held_until = now + payout_details_hold()
    body = (
        f"The PIX key that receives the payouts of {partner.name} was changed by {actor.label} "
        f"at {timezone.localtime(now):%Y-%m-%d %H:%M}.\n\n"
        f"New key ({partner.pix_key_type}): {_masked(partner.pix_key)}\n"
        f"Payouts to the new key are held until {timezone.localtime(held_until):%Y-%m-%d %H:%M}.\n\n"
        "If you did not expect this change, contact your partner manager right away."
    )
    send_mail(f"Parceria: payout details of {partner.name} changed", body, None, recipients)


def _masked(key: str) -> str:
    return key if len(key) <= 4 else "•" * (len(key) - 4) + key[-4:]
