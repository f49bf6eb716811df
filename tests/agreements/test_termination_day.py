"""The termination day of an agreement, given in the console or the API: the override ends from that day;
a day before the start, in the future, or with another move is refused and nothing changes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from parceria.agreements.models import Agreement
from parceria.agreements.services import rate_override_grant
from parceria.partners.models import PartnerTerms
from tests.agreements.helpers import make_agreement
from tests.conftest import ApiClient
from tests.factories import ACTOR, make_key, make_partner, staff_client

pytestmark = pytest.mark.django_db


def _world():
    partner = make_partner(tier="preferred")
    agreement = make_agreement(partner, start_date=date(2026, 1, 1))
    rate_override_grant(agreement=agreement, rate="0.27", effective_from="2026-02-01", actor=ACTOR)
    return partner, agreement


def _state(agreement: Agreement):
    agreement.refresh_from_db()
    terms = PartnerTerms.objects.filter(partner=agreement.partner).order_by("id").last()
    return agreement.status, agreement.terminated_on, terms.referral_rate_override, timezone.localtime(
        terms.effective_from
    ).date()


def test_the_console_records_a_past_termination_day_and_ends_the_override_from_it():
    _, agreement = _world()
    manager = staff_client("manager", "partner_manager")
    response = manager.post(f"/console/agreements/{agreement.pk}/status/",
                            {"status": "terminated", "terminated_on": "2026-04-01"})
    assert response.status_code == 302
    assert _state(agreement) == ("terminated", date(2026, 4, 1), None, date(2026, 4, 1))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"status": "terminated", "terminated_on": "2025-12-31"},
         "the termination day cannot precede the agreement&#x27;s start (2026-01-01)"),
        ({"status": "terminated", "terminated_on": "FUTURE"},
         "the termination day cannot be in the future: terminate on that day"),
        ({"status": "expired", "terminated_on": "2026-04-01"}, "a day is given only when terminating an agreement"),
        ({"status": "terminated", "terminated_on": "2026-02-30"}, "Enter a valid date."),
    ],
)
def test_a_bad_termination_day_is_refused_beside_the_field_and_changes_nothing(body, message):
    _, agreement = _world()
    before = _state(agreement)
    if body["terminated_on"] == "FUTURE":
        body = {**body, "terminated_on": (timezone.localdate() + timedelta(days=1)).isoformat()}
    manager = staff_client("manager", "partner_manager")
    response = manager.post(f"/console/agreements/{agreement.pk}/status/", body)
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert 'id="id_terminated_on_error"' in html  # beside the day's field
    assert _state(agreement) == before


def test_the_api_takes_the_termination_day():
    _, agreement = _world()
    api = ApiClient(make_key("admin"))
    refused = api.post(f"/agreements/{agreement.pk}/status", {"status": "terminated", "terminated_on": "2025-06-01"})
    assert refused.status_code == 422
    assert refused.json()["error"]["details"] == {"field": "terminated_on"}
    moved = api.post(f"/agreements/{agreement.pk}/status", {"status": "terminated", "terminated_on": "2026-04-01"})
    assert moved.status_code == 200, moved.content
    assert (moved.json()["status"], moved.json()["terminated_on"]) == ("terminated", "2026-04-01")
    assert _state(agreement) == ("terminated", date(2026, 4, 1), None, date(2026, 4, 1))
