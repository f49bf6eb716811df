"""The community's writes (keyword-only, atomic, lock → check → write, audited)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import Conflict, InvalidInput
from parceria.community.models import (
    OPEN_TICKET_STATUSES,
    TICKET_TRANSITIONS,
    Announcement,
    AnnouncementRead,
    FollowUpStatus,
    Meeting,
    MeetingKind,
    NpsAnswer,
    NpsFollowUp,
    Severity,
    Ticket,
    TicketComment,
    TicketSla,
    TicketStatus,
    TicketType,
)
from parceria.community.rules import due_after, is_detractor, quarter_now
from parceria.partners.models import Category, Partner, Tier

#: Days the partner's manager has to follow a detractor's answer up; settings.PARCERIA["COMMUNITY"] overrides.
FOLLOW_UP_DAYS = 7


def _setting(key: str, default: Any) -> Any:
    return getattr(settings, "PARCERIA", {}).get("COMMUNITY", {}).get(key, default)


# --- announcements -------------------------------------------------------------------------------------------------

def _clean_filters(values: Sequence[str], allowed: set[str], field: str) -> list[str]:
    cleaned = sorted({v.strip() for v in values if v.strip()})
    bad = [v for v in cleaned if v not in allowed]
    if bad:
        raise InvalidInput(_("Unknown %(field)s: %(values)s") % {"field": field, "values": ", ".join(bad)},
                           code="invalid_audience", details={"field": field})
    return cleaned


def _announcement_fields(*, title: str, body: str, language: str, tiers: Sequence[str], categories: Sequence[str],
                         countries: Sequence[str], publish_at: datetime, expire_at: datetime | None,
                         pinned: bool) -> dict[str, Any]:
    if not title.strip() or not body.strip():
        raise InvalidInput(_("An announcement needs a title and a text."), code="invalid_announcement")
    if expire_at is not None and expire_at <= publish_at:
        raise InvalidInput(_("An announcement must expire after it is published."), code="invalid_announcement",
                           details={"field": "expire_at"})
    languages = {code for code, _name in settings.LANGUAGES}
    if language and language not in languages:
        raise InvalidInput(_("Unknown language: %(code)s") % {"code": language}, code="invalid_announcement",
                           details={"field": "language"})
    countries_clean = sorted({c.strip().upper() for c in countries if c.strip()})
    if any(len(c) != 2 or not c.isalpha() for c in countries_clean):
        raise InvalidInput(_("Countries are two-letter ISO codes."), code="invalid_audience",
                           details={"field": "countries"})
    return {
        "title": title.strip(), "body": body.strip(), "language": language,
        "tiers": _clean_filters(tiers, set(Tier.values), "tiers"),
        "categories": _clean_filters(categories, set(Category.values), "categories"),
        "countries": countries_clean, "publish_at": publish_at, "expire_at": expire_at, "pinned": pinned,
    }


@transaction.atomic
def announcement_create(*, actor: Actor, title: str, body: str, publish_at: datetime, language: str = "",
                        tiers: Sequence[str] = (), categories: Sequence[str] = (), countries: Sequence[str] = (),
                        expire_at: datetime | None = None, pinned: bool = False) -> Announcement:
    fields = _announcement_fields(title=title, body=body, language=language, tiers=tiers, categories=categories,
                                  countries=countries, publish_at=publish_at, expire_at=expire_at, pinned=pinned)
    announcement = Announcement.objects.create(created_by_label=actor.label[:200], **fields)
    audit_record_create(actor=actor, action="announcement.created", obj=announcement,
                        after={"title": announcement.title, "pinned": pinned})
    return announcement


@transaction.atomic
def announcement_update(*, actor: Actor, announcement: Announcement, title: str, body: str, publish_at: datetime,
                        language: str = "", tiers: Sequence[str] = (), categories: Sequence[str] = (),
                        countries: Sequence[str] = (), expire_at: datetime | None = None,
                        pinned: bool = False) -> Announcement:
    locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
    fields = _announcement_fields(title=title, body=body, language=language, tiers=tiers, categories=categories,
                                  countries=countries, publish_at=publish_at, expire_at=expire_at, pinned=pinned)
    before = {"title": locked.title}
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    audit_record_create(actor=actor, action="announcement.updated", obj=locked, before=before,
                        after={"title": locked.title})
    return locked


def announcement_mark_read(*, announcement: Announcement, partner: Partner, user: Any,
                           now: datetime | None = None) -> bool:
    """Record that `user` opened `announcement` (once: a second opening changes nothing). True if recorded now."""
    try:
        with transaction.atomic():
            _read, created = AnnouncementRead.objects.get_or_create(
                announcement=announcement, partner=partner, user=user, defaults={"read_at": now or timezone.now()})
    except IntegrityError:  # a concurrent opening recorded it first
        return False
    return created


# --- the NPS survey ---------------------------------------------------------------------------------------------

def _score(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput(_("The score is a whole number from 0 to 10."), code="invalid_score")
    text = str(value).strip()
    if not text.isdigit() or not 0 <= int(text) <= 10:
        raise InvalidInput(_("The score is a whole number from 0 to 10."), code="invalid_score")
    return int(text)


@transaction.atomic
def nps_answer(*, actor: Actor, partner: Partner, user: Any, score: Any, comment: str = "",
               now: datetime | None = None) -> NpsAnswer:
    """A partner user's answer to this quarter's survey. A detractor (0–6) opens a follow-up for the partner's
    manager. Audited: the kept scorecards are versioned by the newest audit record, and the answer changes them."""
    value = _score(score)
    moment = now or timezone.now()
    quarter = quarter_now(moment)
    Partner.objects.select_for_update().filter(pk=partner.pk).first()
    if NpsAnswer.objects.filter(partner=partner, user=user, quarter=quarter).exists():
        raise Conflict(_("You have already answered this quarter's survey. Thank you!"), code="already_answered")
    try:
        with transaction.atomic():
            answer = NpsAnswer.objects.create(partner=partner, user=user, quarter=quarter, score=value,
                                              comment=comment.strip()[:4000], answered_at=moment)
    except IntegrityError as exc:
        raise Conflict(_("You have already answered this quarter's survey. Thank you!"),
                       code="already_answered") from exc
    audit_record_create(actor=actor, action="nps.answered", obj=answer,
                        after={"partner": partner.pk, "quarter": quarter, "score": value})
    if is_detractor(value):
        days = int(_setting("NPS_FOLLOW_UP_DAYS", FOLLOW_UP_DAYS))
        follow_up = NpsFollowUp.objects.create(answer=answer, partner=partner, owner_id=partner.manager_id,
                                               due_on=timezone.localdate(moment) + timedelta(days=days))
        audit_record_create(actor=Actor.system(), action="nps.follow_up_opened", obj=follow_up,
                            after={"answer": answer.pk, "due_on": follow_up.due_on.isoformat()})
    return answer


@transaction.atomic
def follow_up_update(*, actor: Actor, follow_up: NpsFollowUp, status: str, notes: str) -> NpsFollowUp:
    locked = NpsFollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if status not in FollowUpStatus.values:
        raise InvalidInput(_("Unknown status."), code="invalid_status")
    before = {"status": locked.status}
    locked.status, locked.notes = status, notes.strip()
    locked.save(update_fields=["status", "notes"])
    audit_record_create(actor=actor, action="nps.follow_up_updated", obj=locked, before=before,
                        after={"status": status})
    return locked


# --- meetings ---------------------------------------------------------------------------------------------------

@transaction.atomic
def meeting_record(*, actor: Actor, partner: Partner, held_on: date, kind: str, attendees: str = "", notes: str = "",
                   next_steps: str = "", private_notes: str = "") -> Meeting:
    if kind not in MeetingKind.values:
        raise InvalidInput(_("Unknown meeting kind."), code="invalid_kind")
    if held_on > timezone.localdate() + timedelta(days=1):
        raise InvalidInput(_("A meeting is recorded once it is held."), code="invalid_date")
    meeting = Meeting.objects.create(partner=partner, held_on=held_on, kind=kind, attendees=attendees.strip(),
                                     notes=notes.strip(), next_steps=next_steps.strip(),
                                     private_notes=private_notes.strip(), recorded_by_label=actor.label[:200])
    audit_record_create(actor=actor, action="meeting.recorded", obj=meeting,
                        after={"partner": partner.pk, "kind": kind, "held_on": held_on.isoformat()})
    return meeting


# --- tickets ----------------------------------------------------------------------------------------------------

def sla_for(severity: str) -> TicketSla:
    sla = TicketSla.objects.filter(severity=severity).first()
    if sla is None:
        raise InvalidInput(_("No SLA is defined for this severity."), code="invalid_severity")
    return sla


@transaction.atomic
def ticket_open(*, actor: Actor, partner: Partner, type: str, severity: str, subject: str, description: str,
                by_staff: bool = False, owner: Any = None, now: datetime | None = None) -> Ticket:
    if type not in TicketType.values:
        raise InvalidInput(_("Unknown ticket type."), code="invalid_type")
    if severity not in Severity.values:
        raise InvalidInput(_("Unknown severity."), code="invalid_severity")
    if not subject.strip() or not description.strip():
        raise InvalidInput(_("A ticket needs a subject and a description."), code="invalid_ticket")
    sla = sla_for(severity)
    moment = now or timezone.now()
    ticket = Ticket.objects.create(
        partner=partner, type=type, severity=severity, subject=subject.strip()[:200],
        description=description.strip(), owner=owner or partner.manager, opened_by_label=actor.label[:200],
        opened_at=moment, first_response_due_at=due_after(moment, sla.first_response_hours),
        resolution_due_at=due_after(moment, sla.resolution_hours),
        first_responded_at=moment if by_staff else None,
    )
    audit_record_create(actor=actor, action="ticket.opened", obj=ticket,
                        after={"partner": partner.pk, "severity": severity, "type": type})
    return ticket


@transaction.atomic
def ticket_comment(*, actor: Actor, ticket: Ticket, body: str, by_staff: bool, internal: bool = False,
                   now: datetime | None = None) -> TicketComment:
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not body.strip():
        raise InvalidInput(_("Write a comment."), code="invalid_comment")
    if locked.status == TicketStatus.CLOSED:
        raise Conflict(_("This ticket is closed."), code="ticket_closed")
    moment = now or timezone.now()
    comment = TicketComment.objects.create(ticket=locked, author_label=actor.label[:200], by_staff=by_staff,
                                           internal=internal and by_staff, body=body.strip(), created_at=moment)
    if by_staff and not comment.internal and locked.first_responded_at is None:
        locked.first_responded_at = moment
        locked.save(update_fields=["first_responded_at"])
    elif not by_staff and locked.status == TicketStatus.WAITING:
        locked.status = TicketStatus.IN_PROGRESS
        locked.save(update_fields=["status"])
    return comment


@transaction.atomic
def ticket_transition(*, actor: Actor, ticket: Ticket, status: str, owner: Any = None,
                      now: datetime | None = None) -> Ticket:
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if status not in TicketStatus.values:
        raise InvalidInput(_("Unknown status."), code="invalid_status")
    if status != locked.status and status not in TICKET_TRANSITIONS[locked.status]:
        raise Conflict(_("A ticket cannot move from %(old)s to %(new)s.") % {
            "old": locked.get_status_display(), "new": TicketStatus(status).label}, code="invalid_transition")
    moment = now or timezone.now()
    before = {"status": locked.status, "owner": locked.owner_id}
    locked.status = status
    if owner is not None:
        locked.owner = owner
    if status != TicketStatus.OPEN and locked.first_responded_at is None:
        locked.first_responded_at = moment
    if status in (TicketStatus.RESOLVED, TicketStatus.CLOSED) and locked.resolved_at is None:
        locked.resolved_at = moment
    elif status in OPEN_TICKET_STATUSES:
        locked.resolved_at = None
    locked.save()
    audit_record_create(actor=actor, action="ticket.status_changed", obj=locked, before=before,
                        after={"status": status, "owner": locked.owner_id})
    return locked
