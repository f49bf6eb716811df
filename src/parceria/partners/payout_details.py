"""Where a partner's payouts go (SPEC §7.3, issue 4 item 2): the one place a partner's PIX key changes.

Every path that changes the key after the partner's registration goes through `payout_details_record_locked`:
the portal (a partner admin or user, with the password again), the partners API (`PATCH /partners/{id}`) and
the Django admin. A new key is stored with the moment of the change, audited, and announced by e-mail to the
partner's admins once the transaction commits, each in their own language (one message per language; an admin
with no stored language gets the language the change was made in). The close holds
(carries) the partner's payable balance until PAYOUT_DETAILS_HOLD_HOURS have passed since the change, so a
stolen session or key cannot redirect the next payout unnoticed. The key a partner is registered with
(`partner_create`) is its first one and starts no hold: there is no earlier account to divert from.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability, Principal
from parceria.common.audit import Actor, audit_record_create
from parceria.common.pix import masked_pix_key, parse_key_type, validate_pix_key
from parceria.partners.models import Partner
from parceria.partners.notices import mail_partner_admins


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
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        payout_details_record_locked(locked, key_type=kind, key=normalised, actor=actor, now=now)
    partner.refresh_from_db()
    return partner


def payout_details_record_locked(
    partner: Partner, *, key_type: str, key: str, actor: Actor, now: datetime | None = None
) -> None:
    """Store a validated, normalised PIX key (or none: both blank) on a partner row locked in the caller's
    transaction, start the hold, audit the change and notify the partner's admins after the commit."""
    now = now or timezone.now()
    before = {"pix_key_type": partner.pix_key_type, "pix_key": partner.pix_key}
    partner.pix_key_type, partner.pix_key, partner.payout_details_changed_at = key_type, key, now
    partner.save(update_fields=["pix_key_type", "pix_key", "payout_details_changed_at", "updated_at"])
    audit_record_create(
        actor=actor,
        action="partner.payout_details_changed",
        obj=partner,
        before=before,
        after={"pix_key_type": key_type, "pix_key": key, "changed_at": now.isoformat()},
    )
    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: _notify_admins(partner, actor, now, language), robust=True)


def _notify_admins(partner: Partner, actor: Actor, now: datetime, language: str) -> None:
    mail_partner_admins(partner, lambda: payout_details_changed_message(partner, actor, now), language=language)


def payout_details_changed_message(partner: Partner, actor: Actor, now: datetime) -> tuple[str, str]:
    """The subject and body of the notice to the partner's admins, in the active language."""
    held_until = now + payout_details_hold()
    facts = {
        "partner": partner.name,
        "who": actor.label,
        "when": f"{timezone.localtime(now):%Y-%m-%d %H:%M}",
        "until": f"{timezone.localtime(held_until):%Y-%m-%d %H:%M}",
        "type": partner.pix_key_type,
        "key": masked_pix_key(partner.pix_key),
    }
    new_key = _("New key (%(type)s): %(key)s") % facts if partner.pix_key else _("The partner has no PIX key now.")
    body = "\n".join(
        [
            _("The PIX key that receives the payouts of %(partner)s was changed by %(who)s at %(when)s.") % facts,
            "",
            new_key,
            _("Payouts to the new key are held until %(until)s.") % facts,
            "",
            _("If you did not expect this change, contact your partner manager right away."),
        ]
    )
    return _("Parceria: payout details of %(partner)s changed") % facts, body


def shown_pix_key(principal: Principal, key: str) -> str:
    """A PIX key as `principal` may see it: whole for those who may read payouts (finance, admins, analysts and the
    partner itself), otherwise (a platform key) all but its last 4 characters masked."""
    return key if principal.can(Ability.READ_PAYOUTS) else masked_pix_key(key)
