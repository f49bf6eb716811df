"""Writes of lead routing (SPEC §4.3): a lead is created (by staff or the platform, idempotent by external id),
offered to one partner with a deadline, and accepted, declined or expired.

* `lead_offer`: an open lead (or one whose offer's deadline has passed) goes to an active partner the lead does not
  conflict with (routing.rank_partners); the offer keeps the partner's place in the ranking. The partner's admins are
  told by e-mail once the offer is committed.
* `lead_accept`: the partner's offer, still before its deadline, registers the deal in the partner's name through
  `deals.services.deal_register` (every conflict rule applies). An approved or in-review registration keeps the lead
  with the partner; a rejected one (the company was taken since) sends the lead back to staff.
* `lead_decline` (with a reason) and `leads_expire` (the deadline passed) send the lead back to staff.

Each is one transaction: the lead is locked, then its offer; a refused transition writes nothing. Every change
writes an audit record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import Conflict, InvalidInput
from parceria.common.formatting import format_money
from parceria.common.inputs import clean_text
from parceria.deals.models import DealStatus
from parceria.deals.services import DealFields, clean_fields, deal_register
from parceria.leads.models import Lead, LeadOffer, LeadStatus, OfferStatus
from parceria.partners.models import Partner, PartnerStatus
from parceria.partners.notices import mail_partner_admins

DEFAULT_OFFER_HOURS = 72
REASON_MAX_LENGTH = 300
EXTERNAL_ID_MAX_LENGTH = 100
LEAD_FIELDS = ("company_name", "country", "tax_id", "domain", "contact_name", "contact_email", "estimated_value",
               "currency", "vertical", "region", "notes")


def offer_hours() -> int:
    return int(getattr(settings, "PARCERIA", {}).get("LEAD_OFFER_HOURS", DEFAULT_OFFER_HOURS))


def lead_fields(lead: Lead) -> DealFields:
    """The lead as the fields of a deal registration (what accepting it registers)."""
    return DealFields(**{name: getattr(lead, name) for name in LEAD_FIELDS})


def snapshot(lead: Lead) -> dict[str, Any]:
    return {"external_id": lead.external_id, "company_name": lead.company_name, "country": lead.country,
            "tax_id": lead.tax_id, "domain": lead.domain, "estimated_value": str(lead.estimated_value),
            "currency": lead.currency, "vertical": lead.vertical, "region": lead.region, "status": lead.status}


def offer_snapshot(offer: LeadOffer) -> dict[str, Any]:
    return {"lead_id": offer.lead_id, "partner_id": offer.partner_id, "status": offer.status,
            "deadline": offer.deadline.isoformat(), "decline_reason": offer.decline_reason,
            "registration_id": offer.registration_id}


def lead_create(*, fields: DealFields, actor: Actor, external_id: str = "") -> tuple[Lead, bool]:
    """Create a lead (cleaned as a deal registration: deals.services.clean_fields). With an `external_id` it is
    idempotent: the same id again answers the existing lead (created=False) when its data are the same, and a
    Conflict when they differ. Bad input raises InvalidInput and stores nothing."""
    clean = clean_fields(fields)
    key = clean_text(external_id, field="external_id", max_length=EXTERNAL_ID_MAX_LENGTH, required=False) or None
    if key is not None:
        existing = Lead.objects.filter(external_id=key).first()
        if existing is not None:
            return _replay(existing, clean), False
    try:
        with transaction.atomic():
            lead = Lead.objects.create(external_id=key, created_by_label=actor.label[:200], **clean)
            audit_record_create(actor=actor, action="lead.created", obj=lead, after=snapshot(lead))
    except IntegrityError:
        return _replay(Lead.objects.get(external_id=key), clean), False
    return lead, True


def _replay(existing: Lead, clean: dict[str, Any]) -> Lead:
    if any(getattr(existing, name) != value for name, value in clean.items()):
        raise Conflict(_("A lead with this external id already exists with different data."),
                       code="duplicate_lead", details={"field": "external_id", "lead_id": existing.pk})
    return existing


def _refuse(message: str, code: str = "invalid_transition") -> Conflict:
    return Conflict(message, code=code, details={"field": "status"})


def _expire(offer: LeadOffer, lead: Lead, actor: Actor, now: datetime) -> None:
    """Mark a pending offer past its deadline expired and its lead back with staff (both locked by the caller)."""
    before = offer_snapshot(offer)
    offer.status = OfferStatus.EXPIRED
    offer.responded_at = now
    offer.responded_by_label = "deadline"
    offer.save(update_fields=["status", "responded_at", "responded_by_label"])
    lead.status = LeadStatus.OPEN
    lead.save(update_fields=["status", "updated_at"])
    audit_record_create(actor=actor, action="lead_offer.expired", obj=offer, before=before,
                        after=offer_snapshot(offer))


def _pending(lead: Lead) -> LeadOffer | None:
    return LeadOffer.objects.select_for_update().filter(lead=lead, status=OfferStatus.PENDING).first()


def lead_offer(*, lead: Lead, partner: Partner, actor: Actor, base_url: str = "",
               now: datetime | None = None) -> LeadOffer:
    """Offer `lead` to `partner` until now + LEAD_OFFER_HOURS. The lead must be with staff (an offer whose deadline
    has passed is expired first); the partner must be active and a candidate (not excluded by a conflict). The e-mail
    links to the portal under `base_url` (the site's address)."""
    from parceria.leads.routing import rank_partners

    moment = now or timezone.now()
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        pending = _pending(locked)
        if pending is not None and pending.deadline <= moment:
            _expire(pending, locked, actor, moment)
        elif locked.status != LeadStatus.OPEN:
            raise _refuse(_("Only a lead with staff can be offered; this one is %(status)s.") % {
                "status": str(locked.get_status_display()).lower()})
        chosen = Partner.objects.select_for_update().get(pk=partner.pk)
        if chosen.status != PartnerStatus.ACTIVE:
            raise InvalidInput(_("Only an active partner can be offered a lead."), code="partner_inactive",
                               details={"field": "partner_id"})
        ranking = rank_partners(locked, now=moment)
        found = ranking.candidate(chosen.pk)
        if found is None:
            excluded = next((e.reason for e in ranking.excluded if e.partner.pk == chosen.pk), "")
            raise Conflict(_("This partner cannot take the lead: %(reason)s") % {"reason": excluded},
                           code="partner_excluded", details={"field": "partner_id"})
        position, candidate = found
        offer = LeadOffer.objects.create(lead=locked, partner=chosen, deadline=moment + timedelta(hours=offer_hours()),
                                         ranking=candidate.snapshot(position), offered_by_label=actor.label[:200])
        locked.status = LeadStatus.OFFERED
        locked.save(update_fields=["status", "updated_at"])
        audit_record_create(actor=actor, action="lead_offer.created", obj=offer, after=offer_snapshot(offer))
        language = translation.get_language() or settings.LANGUAGE_CODE
        transaction.on_commit(lambda: mail_partner_admins(chosen, lambda: offer_message(offer, base_url),
                                                          language=language), robust=True)
    return offer


def offer_message(offer: LeadOffer, base_url: str = "") -> tuple[str, str]:
    """The e-mail to the partner's admins about an offered lead, in the active language."""
    lead = offer.lead
    facts = {"company": lead.company_name, "partner": offer.partner.name,
             "value": format_money(lead.estimated_value, lead.currency,
                                   language=translation.get_language() or settings.LANGUAGE_CODE),
             "deadline": f"{timezone.localtime(offer.deadline):%Y-%m-%d %H:%M}",
             "link": base_url.rstrip("/") + reverse("leads_portal:detail", args=[lead.pk])}
    body = "\n".join([
        _("A lead was offered to %(partner)s: %(company)s (estimated value %(value)s).") % facts,
        "",
        _("Accept or decline it in the partner portal before %(deadline)s; after that it goes back to our team.")
        % facts,
        facts["link"],
    ])
    return _("Parceria: a lead for %(partner)s — %(company)s") % facts, body


@dataclass(frozen=True)
class Acceptance:
    offer: LeadOffer
    lead: Lead


def _answerable(offer_id: int, partner_id: int, moment: datetime) -> tuple[Lead, LeadOffer]:
    offer = LeadOffer.objects.get(pk=offer_id, partner_id=partner_id)
    lead = Lead.objects.select_for_update().get(pk=offer.lead_id)
    offer = LeadOffer.objects.select_for_update().select_related("partner").get(pk=offer_id, partner_id=partner_id)
    if offer.status != OfferStatus.PENDING:
        raise _refuse(_("This offer was already answered or has expired; it is %(status)s.") % {
            "status": str(offer.get_status_display()).lower()})
    if offer.deadline <= moment:
        raise _refuse(_("The deadline to answer this offer has passed."), "offer_expired")
    return lead, offer


def lead_accept(*, offer: LeadOffer, actor: Actor, now: datetime | None = None) -> Acceptance:
    """The partner accepts its pending offer before the deadline: the deal is registered in its name (the conflict
    rules decide); the lead stays with it unless the registration is rejected, which sends it back to staff."""
    moment = now or timezone.now()
    with transaction.atomic():
        lead, locked = _answerable(offer.pk, offer.partner_id, moment)
        before = offer_snapshot(locked)
        registration = deal_register(partner=locked.partner, fields=lead_fields(lead), actor=actor)
        locked.status = OfferStatus.ACCEPTED
        locked.responded_at = moment
        locked.responded_by_label = actor.label[:200]
        locked.registration = registration
        locked.save(update_fields=["status", "responded_at", "responded_by_label", "registration"])
        lead.status = LeadStatus.OPEN if registration.status == DealStatus.REJECTED else LeadStatus.ACCEPTED
        lead.save(update_fields=["status", "updated_at"])
        audit_record_create(actor=actor, action="lead_offer.accepted", obj=locked, before=before,
                            after={**offer_snapshot(locked), "registration_status": registration.status})
    return Acceptance(locked, lead)


def lead_decline(*, offer: LeadOffer, reason: str, actor: Actor, now: datetime | None = None) -> LeadOffer:
    """The partner declines its pending offer before the deadline, saying why; the lead goes back to staff."""
    text = clean_text(reason, field="reason", max_length=REASON_MAX_LENGTH)
    moment = now or timezone.now()
    with transaction.atomic():
        lead, locked = _answerable(offer.pk, offer.partner_id, moment)
        before = offer_snapshot(locked)
        locked.status = OfferStatus.DECLINED
        locked.responded_at = moment
        locked.responded_by_label = actor.label[:200]
        locked.decline_reason = text
        locked.save(update_fields=["status", "responded_at", "responded_by_label", "decline_reason"])
        lead.status = LeadStatus.OPEN
        lead.save(update_fields=["status", "updated_at"])
        audit_record_create(actor=actor, action="lead_offer.declined", obj=locked, before=before,
                            after=offer_snapshot(locked), reason=text)
    return locked


def leads_expire(*, actor: Actor, now: datetime | None = None) -> int:
    """Expire every pending offer whose deadline has passed and send its lead back to staff. Safe to re-run: an
    expired offer is not pending any more. Answers how many offers it expired."""
    moment = now or timezone.now()
    expired = 0
    due = LeadOffer.objects.filter(status=OfferStatus.PENDING, deadline__lte=moment).order_by("deadline", "id")
    for offer_id, lead_id in list(due.values_list("id", "lead_id")):
        with transaction.atomic():
            lead = Lead.objects.select_for_update().get(pk=lead_id)
            offer = LeadOffer.objects.select_for_update().get(pk=offer_id)
            if offer.status == OfferStatus.PENDING and offer.deadline <= moment:
                _expire(offer, lead, actor, moment)
                expired += 1
    return expired
