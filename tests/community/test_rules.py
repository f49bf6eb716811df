"""The community's services and reads: NPS, the scorecard's satisfaction, meetings and tickets (no pages)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from parceria.analytics.kpis import KPIS, load_facts
from parceria.analytics.models import ProgramFigure
from parceria.analytics.periods import parse_period
from parceria.analytics.satisfaction import partner_satisfaction
from parceria.common.errors import Conflict, InvalidInput
from parceria.common.models import AuditRecord
from parceria.community.models import Meeting, NpsAnswer, NpsFollowUp, Ticket
from parceria.community.rules import nps_summary, to_satisfaction
from parceria.community.selectors import first_response_breached, meetings_due, nps_results, resolution_breached
from parceria.community.services import meeting_record, nps_answer, ticket_comment, ticket_open, ticket_transition
from parceria.partners.models import Partner
from tests.community.conftest import ACTOR, partner_user
from tests.factories import at, make_partner, staff_client

pytestmark = pytest.mark.django_db


def test_nps_aggregation_is_exact():
    s = nps_summary([10, 9, 7, 3])
    assert (s.nps, s.mean, s.promoters, s.passives, s.detractors) == (Decimal("25.00"), Decimal("7.25"), 2, 1, 1)
    assert to_satisfaction(s.mean) == Decimal("3.90")
    assert (to_satisfaction(Decimal(0)), to_satisfaction(Decimal(10))) == (Decimal("1.00"), Decimal("5.00"))
    assert nps_summary([]).nps is None


@given(st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=30))
def test_nps_stays_in_its_range(scores):
    s = nps_summary(scores)
    assert Decimal(-100) <= s.nps <= Decimal(100)
    assert Decimal(1) <= to_satisfaction(s.mean) <= Decimal(5)


@pytest.mark.parametrize("score", [-1, 11, "7.5", "seven", None, True, 3.0])
def test_a_score_out_of_range_is_refused_and_nothing_is_stored(score):
    p = make_partner()
    user = partner_user(p, "a")
    with pytest.raises(InvalidInput):
        nps_answer(actor=ACTOR, partner=p, user=user, score=score)
    assert (NpsAnswer.objects.count(), NpsFollowUp.objects.count()) == (0, 0)


def test_a_second_answer_in_the_quarter_is_refused_and_the_next_quarter_is_open():
    p = make_partner()
    user = partner_user(p, "a")
    nps_answer(actor=ACTOR, partner=p, user=user, score=9, now=at("2026-04-02 10:00"))
    with pytest.raises(Conflict):
        nps_answer(actor=ACTOR, partner=p, user=user, score=2, now=at("2026-06-30 23:00"))
    assert list(NpsAnswer.objects.values_list("score", flat=True)) == [9]
    assert NpsFollowUp.objects.count() == 0
    nps_answer(actor=ACTOR, partner=p, user=user, score=8, now=at("2026-07-01 09:00"))
    assert sorted(NpsAnswer.objects.values_list("quarter", flat=True)) == ["2026-Q2", "2026-Q3"]


def test_a_detractor_gets_a_follow_up_for_the_partners_manager_and_answering_is_audited():
    manager = staff_client("mgr", "partner_manager").user  # type: ignore[attr-defined]
    p = make_partner()
    Partner.objects.filter(pk=p.pk).update(manager=manager)
    p.refresh_from_db()
    answer = nps_answer(actor=ACTOR, partner=p, user=partner_user(p, "a"), score=6, comment="slow payouts",
                        now=at("2026-04-02 10:00"))
    follow = NpsFollowUp.objects.get()
    assert (follow.answer_id, follow.owner_id, follow.due_on, follow.status) == (
        answer.pk, manager.pk, date(2026, 4, 9), "open")
    assert AuditRecord.objects.filter(action="nps.answered", object_id=str(answer.pk)).exists()
    nps_answer(actor=ACTOR, partner=p, user=partner_user(p, "b"), score=7, now=at("2026-04-02 10:00"))
    assert NpsFollowUp.objects.count() == 1  # 7 is a passive


def test_quarter_results_and_the_scorecard_kpi_read_the_survey_answers():
    p, q, r = make_partner(), make_partner(), make_partner()
    for name, score in (("a", 10), ("b", 9), ("c", 7), ("d", 3)):
        nps_answer(actor=ACTOR, partner=p, user=partner_user(p, name), score=score, now=at("2026-02-10 10:00"))
    res = nps_results("2026-Q1")
    assert (res.summary.nps, res.summary.mean, res.summary.answers) == (Decimal("25.00"), Decimal("7.25"), 4)
    # q's imported figure stays (no answer); r's imported February figure gives way to its answer
    ProgramFigure.objects.create(key="partner_satisfaction", month=date(2026, 2, 1), partner=q, value=Decimal("4.5"))
    ProgramFigure.objects.create(key="partner_satisfaction", month=date(2026, 2, 1), partner=r, value=Decimal("1.0"))
    nps_answer(actor=ACTOR, partner=r, user=partner_user(r, "e"), score=10, now=at("2026-02-20 10:00"))
    merged = partner_satisfaction(date(2026, 1, 1), date(2026, 3, 1))
    assert merged == {date(2026, 2, 1): {p.pk: Decimal("3.90"), q.pk: Decimal("4.5"), r.pk: Decimal("5.00")}}
    period = parse_period("2026-Q1")
    reading = KPIS["partner_nps"].compute(load_facts(period.first_month, period.last_month), period)
    assert reading.value == Decimal("4.47")  # (3.90 + 4.50 + 5.00) ÷ 3 = 4.4666…


def test_meeting_due_dates_and_overdue_flags_move_with_time():
    p = make_partner(tier="preferred")
    make_partner(tier=None)  # no tier, no cadence
    meeting_record(actor=ACTOR, partner=p, held_on=date(2026, 3, 2), kind="mbr", notes="pipeline")
    with time_machine.travel(at("2026-04-01 10:00"), tick=False):
        due = {d.kind: d for d in meetings_due()}
        assert sorted(due) == ["mbr", "qbr"]
        assert (due["mbr"].due_on, due["mbr"].overdue) == (date(2026, 4, 1), False)
    with time_machine.travel(at("2026-04-02 10:00"), tick=False):
        assert {d.kind: d.overdue for d in meetings_due()}["mbr"] is True
        meeting_record(actor=ACTOR, partner=p, held_on=date(2026, 4, 2), kind="mbr")
        assert {d.kind: d.due_on for d in meetings_due()}["mbr"] == date(2026, 5, 2)
    assert Meeting.objects.count() == 2


def test_ticket_sla_due_times_and_breaches_are_exact():
    p = make_partner()
    t = ticket_open(actor=ACTOR, partner=p, type="technical", severity="critical", subject="API down",
                    description="500s", now=at("2026-03-10T22:30:00-03:00"))
    assert (t.first_response_due_at, t.resolution_due_at) == (at("2026-03-11T02:30:00-03:00"),
                                                               at("2026-03-11T22:30:00-03:00"))
    assert first_response_breached(t, now=at("2026-03-11T02:30:00-03:00")) is False
    assert first_response_breached(t, now=at("2026-03-11T02:30:01-03:00")) is True
    ticket_comment(actor=ACTOR, ticket=t, body="internal", by_staff=True, internal=True,
                   now=at("2026-03-11T01:00:00-03:00"))
    t.refresh_from_db()
    assert t.first_responded_at is None  # an internal note is no answer
    ticket_comment(actor=ACTOR, ticket=t, body="Looking", by_staff=True, now=at("2026-03-11T02:00:00-03:00"))
    t.refresh_from_db()
    assert first_response_breached(t, now=at("2026-03-20 10:00")) is False
    t = ticket_transition(actor=ACTOR, ticket=t, status="resolved", now=at("2026-03-12T10:00:00-03:00"))
    assert resolution_breached(t) is True
    h = ticket_open(actor=ACTOR, partner=p, type="business", severity="high", subject="s", description="d",
                    now=at("2026-03-10T10:00:00-03:00"))
    assert (h.first_response_due_at, h.resolution_due_at) == (at("2026-03-10T18:00:00-03:00"),
                                                               at("2026-03-13T10:00:00-03:00"))
    with pytest.raises(Conflict):
        ticket_transition(actor=ACTOR, ticket=t, status="open")
    assert AuditRecord.objects.filter(action="ticket.status_changed").count() == 1
    with pytest.raises(InvalidInput):
        ticket_open(actor=ACTOR, partner=p, type="technical", severity="urgent", subject="s", description="d")
    assert Ticket.objects.count() == 2


def test_the_benchmarks_nps_reads_the_partners_survey_answers_before_its_imported_figure():
    from parceria.analytics.benchmarks import partner_scorecard

    p = make_partner(tier="certified")
    make_partner(tier="certified")
    ProgramFigure.objects.create(key="partner_satisfaction", month=date(2026, 3, 1), partner=p, value=Decimal("4"))
    march = parse_period("2026-03")
    assert partner_scorecard(p, march).value("nps") == Decimal("4.00")
    nps_answer(actor=ACTOR, partner=p, user=partner_user(p, "a"), score=7, now=at("2026-03-20 10:00"))
    nps_answer(actor=ACTOR, partner=p, user=partner_user(p, "b"), score=4, now=at("2026-03-21 10:00"))
    assert partner_scorecard(p, march).value("nps") == Decimal("3.20")  # mean 5.5 → 1 + 5.5 × 0.4


def test_a_follow_up_is_overdue_after_its_due_day_until_done():
    from parceria.community.selectors import follow_up_overdue
    from parceria.community.services import follow_up_update

    p = make_partner()
    nps_answer(actor=ACTOR, partner=p, user=partner_user(p, "a"), score=0, now=at("2026-04-02 10:00"))
    follow = NpsFollowUp.objects.get()
    assert follow_up_overdue(follow, today=date(2026, 4, 9)) is False  # due on the 9th
    assert follow_up_overdue(follow, today=date(2026, 4, 10)) is True
    follow = follow_up_update(actor=ACTOR, follow_up=follow, status="done", notes="Called; payouts explained.")
    assert follow_up_overdue(follow, today=date(2026, 4, 10)) is False
    with pytest.raises(InvalidInput):
        follow_up_update(actor=ACTOR, follow_up=follow, status="maybe", notes="")
    follow.refresh_from_db()
    assert (follow.status, follow.notes) == ("done", "Called; payouts explained.")
