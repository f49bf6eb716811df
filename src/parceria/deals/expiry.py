"""The daily deal registrations job (`parceria deals_expire`, run from cron or a scheduler).

1. Registrations approved or in review whose `expires_on` has come (on or before the day judged) become `expired`:
   from that day they hold their company for no one (`services.active_q` already says so; the status makes it
   visible). Audited per registration (`deal_registration.expired`).
2. Approved registrations that expire within `warning_days()` (14 unless settings.PARCERIA says otherwise) and were
   not warned yet: the partner's admins get one e-mail each, in their language (`partners.notices`), after the
   commit; the registration records when (`expiry_warned_at`), so it is never warned twice. Audited
   (`deal_registration.expiry_warned`). The same registrations are shown as expiring soon in the portal
   (`selectors.expiring_soon_q`).

Safe to re-run and to run twice at once: each registration is locked and judged again in its own transaction, so a
second run on the same day changes nothing, and a failure leaves the others done."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parceria.common.audit import Actor, audit_record_create
from parceria.deals.models import ACTIVE_DEAL_STATUSES, DealRegistration, DealStatus
from parceria.deals.selectors import expiring_soon_q
from parceria.deals.services import snapshot
from parceria.partners.notices import mail_partner_admins


@dataclass
class ExpiryRun:
    """What one run did (or, in a dry run, would do): the ids expired and warned."""

    today: date
    dry_run: bool = False
    expired: list[int] = field(default_factory=list)
    warned: list[int] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def summary(self) -> str:
        note = " (dry run: nothing written)" if self.dry_run else ""
        return (f"{self.today.isoformat()}: {len(self.expired)} deal registration(s) expired, "
                f"{len(self.warned)} expiry warning(s) sent{note}")


def deals_expire(*, today: date, actor: Actor, dry_run: bool = False) -> ExpiryRun:
    """Expire the registrations whose date has come, then warn those expiring soon (module docstring)."""
    run = ExpiryRun(today, dry_run)
    due = DealRegistration.objects.filter(status__in=[s.value for s in ACTIVE_DEAL_STATUSES], expires_on__lte=today)
    for pk in due.order_by("expires_on", "id").values_list("id", flat=True):
        with transaction.atomic():
            locked = (DealRegistration.objects.select_for_update().filter(
                pk=pk, status__in=[s.value for s in ACTIVE_DEAL_STATUSES], expires_on__lte=today).first())
            if locked is None:  # converted, decided or extended meanwhile
                continue
            run.expired.append(pk)
            run.lines.append(f"expired  #{pk} {locked.company_name} — expired on {locked.expires_on.isoformat()}")
            if not dry_run:
                before = snapshot(locked)
                locked.status = DealStatus.EXPIRED
                locked.save(update_fields=["status"])
                audit_record_create(actor=actor, action="deal_registration.expired", obj=locked, before=before,
                                    after=snapshot(locked))
    soon = DealRegistration.objects.filter(expiring_soon_q(today), expiry_warned_at__isnull=True)
    for pk in soon.order_by("expires_on", "id").values_list("id", flat=True):
        with transaction.atomic():
            locked = (DealRegistration.objects.select_for_update().filter(
                expiring_soon_q(today), pk=pk, expiry_warned_at__isnull=True).first())
            if locked is None:
                continue
            run.warned.append(pk)
            run.lines.append(f"warned   #{pk} {locked.company_name} — expires on {locked.expires_on.isoformat()}")
            if not dry_run:
                _warn(locked, today, actor)
    return run


def _warn(registration: DealRegistration, today: date, actor: Actor) -> None:
    now = timezone.now()
    registration.expiry_warned_at = now
    registration.save(update_fields=["expiry_warned_at"])
    audit_record_create(actor=actor, action="deal_registration.expiry_warned", obj=registration,
                        after={"expires_on": registration.expires_on.isoformat(), "warned_at": now.isoformat()})
    language = translation.get_language() or settings.LANGUAGE_CODE
    partner = registration.partner
    transaction.on_commit(lambda: mail_partner_admins(
        partner, lambda: expiry_warning_message(registration, today, now), language=language), robust=True)


def expiry_warning_message(registration: DealRegistration, today: date, now: datetime) -> tuple[str, str]:
    """The subject and body of the warning to the partner's admins, in the active language."""
    days = (registration.expires_on - today).days
    facts = {"company": registration.company_name, "partner": registration.partner.name, "days": days,
             "day": formats.date_format(registration.expires_on, "SHORT_DATE_FORMAT"), "id": registration.pk}
    body = "\n".join([
        ngettext("The deal registration of %(company)s by %(partner)s expires on %(day)s, in %(days)s day.",
                 "The deal registration of %(company)s by %(partner)s expires on %(day)s, in %(days)s days.",
                 days) % facts,
        "",
        _("From that day the company is no longer reserved for you: another partner may register it, and a "
          "customer that arrives later is not attributed to you through this registration."),
        "",
        _("If the deal needs more time, you may ask once for an extension on the registration's page in the "
          "portal (Deals, registration #%(id)s); our team decides it.") % facts,
    ])
    return _("Parceria: the deal registration of %(company)s expires on %(day)s") % facts, body
