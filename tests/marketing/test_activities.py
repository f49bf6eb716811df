"""Joint marketing activities: the quarter's target on both sides, the partners below it, and the scorecard's
joint_marketing KPI reading the recorded done activities (imported figures only where none is recorded)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from parceria.agreements.models import Agreement
from parceria.analytics import rollup
from parceria.analytics.kpis import KPIS, load_facts
from parceria.analytics.models import ProgramFigure
from parceria.analytics.periods import parse_period
from parceria.common.audit import Actor
from parceria.common.errors import InvalidInput
from parceria.marketing import selectors, services
from parceria.marketing.models import Activity
from tests.factories import make_partner, staff_client
from tests.marketing.conftest import client_for, partner_user

pytestmark = pytest.mark.django_db
STAFF = Actor(label="user:staff")


def record(partner, held_on: date, status: str = "done", kind: str = "webinar") -> Activity:
    return services.activity_record(partner=partner, kind=kind, title=f"{kind} on {held_on}", held_on=held_on,
                                    status=status, actor=STAFF)


def reading(period: str):
    p = parse_period(period)
    return KPIS["joint_marketing"].compute(load_facts(p.first_month, p.last_month), p)


def test_the_quarter_progress_counts_only_done_activities_of_the_quarter():
    partner = make_partner()
    record(partner, date(2026, 1, 10))
    record(partner, date(2026, 3, 31), kind="event")
    record(partner, date(2026, 2, 1), status="planned")
    record(partner, date(2026, 2, 2), status="cancelled")
    record(partner, date(2026, 4, 1))  # the next quarter
    staff = staff_principal()
    progress = selectors.quarter_progress(staff, partner.pk, date(2026, 2, 15))
    assert (progress.done, progress.target, progress.label, progress.met, progress.percent) == (
        2, 2, "2026-Q1", True, 100)
    q2 = selectors.quarter_progress(staff, partner.pk, date(2026, 6, 30))
    assert (q2.done, q2.first_day, q2.last_day, q2.percent) == (1, date(2026, 4, 1), date(2026, 6, 30), 50)


def staff_principal():
    from parceria.accounts.tenancy import Principal
    return Principal.for_user(staff_client("staffer", "partner_manager").user)  # type: ignore[attr-defined]


def test_both_sides_see_the_target_and_the_console_lists_partners_below_it():
    today = timezone.localdate()
    behind, ahead = make_partner(name="Behind Co"), make_partner(name="Ahead Co")
    record(behind, today)
    record(ahead, today)
    record(ahead, today, kind="campaign")
    admin = client_for(partner_user(behind, "behind-admin"))
    page = admin.get("/portal/marketing/activities/").content.decode()
    assert "1 of 2 this quarter" in page
    response = admin.post("/portal/marketing/activities/", {"kind": "content", "title": "Blog post together",
                                                            "held_on": today.isoformat(), "status": "done"})
    assert response.status_code == 302
    assert "2 of 2 this quarter" in admin.get("/portal/marketing/activities/").content.decode()
    member = client_for(partner_user(behind, "behind-member", "partner_member"))
    before = Activity.objects.count()
    assert member.post("/portal/marketing/activities/", {"kind": "content", "title": "x", "status": "done",
                                                         "held_on": today.isoformat()}).status_code == 403
    assert Activity.objects.count() == before
    third = make_partner(name="Silent Co")
    console = staff_client("pm", "partner_manager").get("/console/marketing/activities/").content.decode()
    below = console[console.index('id="below"'):console.index("</table>", console.index('id="below"'))]
    assert f'data-partner="{third.pk}"' in below
    assert f'data-partner="{behind.pk}"' not in below and f'data-partner="{ahead.pk}"' not in below


def test_bad_activity_input_is_refused_with_nothing_stored():
    partner = make_partner()
    with pytest.raises(InvalidInput):
        services.activity_record(partner=partner, kind="party", title="x", held_on=date(2026, 1, 1), actor=STAFF)
    with pytest.raises(InvalidInput):
        services.activity_record(partner=partner, kind="webinar", title="x", held_on=date(2026, 1, 1),
                                 link="javascript:alert(1)", actor=STAFF)
    response = staff_client("pm", "partner_manager").post("/console/marketing/activities/", {
        "partner": "999999", "kind": "webinar", "title": "x", "held_on": "2026-01-01", "status": "done"})
    assert response.status_code == 422 and not Activity.objects.exists()


def test_the_joint_marketing_kpi_reads_recorded_done_activities_and_imported_figures_only_where_none():
    p, q, r = make_partner(), make_partner(), make_partner()
    for partner in (p, q, r):
        Agreement.objects.create(partner=partner, type="channel_partner", status="active",
                                 start_date=date(2025, 1, 1), signed_on=date(2025, 1, 1))
    # p recorded 3 done in Q1 (and a planned one); its imported figure of March is ignored (it recorded one there)
    record(p, date(2026, 1, 5))
    record(p, date(2026, 2, 5))
    record(p, date(2026, 3, 5))
    record(p, date(2026, 3, 6), status="planned")
    ProgramFigure.objects.create(key="joint_marketing_activities", month=date(2026, 3, 1), value=Decimal(9), partner=p)
    # q only imported: 2 in February counts (no activity recorded for q that month)
    ProgramFigure.objects.create(key="joint_marketing_activities", month=date(2026, 2, 1), value=Decimal(2), partner=q)
    # r planned one in January and never did it: its imported figure of that month is ignored
    record(r, date(2026, 1, 20), status="planned")
    ProgramFigure.objects.create(key="joint_marketing_activities", month=date(2026, 1, 1), value=Decimal(5), partner=r)
    # Q1: (3 + 2) ÷ 3 partners in force = 1.67 per quarter
    assert reading("2026-Q1").value == Decimal("1.67")
    # February alone: (1 + 2) × 3 ÷ 3 = 3.00
    assert reading("2026-02").value == Decimal("3.00")


def test_recording_an_activity_moves_the_analytics_version():
    partner = make_partner()
    before = rollup.version()
    record(partner, date(2026, 1, 5))
    assert rollup.version() != before
