"""The channel-conflict report: exact figures for hand-built months, what counts as a conflict (another party's
claim of any kind; never the partner's own duplicate), losing attribution claims, time to decision, conversion and
sales cycle, and the API (scoping of a partner key, 422 for bad months)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parceria.accounts.tenancy import Principal
from parceria.common.errors import InvalidInput
from parceria.customers.attribution import claim_attribution
from parceria.customers.models import ClaimSource
from parceria.deals.models import DealRegistration, DealStatus
from parceria.deals.reporting import MonthRange, channel_conflict_report, month_range, p90
from parceria.deals.services import AUTOMATIC_DECIDER, deal_register
from tests.conftest import ApiClient
from tests.deals.test_services import fields
from tests.factories import ACTOR, at, make_customer, make_key, make_partner, staff_client

pytestmark = pytest.mark.django_db

STAFF = Principal(scope="admin", label="test", abilities=frozenset({"read"}))
MARCH = MonthRange(date(2026, 3, 1), date(2026, 3, 1))


def reg(partner, created: str, *, conflict: dict[str, Any] | None = None, status: str = DealStatus.APPROVED,
        decided_after: timedelta | None = timedelta(0), converted_after: timedelta | None = None,
        n: list[int] = [0]) -> DealRegistration:  # noqa: B006 (a counter)
    """A registration made at `created` (São Paulo time), decided automatically (decided_after 0), by a person
    (decided_after > 0) or not yet (None)."""
    n[0] += 1
    start = at(created)
    row = DealRegistration.objects.create(
        partner=partner, company_name=f"Empresa {n[0]}", normalised_name=f"empresa {n[0]}", country="BR",
        domain=f"empresa{n[0]}.com.br", contact_name="C", contact_email="c@x.com.br", estimated_value="1",
        currency="BRL", status=status, conflict=conflict, expires_on=date(2026, 12, 31), created_by_label="t",
        decided_at=None if decided_after is None else start + decided_after,
        decided_by_label="" if decided_after is None else (AUTOMATIC_DECIDER if not decided_after else "user:pm"),
        converted_at=None if converted_after is None else start + converted_after)
    DealRegistration.objects.filter(pk=row.pk).update(created_at=start)
    return row


def test_forty_registrations_with_two_conflicts_are_5_00_percent():
    alfa, bravo = make_partner(), make_partner()
    for day in range(1, 39):
        reg(alfa, f"2026-03-{day % 28 + 1:02d} 10:00")
    reg(alfa, "2026-03-05 10:00", status=DealStatus.REJECTED,
        conflict={"kind": "registration", "id": 1, "partner_id": bravo.pk, "match": "tax_id"})
    reg(alfa, "2026-03-31 23:30", status=DealStatus.REJECTED,  # the last half hour of March in São Paulo
        conflict={"kind": "opportunity", "id": 7, "partner_id": None, "match": "domain"})
    reg(alfa, "2026-04-01 00:10")  # April's

    report = channel_conflict_report(STAFF, MARCH)

    total = report.total
    assert (total.registrations, total.deals, total.conflicts, total.conflict_rate) == (40, 40, 2, Decimal("5.00"))
    assert total.above_target
    assert [(m, f.registrations, f.conflict_rate) for m, f in report.months] == [(date(2026, 3, 1), 40,
                                                                                  Decimal("5.00"))]
    assert [(p.partner_id, p.figures.registrations, p.figures.conflicts) for p in report.partners] == [
        (alfa.pk, 40, 2)]


def test_the_partners_own_duplicate_is_no_conflict_and_any_other_partys_kind_is():
    alfa, bravo = make_partner(), make_partner()
    reg(alfa, "2026-03-02 10:00", status=DealStatus.REJECTED,
        conflict={"kind": "registration", "id": 1, "partner_id": alfa.pk, "match": "domain"})
    reg(alfa, "2026-03-02 11:00", status=DealStatus.REJECTED,
        conflict={"kind": "customer", "id": 1, "partner_id": alfa.pk, "match": "tax_id"})
    reg(alfa, "2026-03-02 12:00", status=DealStatus.REJECTED,
        conflict={"kind": "exclusivity", "id": 3, "partner_id": bravo.pk})
    reg(alfa, "2026-03-02 13:00", status=DealStatus.REJECTED,
        conflict={"kind": "customer", "id": 2, "partner_id": None, "match": "domain"})  # a direct customer
    reg(alfa, "2026-03-02 14:00", status=DealStatus.REJECTED, conflict={"kind": "a kind added later",
                                                                        "partner_id": bravo.pk})
    reg(alfa, "2026-03-02 15:00")

    total = channel_conflict_report(STAFF, MARCH).total

    assert (total.registrations, total.registration_conflicts, total.conflict_rate) == (6, 3, Decimal("50.00"))


def test_the_conflict_check_stores_what_the_report_counts():
    alfa, bravo = make_partner(), make_partner()
    deal_register(partner=alfa, fields=fields(), actor=ACTOR)
    deal_register(partner=bravo, fields=fields(), actor=ACTOR)  # another partner's registration: a conflict
    deal_register(partner=alfa, fields=fields(), actor=ACTOR)  # alfa's own duplicate: not one
    today = date.today()
    period = month_range(today, today)

    report = channel_conflict_report(STAFF, period)

    assert (report.total.registrations, report.total.conflicts, report.total.automatic) == (3, 1, 3)
    assert {p.partner_id: p.figures.conflicts for p in report.partners} == {alfa.pk: 0, bravo.pk: 1}


def test_losing_attribution_claims_count_in_their_month_but_not_the_attributed_partners_own():
    alfa, bravo = make_partner(), make_partner()
    customer = make_customer()
    claim_attribution(customer=customer, partner_id=alfa.pk, source=ClaimSource.REFERRAL, actor=ACTOR,
                      at=at("2026-03-03 10:00"))
    claim_attribution(customer=customer, partner_id=bravo.pk, source=ClaimSource.COUPON, actor=ACTOR,
                      at=at("2026-03-04 10:00"))  # loses: a conflict
    claim_attribution(customer=customer, partner_id=alfa.pk, source=ClaimSource.COUPON, actor=ACTOR,
                      at=at("2026-03-05 10:00"))  # agrees with alfa's attribution: none
    reg(bravo, "2026-03-06 10:00")

    report = channel_conflict_report(STAFF, MARCH)

    assert (report.total.claims, report.total.registrations, report.total.deals) == (3, 1, 4)
    assert (report.total.claim_conflicts, report.total.conflict_rate) == (1, Decimal("25.00"))
    assert {p.partner_id: (p.figures.deals, p.figures.conflicts) for p in report.partners} == {
        alfa.pk: (2, 0), bravo.pk: (2, 1)}


def test_time_to_decision_conversion_and_sales_cycle():
    alfa = make_partner()
    for hours in (2, 4, 10):
        reg(alfa, "2026-03-10 09:00", decided_after=timedelta(hours=hours))
    reg(alfa, "2026-03-10 09:00", decided_after=timedelta(hours=1, minutes=30), status=DealStatus.REJECTED)
    reg(alfa, "2026-03-10 09:00", decided_after=None, status=DealStatus.IN_REVIEW)
    reg(alfa, "2026-03-10 09:00", status=DealStatus.CONVERTED, converted_after=timedelta(days=30))
    reg(alfa, "2026-03-11 09:00", status=DealStatus.CONVERTED, converted_after=timedelta(days=45, hours=12))
    reg(alfa, "2026-03-11 09:00", status=DealStatus.REJECTED)
    reg(alfa, "2026-03-11 09:00", status=DealStatus.EXPIRED)  # expired after its approval

    total = channel_conflict_report(STAFF, MARCH).total

    assert (total.registrations, total.automatic, total.reviewed) == (9, 4, 4)
    assert total.decision_hours() == (Decimal("3.00"), Decimal("10.00"))
    assert (total.approved, total.converted, total.conversion_rate) == (6, 2, Decimal("33.33"))
    assert total.cycle_days() == (Decimal("37.75"), Decimal("45.50"))


def test_empty_months_have_no_rate_and_p90_is_the_nearest_rank():
    report = channel_conflict_report(STAFF, MonthRange(date(2026, 1, 1), date(2026, 3, 1)))

    assert [(m.month, f.deals, f.conflict_rate, f.decision_hours()) for m, f in report.months] == [
        (1, 0, None, (None, None)), (2, 0, None, (None, None)), (3, 0, None, (None, None))]
    assert p90(list(range(1, 11))) == 9 and p90(list(range(1, 12))) == 10 and p90([7]) == 7


def test_month_range_refuses_reversed_and_too_long_ranges():
    with pytest.raises(InvalidInput, match="must not be after"):
        month_range(date(2026, 4, 1), date(2026, 3, 1))
    with pytest.raises(InvalidInput, match="at most 60 months"):
        month_range(date(2021, 3, 1), date(2026, 3, 1))
    assert month_range(None, None, today=date(2026, 3, 15)) == MonthRange(date(2025, 4, 1), date(2026, 3, 1))


# --- the API ----------------------------------------------------------------------------------------------------


def _two_partners():
    alfa, bravo = make_partner(name="Alfa Integradora"), make_partner(name="Bravo Consultoria")
    for _n in range(3):
        reg(alfa, "2026-03-02 10:00")
    reg(alfa, "2026-03-02 10:00", conflict={"kind": "registration", "partner_id": bravo.pk}, status="rejected")
    reg(bravo, "2026-02-02 10:00", conflict={"kind": "registration", "partner_id": alfa.pk}, status="rejected")
    reg(bravo, "2026-03-02 10:00")
    return alfa, bravo


def test_the_api_answers_the_documented_schema_for_staff():
    _two_partners()

    body = ApiClient(make_key("analytics")).get("/analytics/channel-conflict", **{"from": "2026-02",
                                                                                    "to": "2026-03"}).json()

    assert (body["from"], body["to"], body["partner_id"], body["target_rate"]) == ("2026-02", "2026-03", None, "5.00")
    assert body["total"] == {
        "registrations": 6, "attribution_claims": 0, "deals": 6, "registration_conflicts": 2, "claim_conflicts": 0,
        "conflicts": 2, "conflict_rate": "33.33", "decided_automatically": 6, "decided_after_review": 0,
        "time_to_decision_median_hours": None, "time_to_decision_p90_hours": None, "approved": 4, "converted": 0,
        "conversion_rate": "0.00", "sales_cycle_median_days": None, "sales_cycle_p90_days": None}
    assert [(m["month"], m["deals"], m["conflict_rate"]) for m in body["months"]] == [
        ("2026-02", 1, "100.00"), ("2026-03", 5, "20.00")]
    assert [(p["name"], p["deals"], p["conflicts"]) for p in body["partners"]] == [
        ("Alfa Integradora", 4, 1), ("Bravo Consultoria", 2, 1)]


def test_a_partner_key_sees_only_its_own_partners_figures():
    alfa, bravo = _two_partners()
    client = ApiClient(make_key("partner", alfa))

    own = client.get("/analytics/channel-conflict", **{"from": "2026-02", "to": "2026-03"})
    other = client.get("/analytics/channel-conflict", **{"from": "2026-02", "to": "2026-03",
                                                          "partner_id": bravo.pk})

    body = own.json()
    assert (body["total"]["deals"], body["total"]["conflicts"]) == (4, 1)
    assert [p["partner_id"] for p in body["partners"]] == [alfa.pk]
    assert "Bravo" not in own.content.decode()
    assert (other.status_code, other.json()["error"]["code"]) == (404, "not_found")
    assert "Bravo" not in other.content.decode()


@pytest.mark.parametrize(("params", "code", "field"), [
    ({"from": "2026-13", "to": "2026-12"}, "invalid_period", "from"),
    ({"from": "2026-01", "to": "26-02"}, "invalid_period", "to"),
    ({"from": "2026-04", "to": "2026-03"}, "invalid", "to"),
    ({"from": "2021-03", "to": "2026-03"}, "period_too_long", "from"),
    ({"from": "", "to": "2026-03"}, "invalid_period", "from"),
    ({"to": "2026-03-01"}, "invalid_period", "to"),
])
def test_bad_months_are_422_with_the_field(params, code, field):
    response = ApiClient(make_key("analytics")).get("/analytics/channel-conflict", **params)

    assert response.status_code == 422, response.content
    assert (response.json()["error"]["code"], response.json()["error"]["details"]["field"]) == (code, field)


# --- the console page -------------------------------------------------------------------------------------------


def _page(client, **params):
    return client.get("/console/deal-registrations/conflicts/", params)


def test_the_page_shows_the_months_and_partners_and_exports_them():
    _two_partners()
    client = staff_client("analyst@x", "analyst")

    response = _page(client, from_month="2026-02", to_month="2026-03")
    csv_months = _page(client, from_month="2026-02", to_month="2026-03", table="months", export="csv")
    csv_partners = _page(client, from_month="2026-02", to_month="2026-03", table="partners", export="csv")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Alfa Integradora" in html and "Bravo Consultoria" in html and 'id="conflict-data"' in html
    assert csv_months.content.decode("utf-8-sig").splitlines()[1:] == [
        "2026-02,1,0,1,1,100.00,1,0,,,0,0,,,", "2026-03,5,0,5,1,20.00,5,0,,,4,0,0.00,,"]
    assert csv_partners.content.decode("utf-8-sig").splitlines()[1:] == [
        "Alfa Integradora,4,0,4,1,25.00,4,0,,,3,0,0.00,,", "Bravo Consultoria,2,0,2,1,50.00,2,0,,,1,0,0.00,,"]


def test_a_bad_month_on_the_page_is_422_with_the_form_error():
    client = staff_client("analyst@x", "analyst")

    bad = _page(client, from_month="2026-13")
    reversed_ = _page(client, from_month="2026-04", to_month="2026-03")

    assert bad.status_code == 422 and "YYYY-MM" in bad.content.decode()
    assert reversed_.status_code == 422 and "must not be after" in reversed_.content.decode()


def test_the_page_makes_the_same_number_of_queries_for_more_rows():
    client = staff_client("analyst@x", "analyst")
    params = {"from_month": "2026-01", "to_month": "2026-03"}
    alfa = make_partner()
    reg(alfa, "2026-03-02 10:00", decided_after=timedelta(hours=3))
    reg(alfa, "2026-03-02 10:00", status=DealStatus.CONVERTED, converted_after=timedelta(days=3))
    _page(client, **params)  # the session's first use

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert _page(client, **params).status_code == 200
        return len(captured)

    few = queries()
    for n in range(6):
        partner = make_partner()
        reg(partner, f"2026-0{n % 3 + 1}-05 10:00", decided_after=timedelta(hours=n + 1))
        reg(partner, f"2026-0{n % 3 + 1}-06 10:00", status=DealStatus.CONVERTED, converted_after=timedelta(days=n))
        reg(partner, "2026-02-07 10:00", conflict={"kind": "registration", "partner_id": alfa.pk})
    assert queries() == few
