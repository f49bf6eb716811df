"""The community pages: in the console (namespace community_console, under /console/community/) and in the portal
(namespace community_portal, under /portal/)."""

from django.urls import path

from parceria.community.views import console, portal

console_patterns = [
    path("community/announcements/", console.announcements, name="announcements"),
    path("community/announcements/new/", console.announcement_new, name="announcement_new"),
    path("community/announcements/<int:announcement_id>/", console.announcement, name="announcement"),
    path("community/announcements/<int:announcement_id>/edit/", console.announcement_edit, name="announcement_edit"),
    path("community/survey/", console.survey, name="survey"),
    path("community/follow-ups/", console.follow_up_list, name="follow_ups"),
    path("community/follow-ups/<int:follow_up_id>/", console.follow_up_edit, name="follow_up"),
    path("community/meetings/", console.meetings, name="meetings"),
    path("community/meetings/new/", console.meeting_new, name="meeting_new"),
    path("community/meetings/partner/<int:partner_id>/", console.partner_meetings, name="partner_meetings"),
    path("community/tickets/", console.tickets, name="tickets"),
    path("community/tickets/new/", console.ticket_new, name="ticket_new"),
    path("community/tickets/<int:ticket_id>/", console.ticket, name="ticket"),
    path("community/tickets/<int:ticket_id>/comment/", console.ticket_comment_view, name="ticket_comment"),
    path("community/tickets/<int:ticket_id>/status/", console.ticket_status_view, name="ticket_status"),
]

portal_patterns = [
    path("announcements/", portal.announcements, name="announcements"),
    path("announcements/<int:announcement_id>/", portal.announcement, name="announcement"),
    path("survey/", portal.survey, name="survey"),
    path("meetings/", portal.meetings, name="meetings"),
    path("tickets/", portal.tickets, name="tickets"),
    path("tickets/new/", portal.ticket_new, name="ticket_new"),
    path("tickets/<int:ticket_id>/", portal.ticket, name="ticket"),
    path("tickets/<int:ticket_id>/comment/", portal.ticket_comment_view, name="ticket_comment"),
]
