"""The community pages: who sees what (audience, tenancy), read receipts, the survey through the portal, the console
pages and their query counts."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parceria.community.models import Announcement, AnnouncementRead, Meeting, NpsAnswer, Ticket, TicketComment
from parceria.community.selectors import (
    announcement_for,
    announcements_for,
    announcements_with_read,
    unread_announcements,
)
from parceria.community.services import (
    announcement_create,
    announcement_mark_read,
    meeting_record,
    ticket_comment,
    ticket_open,
)
from tests.community.conftest import ACTOR, partner_user, portal_client
from tests.factories import make_partner, staff_client

pytestmark = pytest.mark.django_db


def announce(title: str, **kw):
    return announcement_create(actor=ACTOR, title=title, body=kw.pop("body", "Hello **partners**"),
                               publish_at=kw.pop("publish_at", timezone.now() - timedelta(hours=1)), **kw)


def test_an_announcement_reaches_only_its_audience_in_the_list_and_by_its_address():
    gold = make_partner(tier="strategic", country="BR")
    other = make_partner(tier="certified", country="MX")
    for_all = announce("For everyone")
    for_strategic = announce("Strategic only", tiers=["strategic"], countries=["br"])
    announce("Not yet", publish_at=timezone.now() + timedelta(days=1))
    announce("Gone", publish_at=timezone.now() - timedelta(days=3), expire_at=timezone.now() - timedelta(days=1))
    outsider = portal_client(partner_user(other, "out"))
    assert "Hello partners" in outsider.get("/portal/announcements/").content.decode()  # the excerpt has no marks
    page = outsider.get("/portal/announcements/").content.decode()
    assert "For everyone" in page and "Strategic only" not in page and "Not yet" not in page and "Gone" not in page
    assert outsider.get(f"/portal/announcements/{for_strategic.pk}/").status_code == 404
    assert AnnouncementRead.objects.count() == 0
    insider = portal_client(partner_user(gold, "in"))
    page = insider.get("/portal/announcements/").content.decode()
    assert "For everyone" in page and "Strategic only" in page
    assert insider.get(f"/portal/announcements/{for_all.pk}/").status_code == 200


def test_the_live_announcements_come_pinned_then_newest_with_each_readers_marks_in_one_query():
    partner = make_partner(tier="strategic", country="BR")
    now = timezone.now()
    old = announce("Old", publish_at=now - timedelta(days=3))
    new = announce("New", publish_at=now - timedelta(days=1))
    pinned = announce("Pinned", publish_at=now - timedelta(days=5), pinned=True)
    announce("Other tier", tiers=["certified"])
    announce("Expired", publish_at=now - timedelta(days=5), expire_at=now - timedelta(seconds=1))
    announce("Later", publish_at=now + timedelta(minutes=1))
    reader, other = partner_user(partner, "reader"), partner_user(partner, "other")
    announcement_mark_read(announcement=new, partner=partner, user=reader)
    with CaptureQueriesContext(connection) as queries:
        listed = announcements_with_read(partner, reader)
    assert len(queries) == 1
    assert [(a.title, a.is_read) for a in listed] == [("Pinned", False), ("New", True), ("Old", False)]
    assert [a.title for a in announcements_for(partner)] == ["Pinned", "New", "Old"]
    unread = unread_announcements(partner, reader)
    assert [a.pk for a in unread] == [pinned.pk, old.pk] and "body" in unread[0].get_deferred_fields()
    assert [a.pk for a in unread_announcements(partner, other, limit=2)] == [pinned.pk, new.pk]
    assert [a.title for a in announcements_with_read(partner, reader, now=now + timedelta(minutes=2))][:2] == [
        "Pinned", "Later"]
    assert announcement_for(partner, old.pk) == old and announcement_for(partner, old.pk).body == "Hello **partners**"
    assert announcement_for(partner, Announcement.objects.get(title="Other tier").pk) is None
    assert announcement_for(partner, Announcement.objects.get(title="Expired").pk) is None


def test_opening_an_announcement_records_one_read_receipt_and_the_console_counts_it():
    p, q = make_partner(), make_partner()
    item = announce("News", body="<script>alert(1)</script> **bold** [site](https://example.com)")
    user = partner_user(p, "reader")
    client = portal_client(user)
    home = client.get("/portal/").content.decode()
    assert "News" in home and 'id="survey-card"' in home
    page = client.get(f"/portal/announcements/{item.pk}/").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "<strong>bold</strong>" in page
    client.get(f"/portal/announcements/{item.pk}/")
    assert list(AnnouncementRead.objects.values_list("user_id", "partner_id")) == [(user.pk, p.pk)]
    assert 'id="unread-announcements"' not in client.get("/portal/").content.decode()
    staff = staff_client("pm", "partner_manager")
    detail = staff.get(f"/console/community/announcements/{item.pk}/")
    assert (detail.context["reach"].readers, [x.pk for x in detail.context["unread"]]) == (1, [q.pk])
    csv = staff.get(f"/console/community/announcements/{item.pk}/?export=csv").content.decode()
    assert q.name in csv and p.name not in csv


def test_the_survey_page_refuses_out_of_range_and_second_answers_and_stores_nothing_more():
    p = make_partner()
    client = portal_client(partner_user(p, "u"))
    assert client.post("/portal/survey/", {"score": "11"}).status_code == 422
    assert client.post("/portal/survey/", {"score": "-1"}).status_code == 422
    assert NpsAnswer.objects.count() == 0
    assert client.post("/portal/survey/", {"score": "9", "comment": "great"}).status_code == 302
    again = client.post("/portal/survey/", {"score": "3"})
    assert again.status_code == 422 and "already answered" in again.content.decode()
    assert list(NpsAnswer.objects.values_list("score", flat=True)) == [9]
    assert 'id="survey-card"' not in client.get("/portal/").content.decode()


def test_a_partner_never_sees_another_partners_ticket_or_meeting():
    a, b = make_partner(tier="preferred"), make_partner(tier="preferred")
    mine = ticket_open(actor=ACTOR, partner=a, type="technical", severity="low", subject="Mine", description="d")
    theirs = ticket_open(actor=ACTOR, partner=b, type="business", severity="high", subject="Theirs",
                         description="secret")
    ticket_comment(actor=ACTOR, ticket=mine, body="staff only note", by_staff=True, internal=True)
    meeting_record(actor=ACTOR, partner=a, held_on=date(2026, 1, 5), kind="qbr", notes="Ours",
                   private_notes="do not show")
    meeting_record(actor=ACTOR, partner=b, held_on=date(2026, 1, 6), kind="qbr", notes="Other partner's")
    admin = portal_client(partner_user(a, "admin-a", role="partner_admin"))
    page = admin.get("/portal/tickets/").content.decode()
    assert "Mine" in page and "Theirs" not in page
    assert admin.get(f"/portal/tickets/{theirs.pk}/").status_code == 404
    assert admin.post(f"/portal/tickets/{theirs.pk}/comment/", {"body": "hi"}).status_code == 404
    assert TicketComment.objects.filter(ticket=theirs).count() == 0
    assert "staff only note" not in admin.get(f"/portal/tickets/{mine.pk}/").content.decode()
    meetings = admin.get("/portal/meetings/").content.decode()
    assert "Ours" in meetings and "Other partner" not in meetings and "do not show" not in meetings
    member = portal_client(partner_user(a, "member-a"))
    assert member.get("/portal/meetings/").status_code == 404  # the log is for the partner's admins


def test_a_partner_opens_a_ticket_with_its_sla_and_bad_input_stores_nothing():
    p = make_partner()
    client = portal_client(partner_user(p, "t"))
    bad = client.post("/portal/tickets/new/", {"type": "technical", "severity": "urgent", "subject": "x",
                                               "description": "y"})
    assert bad.status_code == 422 and Ticket.objects.count() == 0
    ok = client.post("/portal/tickets/new/", {"type": "technical", "severity": "high", "subject": "Sync fails",
                                              "description": "Since Monday"})
    ticket = Ticket.objects.get()
    assert ok.status_code == 302 and ticket.partner_id == p.pk
    assert ticket.resolution_due_at - ticket.opened_at == timedelta(hours=72)


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


PORTAL = ["/portal/", "/portal/announcements/", "/portal/tickets/", "/portal/meetings/", "/portal/survey/"]
CONSOLE = ["/console/community/tickets/", "/console/community/announcements/", "/console/community/survey/",
           "/console/community/follow-ups/?status=all", "/console/community/meetings/?show=all"]


def _grow(partner, n0: int, n1: int) -> None:
    for n in range(n0, n1):
        announce(f"A{n}")
        ticket_open(actor=ACTOR, partner=partner, type="technical", severity="medium", subject=f"T{n}",
                    description="d")
        meeting_record(actor=ACTOR, partner=partner, held_on=date(2026, 1, 1) + timedelta(days=n), kind="mbr")
        other = make_partner(tier="certified")
        from parceria.community.services import nps_answer
        nps_answer(actor=ACTOR, partner=other, user=partner_user(other, f"s{n}"), score=n % 11)


def test_the_community_list_pages_run_a_constant_number_of_queries():
    partner = make_partner(tier="strategic")
    portal = portal_client(partner_user(partner, "qa", role="partner_admin"))
    staff = staff_client("pmq", "partner_manager")
    _grow(partner, 0, 3)
    few = {u: _count(portal, u) for u in PORTAL} | {u: _count(staff, u) for u in CONSOLE}
    _grow(partner, 3, 20)
    many = {u: _count(portal, u) for u in PORTAL} | {u: _count(staff, u) for u in CONSOLE}
    assert many == few
    assert Meeting.objects.count() == 20


def test_staff_write_an_announcement_in_the_console_and_bad_input_stores_nothing():
    staff = staff_client("pmw", "partner_manager")
    form = staff.get("/console/community/announcements/new/").content.decode()
    # publish_at prefilled in the only format a datetime-local input takes
    assert re.search(r'type="datetime-local" name="publish_at" value="\d{4}-\d\d-\d\dT\d\d:\d\d"', form), form
    bad = staff.post("/console/community/announcements/new/", {
        "title": "T", "body": "B", "publish_at": "2026-05-02T10:00", "expire_at": "2026-05-01T10:00",
        "tiers": ["gold"]})
    assert bad.status_code == 422 and Announcement.objects.count() == 0
    ok = staff.post("/console/community/announcements/new/", {
        "title": "T", "body": "B", "publish_at": "2026-05-02T10:00", "countries": "br, mx", "tiers": ["strategic"]})
    item = Announcement.objects.get()
    assert ok.status_code == 302 and (item.countries, item.tiers) == (["BR", "MX"], ["strategic"])
    analyst = staff_client("an", "analyst")
    assert analyst.post("/console/community/announcements/new/", {"title": "X", "body": "Y",
                                                                  "publish_at": "2026-05-02T10:00"}).status_code == 403
    assert Announcement.objects.count() == 1
