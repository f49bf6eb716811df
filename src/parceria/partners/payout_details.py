"""Where a partner's payouts go (SPEC §7.3): the one place a partner's payout method (a PIX key, a bank account in
Brazil, Mexico, Argentina, Colombia or Chile, or an international transfer: common.payout_methods) changes.

Every path that changes it after the partner's registration goes through `payout_method_record_locked` (the PIX
paths through `payout_details_record_locked`, which calls it). Each version is kept in PayoutMethodChange. PIX keys:
the portal (a partner admin or user, with the password again), the partners API (`PATCH /partners/{id}`) and
the Django admin. A new key is stored with the moment of the change, audited, and announced by e-mail to the
partner's admins once the transaction commits, each in their own language (one message per language; an admin
with no stored language gets the language the change was made in). The close holds
(carries) the partner's payable balance until PAYOUT_DETAILS_HOLD_HOURS have passed since the change, so a
stolen session or key cannot redirect the next payout unnoticed. The key a partner is registered with
(`partner_create`) is its first one and starts no hold: there is no earlier account to divert from.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability, Principal
from parceria.common.audit import Actor, audit_record_create
from parceria.common.payout_methods import METHODS, account_summary, validate_payout_account
from parceria.common.pix import masked_pix_key, parse_key_type, validate_pix_key
from parceria.partners.models import Partner, PayoutMethodChange
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


def payout_method_change(
    *, partner: Partner, method: str, details: Mapping[str, Any], actor: Actor, reason: str = "",
    now: datetime | None = None,
) -> Partner:
    """Set how the partner is paid: any method of common.payout_methods, its details checked there (PayoutMethodError,
    a 422 naming the field, with nothing stored), then recorded as `payout_method_record_locked` does."""
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        account = validate_payout_account(
            method, details, partner_country=locked.country, partner_tax_id=locked.tax_id, currency=locked.currency,
            reason=reason,
        )
        payout_method_record_locked(locked, method=method, account=account, reason=reason, actor=actor, now=now)
    partner.refresh_from_db()
    return partner


def payout_details_record_locked(
    partner: Partner, *, key_type: str, key: str, actor: Actor, now: datetime | None = None
) -> None:
    """Store a validated, normalised PIX key (or none: both blank) as the partner's payout method."""
    if key_type and key:
        payout_method_record_locked(partner, method="pix", account={"key_type": key_type, "key": key}, actor=actor,
                                    now=now)
    else:
        payout_method_record_locked(partner, method="", account={}, actor=actor, now=now)


def payout_method_record_locked(
    partner: Partner, *, method: str, account: dict[str, str], actor: Actor, reason: str = "",
    now: datetime | None = None, holds: bool = True,
) -> None:
    """Store a checked method and its details (or none: method "") on a partner row locked in the caller's
    transaction, keep the version in PayoutMethodChange, start the hold (unless `holds` is false: a partner's first
    method at registration), audit the change and notify the partner's admins after the commit."""
    now = now or timezone.now()
    before = _audited(partner.payout_method, partner.payout_account)
    pix = method == "pix"
    partner.payout_method, partner.payout_account = method, account
    partner.pix_key_type, partner.pix_key = (account["key_type"], account["key"]) if pix else ("", "")
    fields = ["payout_method", "payout_account", "pix_key_type", "pix_key", "updated_at"]
    if holds:
        partner.payout_details_changed_at = now
        fields.append("payout_details_changed_at")
    partner.save(update_fields=fields)
    PayoutMethodChange.objects.create(
        partner=partner, method=method, account=account, reason=" ".join(reason.split()), holds=holds,
        changed_at=now, changed_by=actor.label[:200],
    )
    if not holds:  # a partner's first method, given at its registration: audited as part of partner.created
        return
    audit_record_create(
        actor=actor,
        action="partner.payout_details_changed",
        obj=partner,
        before=before,
        after={**_audited(method, account), "changed_at": now.isoformat(), **({"reason": reason} if reason else {})},
    )
    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: _notify_admins(partner, actor, now, language), robust=True)


def _audited(method: str, account: dict[str, str]) -> dict[str, str]:
    """A method as the audit log keeps it: a PIX key whole (the audit trail masks it on display), other accounts as
    their masked summary (the whole details are in PayoutMethodChange)."""
    if method == "pix" or not method:
        return {"pix_key_type": account.get("key_type", ""), "pix_key": account.get("key", "")}
    return {"method": method, "account": account_summary(method, account)}


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
    if partner.payout_method not in ("", "pix"):
        return _payout_method_changed_message(partner, facts)
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


def _payout_method_changed_message(partner: Partner, facts: dict[str, str]) -> tuple[str, str]:
    facts = {**facts, "method": str(METHODS[partner.payout_method].label),
             "account": account_summary(partner.payout_method, partner.payout_account)}
    body = "\n".join(
        [
            _("The account that receives the payouts of %(partner)s was changed by %(who)s at %(when)s.") % facts,
            "",
            _("New payout method: %(method)s, %(account)s") % facts,
            _("Payouts to the new account are held until %(until)s.") % facts,
            "",
            _("If you did not expect this change, contact your partner manager right away."),
        ]
    )
    return _("Parceria: payout details of %(partner)s changed") % facts, body


def shown_pix_key(principal: Principal, key: str) -> str:
    """A PIX key as `principal` may see it: whole for those who may read payouts (finance, admins, analysts and the
    partner itself), otherwise (a platform key) all but its last 4 characters masked."""
    return key if principal.can(Ability.READ_PAYOUTS) else masked_pix_key(key)
