"""The community in the console: announcements (audience, readers, who has not read them), survey results per
quarter and the detractors' follow-ups, the meetings due and overdue with the meeting log, and the escalation
ticket queue. Every change goes through the community services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability
from parceria.community.forms import (
    AnnouncementForm,
    FollowUpForm,
    MeetingForm,
    StaffCommentForm,
    StaffTicketForm,
    TicketFilterForm,
    TicketStatusForm,
)
from parceria.community.markdown import render_markdown
from parceria.community.models import OPEN_TICKET_STATUSES, Announcement, Meeting, NpsFollowUp, Ticket
from parceria.community.rules import quarter_now
from parceria.community.selectors import (
    announcement_reach,
    first_response_breached,
    follow_up_overdue,
    follow_ups,
    meetings_due,
    nps_quarters,
    nps_results,
    resolution_breached,
    ticket_comments,
)
from parceria.community.services import (
    announcement_create,
    announcement_update,
    follow_up_update,
    meeting_record,
    ticket_comment,
    ticket_open,
    ticket_transition,
)
from parceria.partners.models import Partner
from parceria.web.access import actor, console_view
from parceria.web.forms import attempt
from parceria.web.pages import page
from parceria.web.tables import build_table, export_response, wants_export

WRITE = Ability.MANAGE_PARTNERS


def _page(request: HttpRequest, template: str, tab: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return page(request, f"community/console/{template}", {"tab": tab, **context}, nav="community", status=status)


# --- announcements -------------------------------------------------------------------------------------------------

@console_view()
def announcements(request: HttpRequest) -> HttpResponse:
    rows = Announcement.objects.annotate(readers=Count("reads")).order_by("-pinned", "-publish_at", "-id")
    table = build_table(request, rows, sortable={"published": "publish_at"}, default_sort="-published")
    return _page(request, "announcements.html", "announcements", {"table": table, "now": timezone.now()})


@console_view(write=WRITE)
def announcement_new(request: HttpRequest) -> HttpResponse:
    form = AnnouncementForm(request.POST or None, initial={"publish_at": timezone.localtime().replace(second=0,
                                                                                                    microsecond=0)})
    if request.method == "POST" and form.is_valid():
        item = attempt(form, lambda: announcement_create(actor=actor(request), **form.service_kwargs()))
        if item is not None:
            messages.success(request, _("The announcement is saved."))
            return redirect("community_console:announcement", announcement_id=item.pk)
    return _page(request, "announcement_form.html", "announcements", {"form": form, "item": None},
                 status=422 if form.errors else 200)


@console_view(write=WRITE)
def announcement_edit(request: HttpRequest, announcement_id: int) -> HttpResponse:
    item = get_object_or_404(Announcement, pk=announcement_id)
    initial = {"title": item.title, "body": item.body, "language": item.language, "tiers": item.tiers,
               "categories": item.categories, "countries": ", ".join(item.countries),
               "publish_at": timezone.localtime(item.publish_at),
               "expire_at": timezone.localtime(item.expire_at) if item.expire_at else None, "pinned": item.pinned}
    form = AnnouncementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and attempt(form, lambda: announcement_update(
            actor=actor(request), announcement=item, **form.service_kwargs())):
        messages.success(request, _("The announcement is saved."))
        return redirect("community_console:announcement", announcement_id=item.pk)
    return _page(request, "announcement_form.html", "announcements", {"form": form, "item": item},
                 status=422 if form.errors else 200)


@console_view()
def announcement(request: HttpRequest, announcement_id: int) -> HttpResponse:
    item = get_object_or_404(Announcement, pk=announcement_id)
    reach = announcement_reach(item)
    unread = reach.unread_partners
    if wants_export(request):
        return export_response(request, f"announcement-{item.pk}-unread", [_("Partner"), _("Country"), _("Tier")],
                               ([p.name, p.country, p.get_tier_display() if p.tier else ""] for p in unread))
    return _page(request, "announcement.html", "announcements",
                 {"item": item, "body": render_markdown(item.body), "reach": reach, "unread": unread})


# --- the survey -------------------------------------------------------------------------------------------------

@console_view()
def survey(request: HttpRequest) -> HttpResponse:
    quarters = nps_quarters()
    current = quarter_now()
    if current not in quarters:
        quarters.insert(0, current)
    chosen = request.GET.get("quarter", "")
    quarter = chosen if chosen in quarters else quarters[0]
    results = nps_results(quarter)
    return _page(request, "survey.html", "survey", {"results": results, "quarters": quarters, "quarter": quarter})


@console_view()
def follow_up_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    rows = follow_ups(status=status if status in ("open", "done") else None)
    today = timezone.localdate()
    return _page(request, "follow_ups.html", "survey",
                 {"rows": [(f, follow_up_overdue(f, today=today)) for f in rows[:500]], "status": status})


@console_view(write=WRITE)
def follow_up_edit(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    item = get_object_or_404(NpsFollowUp.objects.select_related("partner", "answer", "owner"), pk=follow_up_id)
    form = FollowUpForm(request.POST or None, initial={"status": item.status, "notes": item.notes})
    if request.method == "POST" and form.is_valid() and attempt(form, lambda: follow_up_update(
            actor=actor(request), follow_up=item, **form.cleaned_data)):
        messages.success(request, _("The follow-up is saved."))
        return redirect("community_console:follow_ups")
    return _page(request, "follow_up.html", "survey", {"item": item, "form": form,
                                                        "overdue": follow_up_overdue(item)},
                 status=422 if form.errors else 200)


# --- meetings ---------------------------------------------------------------------------------------------------

@console_view()
def meetings(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("show") == "all"
    due = meetings_due()
    rows = due if show_all else [d for d in due if d.overdue]
    rows.sort(key=lambda d: (d.due_on, d.partner.name))
    recent = Meeting.objects.select_related("partner").order_by("-held_on", "-id")[:20]
    return _page(request, "meetings.html", "meetings", {"rows": rows, "show_all": show_all, "recent": recent})


@console_view(write=WRITE)
def meeting_new(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {"held_on": timezone.localdate()}
    if (partner_id := request.GET.get("partner", "")).isdigit():
        initial["partner"] = int(partner_id)
    if request.GET.get("kind"):
        initial["kind"] = request.GET["kind"]
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and attempt(form, lambda: meeting_record(
            actor=actor(request), **form.cleaned_data)):
        messages.success(request, _("The meeting is recorded."))
        return redirect("community_console:partner_meetings", partner_id=form.cleaned_data["partner"].pk)
    return _page(request, "meeting_form.html", "meetings", {"form": form}, status=422 if form.errors else 200)


@console_view()
def partner_meetings(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=partner_id)
    due = meetings_due(Partner.objects.filter(pk=partner.pk))
    rows = Meeting.objects.filter(partner=partner).order_by("-held_on", "-id")
    return _page(request, "partner_meetings.html", "meetings", {"partner": partner, "due": due, "rows": rows})


# --- tickets ----------------------------------------------------------------------------------------------------

def _tickets(form: TicketFilterForm) -> QuerySet[Ticket]:
    qs = Ticket.objects.select_related("partner", "owner")
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status", "")
    if not status:
        qs = qs.filter(status__in=list(OPEN_TICKET_STATUSES))
    elif status != "all":
        qs = qs.filter(status=status)
    if data.get("severity"):
        qs = qs.filter(severity=data["severity"])
    if data.get("type"):
        qs = qs.filter(type=data["type"])
    if data.get("breached"):
        qs = qs.filter(status__in=list(OPEN_TICKET_STATUSES), resolution_due_at__lt=timezone.now())
    return qs


@console_view()
def tickets(request: HttpRequest) -> HttpResponse:
    form = TicketFilterForm(request.GET)
    sorts = {"due": "resolution_due_at", "response": "first_response_due_at", "opened": "opened_at",
             "partner": "partner__name", "severity": "severity"}
    table = build_table(request, _tickets(form), sortable=sorts, default_sort="due")
    now = timezone.now()
    if wants_export(request):
        return export_response(request, "tickets", [
            _("Ticket"), _("Partner"), _("Type"), _("Severity"), _("Subject"), _("Status"), _("Opened at"),
            _("First response due"), _("Resolution due"), _("Breached")], (
            (t.pk, t.partner.name, t.get_type_display(), t.get_severity_display(), t.subject, t.get_status_display(),
             t.opened_at, t.first_response_due_at, t.resolution_due_at, resolution_breached(t, now=now))
            for t in table.page.paginator.object_list))
    rows = [(t, first_response_breached(t, now=now), resolution_breached(t, now=now)) for t in table.page.object_list]
    return _page(request, "tickets.html", "tickets", {"form": form, "table": table, "rows": rows})


@console_view(write=WRITE)
def ticket_new(request: HttpRequest) -> HttpResponse:
    form = StaffTicketForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        item = attempt(form, lambda: ticket_open(actor=actor(request), by_staff=True, **form.cleaned_data))
        if item is not None:
            messages.success(request, _("The ticket is opened."))
            return redirect("community_console:ticket", ticket_id=item.pk)
    return _page(request, "ticket_new.html", "tickets", {"form": form}, status=422 if form.errors else 200)


def _ticket(ticket_id: int) -> Ticket:
    return get_object_or_404(Ticket.objects.select_related("partner", "owner"), pk=ticket_id)


def _ticket_page(request: HttpRequest, item: Ticket, *, status: int = 200, **forms: Any) -> HttpResponse:
    now = timezone.now()
    context = {"ticket": item, "comments": ticket_comments(item, include_internal=True),
               "response_breached": first_response_breached(item, now=now),
               "breached": resolution_breached(item, now=now),
               "comment_form": StaffCommentForm(), "status_form": TicketStatusForm(initial={"status": item.status}),
               **forms}
    return _page(request, "ticket.html", "tickets", context, status=status)


@console_view()
def ticket(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _ticket_page(request, _ticket(ticket_id))


@console_view(read=None, write=WRITE)
def ticket_comment_view(request: HttpRequest, ticket_id: int) -> HttpResponse:
    item = _ticket(ticket_id)
    form = StaffCommentForm(request.POST)
    if form.is_valid() and attempt(form, lambda: ticket_comment(
            actor=actor(request), ticket=item, body=form.cleaned_data["body"], by_staff=True,
            internal=form.cleaned_data["internal"]), "body"):
        messages.success(request, _("Your comment is added."))
        return redirect("community_console:ticket", ticket_id=item.pk)
    return _ticket_page(request, item, comment_form=form, status=422)


@console_view(read=None, write=WRITE)
def ticket_status_view(request: HttpRequest, ticket_id: int) -> HttpResponse:
    item = _ticket(ticket_id)
    form = TicketStatusForm(request.POST)
    if form.is_valid() and attempt(form, lambda: ticket_transition(
            actor=actor(request), ticket=item, status=form.cleaned_data["status"],
            owner=request.user if item.owner_id is None else None), "status"):
        messages.success(request, _("The ticket is updated."))
        return redirect("community_console:ticket", ticket_id=item.pk)
    return _ticket_page(request, item, status_form=form, status=422)
