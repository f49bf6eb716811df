"""The community's reads. Every partner-facing read goes through a scoping function built on
accounts.tenancy.partner_owned."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Max, QuerySet
from django.utils import timezone

from parceria.accounts.models import PARTNER_ROLES
from parceria.accounts.tenancy import Principal, partner_owned
from parceria.common import fixedsql
from parceria.community.models import (
    OPEN_TICKET_STATUSES,
    Announcement,
    AnnouncementRead,
    FollowUpStatus,
    Meeting,
    MeetingCadence,
    NpsAnswer,
    NpsFollowUp,
    Ticket,
    TicketComment,
)
from parceria.community.rules import NpsSummary, next_meeting_due, nps_summary, quarter_of, to_satisfaction
from parceria.partners.models import Partner, PartnerStatus


def scope_tickets(principal: Principal) -> QuerySet[Ticket]:
    return partner_owned(principal, Ticket.objects.all())


def scope_meetings(principal: Principal) -> QuerySet[Meeting]:
    return partner_owned(principal, Meeting.objects.all())


def scope_nps_answers(principal: Principal) -> QuerySet[NpsAnswer]:
    return partner_owned(principal, NpsAnswer.objects.all())


# --- announcements -------------------------------------------------------------------------------------------------

def announcement_reaches(announcement: Announcement, partner: Partner) -> bool:
    return (partner.status == PartnerStatus.ACTIVE
            and (not announcement.tiers or (partner.tier or "") in announcement.tiers)
            and (not announcement.categories or partner.category in announcement.categories)
            and (not announcement.countries or partner.country in announcement.countries))


def _live(partner: Partner, now: datetime | None, *, reader: Any = None, unread_only: bool = False,
          body: bool = True, pk: int | None = None) -> list[Announcement]:
    """The announcements live at `now` (now by default) that reach `partner`, pinned first then newest: the one
    statement of what is live, in fixed SQL (the dashboard asks on every request). With `reader` (a user of
    `partner`) each has `is_read`, whether that user opened it for `partner`, and `unread_only` leaves out what
    it opened; `body=False` leaves the bodies unread (the dashboard lists titles); `pk` picks one."""
    at = connection.ops.adapt_datetimefield_value(now or timezone.now())
    names, fields = fixedsql.columns(Announcement, "a")
    if not body:
        kept = [i for i, f in enumerate(fields) if f.name != "body"]
        names, fields = [names[i] for i in kept], [fields[i] for i in kept]
    read = (f"EXISTS (SELECT 1 FROM {fixedsql.table(AnnouncementRead)} r WHERE r.announcement_id = a.id "
            "AND r.partner_id = %s AND r.user_id = %s)")
    select, select_params = list(names), []
    where = ["a.publish_at <= %s", "(a.expire_at IS NULL OR a.expire_at > %s)"]
    params: list[Any] = [at, at]
    if reader is not None:
        select.append(read)
        select_params = [partner.pk, reader.pk]
        if unread_only:
            where.append(f"NOT {read}")
            params += [partner.pk, reader.pk]
    if pk is not None:
        where.append("a.id = %s")
        params.append(pk)
    sql = (f"SELECT {', '.join(select)} FROM {fixedsql.table(Announcement)} a WHERE {' AND '.join(where)} "
           "ORDER BY a.pinned DESC, a.publish_at DESC, a.id DESC")
    found = []
    for row in fixedsql.fetch(sql, [*select_params, *params], [*fields, *([None] if reader is not None else [])]):
        announcement = fixedsql.instance(Announcement, fields, row[:len(fields)])
        if reader is not None:
            announcement.is_read = bool(row[-1])
        if announcement_reaches(announcement, partner):
            found.append(announcement)
    return found


def announcements_for(partner: Partner, *, now: datetime | None = None) -> list[Announcement]:
    """The live announcements `partner` is in the audience of, pinned first then newest; one query."""
    return _live(partner, now)


def announcements_with_read(partner: Partner, user: Any, *, now: datetime | None = None) -> list[Announcement]:
    """`announcements_for` with `is_read` (by `user`) on each; one query."""
    return _live(partner, now, reader=user)


def unread_announcements(partner: Partner, user: Any, *, limit: int = 3, now: datetime | None = None,
                         ) -> list[Announcement]:
    """The first `limit` of `announcements_for` that `user` has not opened, without their bodies; one query."""
    return _live(partner, now, reader=user, unread_only=True, body=False)[:limit]


def announcement_for(partner: Partner, announcement_id: int, *, now: datetime | None = None) -> Announcement | None:
    """The announcement if it is live and `partner` is in its audience; else None (the page answers 404)."""
    return next(iter(_live(partner, now, pk=announcement_id)), None)


@dataclass(frozen=True)
class Reach:
    audience: list[Partner]
    readers: int  # users who opened it
    partners_read: set[int]

    @property
    def unread_partners(self) -> list[Partner]:
        return [p for p in self.audience if p.pk not in self.partners_read]


def announcement_reach(announcement: Announcement) -> Reach:
    partners = Partner.objects.filter(status=PartnerStatus.ACTIVE).order_by("name", "id")
    audience = [p for p in partners if announcement_reaches(announcement, p)]
    reads = AnnouncementRead.objects.filter(announcement=announcement)
    return Reach(audience=audience, readers=reads.count(),
                 partners_read=set(reads.values_list("partner_id", flat=True)))


# --- the NPS survey ---------------------------------------------------------------------------------------------

def has_answered(partner: Partner, user: Any, quarter: str) -> bool:
    """Whether `user` answered the survey of `quarter` for `partner` (fixed SQL: every dashboard asks it)."""
    sql = (f"SELECT 1 FROM {fixedsql.table(NpsAnswer)} WHERE partner_id = %s AND user_id = %s AND quarter = %s "
           "LIMIT 1")
    return bool(fixedsql.fetch(sql, [partner.pk, user.pk, quarter], [None]))


@dataclass(frozen=True)
class QuarterResults:
    quarter: str
    summary: NpsSummary
    partner_users: int
    answers: list[NpsAnswer]

    @property
    def response_rate(self) -> Decimal | None:
        if not self.partner_users:
            return None
        return (Decimal(100) * self.summary.answers / self.partner_users).quantize(Decimal("0.1"))


def nps_results(quarter: str) -> QuarterResults:
    answers = list(NpsAnswer.objects.filter(quarter=quarter).select_related("partner").order_by("-answered_at"))
    users = get_user_model().objects.filter(role__in=PARTNER_ROLES, is_active=True,
                                            partner__status=PartnerStatus.ACTIVE).count()
    return QuarterResults(quarter, nps_summary(a.score for a in answers), users, answers)


def nps_quarters() -> list[str]:
    return sorted(set(NpsAnswer.objects.values_list("quarter", flat=True)), reverse=True)


def survey_satisfaction(first: date, last: date) -> dict[date, dict[int, Decimal]]:
    """The partners' survey answers on the scorecard's 1–5 scale, per month: a partner's mean 0–10 score of a quarter
    (the mean of its users' answers), converted by rules.to_satisfaction, is assigned to every month of the quarter
    in which one of its users answered. Months `first`..`last` (first days)."""
    lo = date(first.year, 3 * ((first.month - 1) // 3) + 1, 1)
    rows = NpsAnswer.objects.filter(quarter__gte=quarter_of(lo),
                                    quarter__lte=quarter_of(last)).values_list("partner_id", "quarter", "score",
                                                                                "answered_at")
    scores: dict[tuple[int, str], list[int]] = defaultdict(list)
    months: dict[tuple[int, str], set[date]] = defaultdict(set)
    for partner, quarter, score, answered_at in rows:
        scores[(partner, quarter)].append(score)
        months[(partner, quarter)].add(timezone.localdate(answered_at).replace(day=1))
    out: dict[date, dict[int, Decimal]] = defaultdict(dict)
    for key, values in scores.items():
        value = to_satisfaction(Decimal(sum(values)) / Decimal(len(values)))
        for month in months[key]:
            if first <= month <= last:
                out[month][key[0]] = value
    return dict(out)


def follow_ups(*, status: str | None = None) -> QuerySet[NpsFollowUp]:
    rows = NpsFollowUp.objects.select_related("partner", "owner", "answer").order_by("status", "due_on", "id")
    return rows.filter(status=status) if status else rows


def follow_up_overdue(follow_up: NpsFollowUp, *, today: date | None = None) -> bool:
    return follow_up.status == FollowUpStatus.OPEN and follow_up.due_on < (today or timezone.localdate())


# --- meetings ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MeetingDue:
    partner: Partner
    kind: str
    kind_label: str
    interval_days: int
    last_held: date | None
    due_on: date
    overdue: bool


def meetings_due(partners: QuerySet[Partner] | None = None, *, today: date | None = None) -> list[MeetingDue]:
    """Per active partner with a tier and per kind of meeting its tier's cadence has: the next due date and whether
    it is overdue. Three queries whatever the number of partners."""
    day = today or timezone.localdate()
    cadences: dict[str, list[MeetingCadence]] = defaultdict(list)
    for cadence in MeetingCadence.objects.all():
        cadences[cadence.tier].append(cadence)
    rows = (partners if partners is not None else Partner.objects.all()).filter(
        status=PartnerStatus.ACTIVE, tier__isnull=False).order_by("name", "id")
    partner_list = list(rows)
    last = {(p, k): d for p, k, d in Meeting.objects.filter(partner__in=[p.pk for p in partner_list])
            .values("partner_id", "kind").annotate(last=Max("held_on")).values_list("partner_id", "kind", "last")}
    out = []
    for partner in partner_list:
        for cadence in cadences.get(partner.tier or "", []):
            held = last.get((partner.pk, cadence.kind))
            due = next_meeting_due(held, cadence.interval_days, since=timezone.localdate(partner.created_at))
            out.append(MeetingDue(partner, cadence.kind, cadence.get_kind_display(), cadence.interval_days, held,
                                  due, due < day))
    return out


# --- tickets ----------------------------------------------------------------------------------------------------

def first_response_breached(ticket: Ticket, *, now: datetime | None = None) -> bool:
    moment = ticket.first_responded_at or now or timezone.now()
    return moment > ticket.first_response_due_at


def resolution_breached(ticket: Ticket, *, now: datetime | None = None) -> bool:
    if ticket.resolved_at is None and ticket.status not in OPEN_TICKET_STATUSES:
        return False
    moment = ticket.resolved_at or now or timezone.now()
    return moment > ticket.resolution_due_at


def ticket_comments(ticket: Ticket, *, include_internal: bool) -> QuerySet[TicketComment]:
    rows = ticket.comments.all()
    return rows if include_internal else rows.filter(internal=False)
