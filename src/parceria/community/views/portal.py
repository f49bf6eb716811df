"""The community in the portal: announcements (each opening records a read receipt), the quarterly survey, the
meeting log (partner admins; no staff-only notes) and escalation tickets. The partner always comes from the
signed-in user."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parceria.accounts.tenancy import Ability
from parceria.community.forms import CommentForm, NpsForm, TicketForm
from parceria.community.markdown import render_markdown
from parceria.community.models import OPEN_TICKET_STATUSES, Ticket
from parceria.community.rules import quarter_now
from parceria.community.selectors import (
    announcement_for,
    announcements_with_read,
    first_response_breached,
    has_answered,
    resolution_breached,
    scope_meetings,
    scope_tickets,
    ticket_comments,
)
from parceria.community.services import announcement_mark_read, nps_answer, ticket_comment, ticket_open
from parceria.web.access import actor, may, partner_of, partner_required, portal_user, principal_for
from parceria.web.forms import attempt


def _context(request: HttpRequest, tab: str, **extra: object) -> dict[str, object]:
    return {"nav": "community", "tab": tab, "sees_meetings": may(request, Ability.MANAGE_USERS), **extra}


@partner_required
def announcements(request: HttpRequest) -> HttpResponse:
    rows = announcements_with_read(partner_of(request), portal_user(request))
    return render(request, "community/portal/announcements.html", _context(request, "announcements", rows=rows))


@partner_required
def announcement(request: HttpRequest, announcement_id: int) -> HttpResponse:
    partner = partner_of(request)
    item = announcement_for(partner, announcement_id)
    if item is None:
        raise Http404("no such announcement for this partner")
    announcement_mark_read(announcement=item, partner=partner, user=portal_user(request))
    return render(request, "community/portal/announcement.html",
                  _context(request, "announcements", item=item, body=render_markdown(item.body)))


@partner_required
def survey(request: HttpRequest) -> HttpResponse:
    quarter = quarter_now()
    user = portal_user(request)
    form = NpsForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and attempt(form, lambda: nps_answer(
            actor=actor(request), partner=partner_of(request), user=user, score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"]), "score"):
        messages.success(request, _("Thank you for your answer."))
        return redirect("community_portal:survey")
    answered = has_answered(partner_of(request), user, quarter)
    return render(request, "community/portal/survey.html",
                  _context(request, "survey", form=form, answered=answered, quarter=quarter),
                  status=422 if form.errors else 200)


@partner_required
def meetings(request: HttpRequest) -> HttpResponse:
    if not may(request, Ability.MANAGE_USERS):
        raise Http404("the meeting log is for the partner's admins")
    rows = scope_meetings(principal_for(request)).defer("private_notes").order_by("-held_on", "-id")[:200]
    return render(request, "community/portal/meetings.html", _context(request, "meetings", rows=rows))


@partner_required
def tickets(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = [(t, resolution_breached(t, now=now)) for t in
            scope_tickets(principal_for(request)).order_by("-opened_at", "-id")[:200]]
    return render(request, "community/portal/tickets.html", _context(request, "tickets", rows=rows))


@partner_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    form = TicketForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ticket = attempt(form, lambda: ticket_open(actor=actor(request), partner=partner_of(request),
                                                   **form.cleaned_data))
        if ticket is not None:
            messages.success(request, _("Ticket opened. Our team answers within the times shown."))
            return redirect("community_portal:ticket", ticket_id=ticket.pk)
    return render(request, "community/portal/ticket_new.html", _context(request, "tickets", form=form),
                  status=422 if form.errors else 200)


def _own_ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    ticket: Ticket = get_object_or_404(scope_tickets(principal_for(request)), pk=ticket_id)
    return ticket


def _ticket_page(request: HttpRequest, ticket: Ticket, form: CommentForm | None = None,
                 status: int = 200) -> HttpResponse:
    now = timezone.now()
    context = _context(request, "tickets", ticket=ticket, form=form or CommentForm(),
                       comments=ticket_comments(ticket, include_internal=False),
                       response_breached=first_response_breached(ticket, now=now),
                       breached=resolution_breached(ticket, now=now), active=ticket.status in OPEN_TICKET_STATUSES)
    return render(request, "community/portal/ticket.html", context, status=status)


@partner_required
def ticket(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _ticket_page(request, _own_ticket(request, ticket_id))


@partner_required
@require_POST
def ticket_comment_view(request: HttpRequest, ticket_id: int) -> HttpResponse:
    item = _own_ticket(request, ticket_id)
    form = CommentForm(request.POST)
    if form.is_valid() and attempt(form, lambda: ticket_comment(actor=actor(request), ticket=item,
                                                                body=form.cleaned_data["body"], by_staff=False),
                                   "body"):
        messages.success(request, _("Your comment is added."))
        return redirect("community_portal:ticket", ticket_id=item.pk)
    return _ticket_page(request, item, form, status=422)
