"""The phase tracker (analytics.phases): phases from the program's start, each criterion's number, whether it is
met and the month it was first met."""

from __future__ import annotations

from datetime import date

import pytest

from parceria.agreements.models import Agreement
from parceria.analytics.phases import phase_tracker, program_start
from tests.conftest import ApiClient
from tests.factories import ingest, make_customer, make_key, make_partner, paid

pytestmark = pytest.mark.django_db


def _signed(partner, on: date) -> None:
    Agreement.objects.create(partner=partner, type="channel_partner", status="active", start_date=on, signed_on=on)


def test_no_start_before_any_agreement():
    tracker = phase_tracker(today=date(2026, 5, 1))
    assert (tracker.start, tracker.phases) == (None, [])


def test_a_criterion_first_met_in_its_month(settings):
    partners = [make_partner() for _ in range(5)]
    _signed(partners[0], date(2026, 1, 20))
    assert program_start() == date(2026, 1, 1)
    # January: 4 partners bring a customer; February: 5 (the 5+ criterion is first met in February), and ARR
    # 12 × 5 × 1000 = 60 000 ≥ 50 000
    events = [paid(make_customer(p), "100.00", at="2026-01-10T10:00:00-03:00") for p in partners[:4]]
    events += [paid(make_customer(p), "1000.00", at="2026-02-10T10:00:00-03:00") for p in partners]
    events.append(paid(make_customer(None), "1.00", at="2026-02-11T10:00:00-03:00"))
    ingest(*events)

    tracker = phase_tracker(today=date(2026, 5, 15))
    one, two, three = tracker.phases
    assert (one.first_month, one.last_month, one.state) == (date(2026, 1, 1), date(2026, 3, 1), "done")
    assert (two.state, three.state) == ("current", "upcoming")
    active, share, arr = one.criteria
    assert (active.met, active.first_met, active.value) == (True, date(2026, 2, 1), 0)  # March: no new customer
    assert (share.met, share.first_met) == (True, date(2026, 1, 1))  # 100 % of January's new customers
    assert (arr.met, arr.first_met) == (True, date(2026, 2, 1))
    assert one.met is True
    assert [c.met for c in two.criteria] == [False, True, False]
    assert [c.value for c in three.criteria] == [None, None, None]

    settings.PARCERIA = {**settings.PARCERIA, "PROGRAM_START": "2025-12"}
    assert phase_tracker(today=date(2026, 5, 15)).phases[0].criteria[0].first_met == date(2026, 2, 1)
    assert phase_tracker(today=date(2026, 5, 15)).phases[1].first_month == date(2026, 3, 1)


def test_international_revenue_counts_partners_outside_brazil(settings):
    settings.PARCERIA = {**settings.PARCERIA, "PROGRAM_START": "2026-01"}
    mx = make_partner(country="MX", currency="BRL")
    ingest(paid(make_customer(mx), "10.00", at="2026-11-10T10:00:00-03:00"))
    three = phase_tracker(today=date(2026, 12, 1)).phases[2]
    international = three.criteria[2]
    assert (international.met, international.first_met, str(international.value)) == (True, date(2026, 11, 1), "0")


def test_the_api_answers_the_phases_and_refuses_a_partner_key(settings):
    settings.PARCERIA = {**settings.PARCERIA, "PROGRAM_START": "2026-01"}
    body = ApiClient(make_key("analytics")).get("/analytics/phases").json()
    assert body["start"] == "2026-01"
    assert [(p["number"], p["from"], p["to"]) for p in body["phases"]] == [
        (1, "2026-01", "2026-03"), (2, "2026-04", "2026-09"), (3, "2026-10", "2026-12")]
    assert body["phases"][0]["criteria"][0]["threshold"] == "5"
    assert ApiClient(make_key("partner", make_partner())).get("/analytics/phases").status_code == 403
