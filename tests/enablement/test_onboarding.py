"""The onboarding check-in schedule: weekly for 13 weeks, then monthly from the fourth month (counted from the
start, clamped to month ends), check-ins logged against the earliest open date, overdue from the next day."""

from __future__ import annotations

from datetime import date

import pytest

from parceria.common.errors import Conflict, InvalidInput
from parceria.enablement import selectors, services
from parceria.enablement.models import CheckIn, OnboardingPlan
from parceria.enablement.schedule import check_in_dates
from parceria.partners.models import Partner
from tests.factories import ACTOR, at, make_partner, staff_client


def managed(name, manager):
    partner = make_partner(name=name)
    Partner.objects.filter(pk=partner.pk).update(manager=manager)
    partner.refresh_from_db()
    return partner


def test_weekly_thirteen_times_then_monthly_across_month_ends():
    dates = check_in_dates(date(2026, 1, 31), date(2026, 12, 31))
    weekly, monthly = dates[:13], dates[13:]
    assert weekly[0] == date(2026, 2, 7) and weekly[3] == date(2026, 2, 28) and weekly[4] == date(2026, 3, 7)
    assert weekly[-1] == date(2026, 5, 2)  # 91 days after the start
    assert all((weekly[n + 1] - weekly[n]).days == 7 for n in range(12))
    assert monthly == [date(2026, 5, 31), date(2026, 6, 30), date(2026, 7, 31), date(2026, 8, 31),
                       date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 30), date(2026, 12, 31)]


def test_a_leap_year_start_and_the_horizon_is_inclusive():
    dates = check_in_dates(date(2027, 10, 31), date(2028, 2, 29))
    assert dates[-1] == date(2028, 2, 29)  # 31 Oct + 4 months, clamped to the leap day
    assert len(dates) == 14
    assert check_in_dates(date(2027, 10, 31), date(2028, 2, 28))[-1] == date(2028, 1, 30)


@pytest.fixture
def manager(db):
    return staff_client("pm@staff", "partner_manager").user  # type: ignore[attr-defined]


@pytest.fixture
def onboarding(db, manager):
    partner = managed("Alfa", manager)
    services.onboarding_start(partner=partner, started_on=date(2026, 3, 2), actor=ACTOR)
    return partner


def test_overdue_from_the_day_after_the_due_date(onboarding, manager):
    # first check-in due Monday 9 March 2026
    assert selectors.overdue_check_ins(at("2026-03-09 23:59:59"), manager=manager) == []
    rows = selectors.overdue_check_ins(at("2026-03-10 00:00"), manager=manager)
    assert [(r.partner, r.due_on, r.days_late, r.mine) for r in rows] == [(onboarding, date(2026, 3, 9), 1, True)]


def test_logging_a_check_in_clears_the_earliest_overdue_date(onboarding, manager):
    services.check_in_log(partner=onboarding, held_on=date(2026, 3, 17), logged_by=manager, actor=ACTOR,
                          notes="first call", today=date(2026, 3, 17))
    assert CheckIn.objects.get().due_on == date(2026, 3, 9)
    rows = selectors.overdue_check_ins(at("2026-03-17 12:00"))
    assert [r.due_on for r in rows] == [date(2026, 3, 16)]


def test_my_partners_come_first(onboarding, manager):
    other_manager = staff_client("pm2@staff", "partner_manager").user  # type: ignore[attr-defined]
    theirs = managed("Aaa first by name", other_manager)
    services.onboarding_start(partner=theirs, started_on=date(2026, 2, 2), actor=ACTOR)
    rows = selectors.overdue_check_ins(at("2026-03-10 08:00"), manager=manager)
    assert rows[0].partner == onboarding and rows[0].mine
    assert {r.partner for r in rows[1:]} == {theirs} and len(rows) == 6  # 9, 16, 23 Feb, 2 and 9 Mar
    assert [r.due_on for r in selectors.overdue_check_ins(at("2026-03-10 08:00"), manager=other_manager)][:1] == [
        date(2026, 2, 9)]


def test_bad_check_ins_are_refused_and_nothing_is_logged(onboarding, manager):
    with pytest.raises(InvalidInput):
        services.check_in_log(partner=onboarding, held_on=date(2026, 3, 20), logged_by=manager, actor=ACTOR,
                              today=date(2026, 3, 19))
    with pytest.raises(InvalidInput):
        services.check_in_log(partner=onboarding, held_on=date(2026, 3, 1), logged_by=manager, actor=ACTOR,
                              today=date(2026, 3, 19))
    with pytest.raises(InvalidInput):
        services.check_in_log(partner=make_partner(), held_on=date(2026, 3, 1), logged_by=manager, actor=ACTOR)
    assert not CheckIn.objects.exists()


def test_the_start_moves_only_until_a_check_in_is_logged(onboarding, manager):
    services.onboarding_start(partner=onboarding, started_on=date(2026, 3, 3), actor=ACTOR)
    services.check_in_log(partner=onboarding, held_on=date(2026, 3, 10), logged_by=manager, actor=ACTOR,
                          today=date(2026, 3, 10))
    with pytest.raises(Conflict):
        services.onboarding_start(partner=onboarding, started_on=date(2026, 3, 9), actor=ACTOR)
    assert OnboardingPlan.objects.get(partner=onboarding).started_on == date(2026, 3, 3)
