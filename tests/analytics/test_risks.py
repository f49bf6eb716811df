"""The risk list (analytics.risks): each reason at its boundary on hand-made data, the score as the documented sum,
the API's shape and scope, the console page and its exports."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from parceria.agreements.models import Agreement
from parceria.analytics.api_risks import day_of
from parceria.analytics.risks import (
    AGREEMENT_ENDING,
    CSAT_DROP,
    DISPUTE_SPIKE,
    FALLING_REFERRALS,
    NO_NEW_CUSTOMER,
    REFUND_RATE,
    PartnerRisk,
    RiskRules,
    mann_kendall,
    risk_list,
)
from parceria.analytics.rollup import ensure
from parceria.common.errors import InvalidInput
from parceria.customers.models import AttributionClaim
from parceria.disputes.models import Dispute
from parceria.partners.models import Partner
from tests.factories import at, ingest, make_customer, make_key, make_partner, paid, refunded, staff_client

pytestmark = pytest.mark.django_db

ON = date(2026, 6, 15)


def reasons_of(partner: Partner, on: date = ON, rules: RiskRules | None = None) -> dict[str, Any]:
    found = {r.partner_id: r for r in risk_list(on, rules)}
    risk = found.get(partner.pk)
    return {r.key: r.evidence for r in risk.reasons} if risk else {}


def claim(partner: Partner, when: str, n: int = 1) -> None:
    for _ in range(n):
        AttributionClaim.objects.create(customer=make_customer(None), partner=partner, source="referral",
                                        at=at(when), won=False)


def referral_months(partner: Partner, counts: list[int], first: date = date(2025, 6, 1)) -> None:
    """`counts[i]` losing claims in the i-th month from `first` (mid-month)."""
    for i, n in enumerate(counts):
        m = date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 10)
        claim(partner, f"{m.isoformat()} 12:00", n)


# --- falling referrals ----------------------------------------------------------------------------------------------


def test_mann_kendall_counts_pairs_and_corrects_ties():
    trend = mann_kendall([5] * 11 + [0])  # one bad month after eleven equal ones
    assert trend.s == -11
    assert trend.variance == Decimal("47.666666666666664")  # (12·11·29 − 11·10·27) / 18
    assert trend.z == Decimal("-1.45")  # (S + 1) / √var
    assert round(trend.p_falling, 4) == Decimal("0.0738")  # Φ(−1.448…), as scipy.stats.norm.cdf gives
    assert mann_kendall([3, 3, 3]).p_falling == Decimal("0.5")  # no variance: no evidence either way


def test_a_falling_trend_is_a_reason_with_the_monthly_counts_and_the_p_value():
    p = make_partner()
    counts = [8, 9, 7, 8, 6, 6, 5, 4, 5, 3, 2, 2]  # June 2025 … May 2026
    referral_months(p, counts)
    customer = make_customer(p)  # a new customer in May 2026 counts beside the claims
    ingest(paid(customer, "10.00", at="2026-05-20T10:00:00-03:00"))

    evidence = reasons_of(p)[FALLING_REFERRALS]

    assert [m["referrals"] for m in evidence["months"]] == [*counts[:-1], 3]
    assert evidence["months"][-1] == {"month": "2026-05", "new_customers": 1, "claims": 2, "referrals": 3}
    assert evidence["months"][0]["month"] == "2025-06"
    assert evidence["test"] == "mann-kendall" and evidence["s"] == -54  # 66 pairs: 58 fall, 4 rise, 4 tie
    assert evidence["z"] == "-3.67"  # (S + 1) / √((12·11·29 − 4·2·1·9) / 18)
    assert evidence["p_value"] == "0.0001" and evidence["max_p"] == "0.05"
    assert evidence["sen_slope"] == "-0.60"


def test_one_bad_month_is_not_a_trend():
    p = make_partner()
    referral_months(p, [5, 6, 5, 4, 6, 5, 5, 6, 4, 5, 6, 0])  # steady, then one empty month

    assert FALLING_REFERRALS not in reasons_of(p)
    assert mann_kendall([5, 6, 5, 4, 6, 5, 5, 6, 4, 5, 6, 0]).p_falling > Decimal("0.05")


def test_the_trend_needs_six_months_from_the_first_referral():
    p, q = make_partner(), make_partner()
    referral_months(p, [9, 7, 5, 3, 1], first=date(2026, 1, 1))  # five months: not judged
    referral_months(q, [9, 8, 7, 5, 3, 1], first=date(2025, 12, 1))  # six months, falling every month

    assert FALLING_REFERRALS not in reasons_of(p)
    assert reasons_of(q)[FALLING_REFERRALS]["p_value"] == "0.0043"  # S = −15, Φ(−14 / √28.33)


def test_the_trend_is_judged_against_max_p_at_its_boundary():
    p = make_partner()
    referral_months(p, [9, 8, 7, 5, 3, 1], first=date(2025, 12, 1))  # p = 0.00427
    assert FALLING_REFERRALS in reasons_of(p, rules=RiskRules(trend_max_p=Decimal("0.0043")))
    assert FALLING_REFERRALS not in reasons_of(p, rules=RiskRules(trend_max_p=Decimal("0.0042")))


# --- CSAT drop ------------------------------------------------------------------------------------------------------


def csat(customer: Any, score: int, when: str) -> dict[str, Any]:
    return {"id": f"csat_{customer.pk}_{when}_{score}", "type": "customer.csat", "occurred_at": when,
            "customer": customer.external_id, "score": score}


def scores(partner: Partner, before: list[int], recent: list[int]) -> None:
    events = []
    for i, s in enumerate(before):  # the 90 days before: 2025-12-18 … 2026-03-17
        events.append(csat(make_customer(partner), s, f"2026-02-{i + 1:02d}T10:00:00-03:00"))
    for i, s in enumerate(recent):  # the last 90 days: 2026-03-18 … 2026-06-15
        events.append(csat(make_customer(partner), s, f"2026-05-{i + 1:02d}T10:00:00-03:00"))
    assert ingest(*events).accepted == len(events)


def test_a_csat_drop_of_half_a_point_with_five_scores_a_side_is_a_reason():
    p = make_partner()
    scores(p, [5, 5, 4, 4, 4], [4, 4, 4, 4, 3])  # 4.40 → 3.80: a drop of 0.60

    assert reasons_of(p)[CSAT_DROP] == {
        "recent_from": "2026-03-18", "recent_to": "2026-06-15", "recent_mean": "3.80", "recent_scores": 5,
        "before_from": "2025-12-18", "before_to": "2026-03-17", "before_mean": "4.40", "before_scores": 5,
        "drop": "0.60", "min_drop": "0.5", "min_scores": 5}


def test_a_csat_drop_exactly_at_the_threshold_counts_and_just_under_does_not():
    at_threshold, under, few_before, few_recent = (make_partner() for _ in range(4))
    scores(at_threshold, [4, 4, 4, 4, 4], [4, 4, 4, 4, 4, 3, 3, 3, 3, 3])  # 4.00 → 3.50: exactly 0.50
    scores(under, [4, 4, 4, 4, 4], [4, 4, 4, 4, 4, 4, 3, 3, 3, 3])  # 4.00 → 3.60: 0.40
    scores(few_before, [5, 5, 5, 5], [1, 1, 1, 1, 1])  # four scores before: not enough
    scores(few_recent, [5, 5, 5, 5, 5], [1, 1, 1, 1])  # four recent scores: not enough

    evidence = reasons_of(at_threshold)[CSAT_DROP]
    assert (evidence["before_mean"], evidence["recent_mean"], evidence["drop"]) == ("4.00", "3.50", "0.50")
    assert (evidence["before_scores"], evidence["recent_scores"]) == (5, 10)
    assert CSAT_DROP not in reasons_of(under)
    assert reasons_of(few_before) == {} and reasons_of(few_recent) == {}
    assert CSAT_DROP in reasons_of(under, rules=RiskRules(csat_min_drop=Decimal("0.4")))


# --- no new customer ------------------------------------------------------------------------------------------------


def test_no_new_customer_for_sixty_days_is_a_reason_and_fifty_nine_is_not():
    quiet, recent, never = make_partner(), make_partner(), make_partner()
    a, b = make_customer(quiet), make_customer(quiet)
    ingest(paid(a, "10.00", at="2026-01-05T10:00:00-03:00"),
           paid(b, "10.00", at="2026-04-16T23:30:00-03:00"),  # 60 days before 2026-06-15 (local day)
           paid(b, "10.00", at="2026-06-01T10:00:00-03:00"))  # a second invoice is not a new customer
    ingest(paid(make_customer(recent), "10.00", at="2026-04-17T00:30:00-03:00"))  # 59 days before
    make_customer(never)  # never paid: never had a customer

    assert reasons_of(quiet)[NO_NEW_CUSTOMER] == {"last_new_customer_on": "2026-04-16", "days_since": 60,
                                                  "customers": 2, "quiet_days": 60}
    assert NO_NEW_CUSTOMER not in reasons_of(recent)
    assert reasons_of(never) == {}
    assert NO_NEW_CUSTOMER in reasons_of(recent, on=ON + timedelta(days=1))


# --- agreements -----------------------------------------------------------------------------------------------------


def agreement(partner: Partner, **fields: Any) -> Agreement:
    data: dict[str, Any] = {"type": "channel_partner", "status": "active", "start_date": date(2025, 8, 14),
                            "initial_term_months": 12, "auto_renewal": False, "notice_days": 90}
    data.update(fields)
    return Agreement.objects.create(partner=partner, **data)


def test_an_agreement_ending_within_sixty_days_without_renewal_is_a_reason():
    ending, later, renews, renewed = make_partner(), make_partner(), make_partner(), make_partner()
    a = agreement(ending)  # started 2025-08-14: ends 2026-08-14 (Civil Code art. 132 §3),: 60 days after 2026-06-15
    agreement(later, start_date=date(2025, 8, 15))  # ends 2026-08-15: 61 days
    agreement(renews, auto_renewal=True, renewal_term_months=12)
    agreement(renewed)
    agreement(renewed, start_date=date(2026, 6, 1), initial_term_months=24)  # a new agreement past the end

    assert reasons_of(ending)[AGREEMENT_ENDING] == {
        "agreement_id": a.pk, "type": "channel_partner", "title": "", "window_days": 60,
        "why": "ending", "ends_on": "2026-08-14", "days_left": 60}
    assert reasons_of(later) == {} and reasons_of(renews) == {} and reasons_of(renewed) == {}
    risk = next(r for r in risk_list(ON) if r.partner_id == ending.pk)
    assert risk.reasons[0].url == f"/console/agreements/{a.pk}/"


def test_notice_given_is_a_termination_in_the_last_sixty_days():
    recent, old = make_partner(), make_partner()
    a = agreement(recent, status="terminated", terminated_on=date(2026, 4, 17))  # 59 days ago
    agreement(old, status="terminated", terminated_on=date(2026, 4, 16))  # 60 days ago: outside the window

    assert reasons_of(recent)[AGREEMENT_ENDING] == {
        "agreement_id": a.pk, "type": "channel_partner", "title": "", "window_days": 60,
        "why": "notice", "terminated_on": "2026-04-17"}
    assert reasons_of(old) == {}


# --- disputes -------------------------------------------------------------------------------------------------------


def disputes(partner: Partner, *days: str) -> None:
    for i, day in enumerate(days):
        Dispute.objects.create(partner=partner, subject="missing_attribution", customer_external_id=f"x{i}_{day}",
                               description="d", opened_by_label="t", opened_at=at(f"{day} 12:00"),
                               response_due_at=at(f"{day} 12:00") + timedelta(days=3))


def test_a_dispute_spike_is_against_the_partner_s_own_baseline():
    spike, busier, few = make_partner(), make_partner(), make_partner()
    # the last 30 days: 2026-05-17 … 2026-06-15; the 180 before: 2025-11-18 … 2026-05-16
    disputes(spike, "2026-05-17", "2026-06-01", "2026-06-15", "2026-01-10", "2026-03-10", "2026-05-16")
    disputes(busier, "2026-05-20", "2026-06-01", "2026-06-10", "2025-12-01", "2026-01-10", "2026-02-10",
             "2026-03-10")  # 3 against 4/6 per 30 days: 3 × 6 = 18 ≥ 3 × 4 = 12 → a spike as well
    disputes(few, "2026-05-20", "2026-06-01", "2025-11-17")  # two recent: under the minimum of three

    assert reasons_of(spike)[DISPUTE_SPIKE] == {"recent": 3, "recent_days": 30, "baseline": 3,
                                                "baseline_days": 180, "baseline_mean": "0.50", "factor": "3",
                                                "min": 3}
    assert reasons_of(busier)[DISPUTE_SPIKE]["baseline_mean"] == "0.67"
    assert reasons_of(few) == {}


def test_a_dispute_spike_boundary_is_factor_times_the_baseline():
    at_factor, under = make_partner(), make_partner()
    disputes(at_factor, "2026-06-01", "2026-06-02", "2026-06-03",
             *[f"2026-0{m}-0{d}" for m in (1, 2, 3) for d in (1, 2)])  # 3 recent, 6 before: 3 × 6 = 18 = 3 × 6
    disputes(under, "2026-06-01", "2026-06-02", "2026-06-03",
             *[f"2026-0{m}-0{d}" for m in (1, 2, 3) for d in (1, 2)], "2026-04-01")  # 7 before: 18 < 21

    assert reasons_of(at_factor)[DISPUTE_SPIKE]["baseline_mean"] == "1.00"
    assert reasons_of(under) == {}


# --- refund rate ----------------------------------------------------------------------------------------------------


@pytest.fixture
def small_refund_rule(settings: Any) -> None:
    product = copy.deepcopy(settings.PARCERIA)
    product["SAFEGUARDS"].update({"REFUND_MIN_INVOICES": 4, "REFUND_MIN_PEERS": 3, "REFUND_MAX_P": "0.05"})
    settings.PARCERIA = product


def test_the_refund_rate_reason_is_the_safeguard_s_rule(small_refund_rule: None):
    bad, *peers = [make_partner() for _ in range(4)]
    events = []
    for partner in (bad, *peers):
        customer = make_customer(partner)
        for i in range(10):
            events.append(paid(customer, "10.00", invoice_id=f"i{partner.pk}_{i}",
                               at=f"2026-05-{i + 1:02d}T10:00:00-03:00"))
    for i in range(6):
        events.append(refunded(Partner.objects.get(pk=bad.pk).customers.first(), f"i{bad.pk}_{i}", "10.00",
                               at="2026-05-20T10:00:00-03:00"))
    ingest(*events)

    evidence = reasons_of(bad)[REFUND_RATE]

    assert evidence == {"window_days": 90, "invoices": 10, "refunded": 6, "rate": "0.6000", "peers": 3,
                        "peer_median": "0.0000", "threshold": "0.0500", "chance": "0.000000", "max_p": "0.05"}
    assert all(REFUND_RATE not in reasons_of(p) for p in peers)


# --- the list -------------------------------------------------------------------------------------------------------


def test_the_score_is_the_sum_of_the_weights_at_most_100_and_the_list_is_sorted():
    two, one = make_partner(name="B two"), make_partner(name="A one")
    agreement(two)
    disputes(two, "2026-06-01", "2026-06-02", "2026-06-03")
    agreement(one)
    make_partner(status="terminated", name="Gone")  # never listed

    risks = risk_list(ON)

    assert [(r.partner_name, r.score) for r in risks] == [("B two", 30), ("A one", 20)]
    assert [r.key for r in risks[0].reasons] == [AGREEMENT_ENDING, DISPUTE_SPIKE]
    heavy = risk_list(ON, RiskRules(weights={AGREEMENT_ENDING: 80, DISPUTE_SPIKE: 70, FALLING_REFERRALS: 0,
                                             CSAT_DROP: 0, NO_NEW_CUSTOMER: 0, REFUND_RATE: 0}))
    assert heavy[0].score == 100 and sum(r.weight for r in heavy[0].reasons) == 150


def test_weights_come_from_settings(settings: Any):
    product = copy.deepcopy(settings.PARCERIA)
    product["ANALYTICS_RISK_WEIGHTS"] = {**product["ANALYTICS_RISK_WEIGHTS"], "agreement_ending": 42}
    settings.PARCERIA = product
    p = make_partner()
    agreement(p)
    assert [r.score for r in risk_list(ON) if r.partner_id == p.pk] == [42]


def test_the_list_takes_a_fixed_number_of_queries():
    def count() -> int:
        ensure()  # the monthly roll-up brought up to date first: its build is not the list's work
        with CaptureQueriesContext(connection) as ctx:
            risk_list(ON)
        return len(ctx.captured_queries)

    p = make_partner()
    agreement(p)
    disputes(p, "2026-06-01", "2026-06-02", "2026-06-03")
    ingest(paid(make_customer(p), "1.00", at="2026-01-05T10:00:00-03:00"))
    few = count()
    for _ in range(5):
        q = make_partner()
        agreement(q)
        disputes(q, "2026-06-01", "2026-06-02", "2026-06-03")
        referral_months(q, [3, 2, 1, 1, 1, 0])
        ingest(paid(make_customer(q), "1.00", at="2026-01-05T10:00:00-03:00"))
    assert count() == few


def test_a_partner_risk_without_reasons_scores_zero():
    assert PartnerRisk(1, "x", None, "active").score == 0


# --- the API and the page -------------------------------------------------------------------------------------------


def at_risk() -> tuple[Partner, Agreement]:
    p = make_partner(name="Acme Parceiros")
    a = agreement(p)
    disputes(p, "2026-06-01", "2026-06-02", "2026-06-03")
    return p, a


def test_the_api_lists_partners_at_risk_with_their_reasons(client: Any):
    p, a = at_risk()
    key = make_key("analytics")

    response = client.get("/api/v1/analytics/risks?on=2026-06-15", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 200
    body = response.json()
    assert body["on"] == "2026-06-15"
    assert [(x["partner_id"], x["partner_name"], x["score"]) for x in body["partners"]] == [
        (p.pk, "Acme Parceiros", 30)]
    ending, spike = body["partners"][0]["reasons"]
    assert ending == {"key": "agreement_ending", "weight": 20, "url": f"/console/agreements/{a.pk}/",
                      "text": "The agreement “Channel partner agreement” ends on 08/14/2026 (in 60 days) and is not "
                              "renewed.",
                      "evidence": {"agreement_id": a.pk, "type": "channel_partner",
                                   "title": "", "window_days": 60, "why": "ending",
                                   "ends_on": "2026-08-14", "days_left": 60}}
    assert spike["key"] == "dispute_spike" and spike["url"] == f"/console/partners/{p.pk}/#disputes"
    assert spike["text"] == "3 disputes opened in the last 30 days, against 0.00 per 30 days before."


@pytest.mark.parametrize("scope", ["admin", "finance"])
def test_staff_keys_read_the_list(client: Any, scope: str):
    at_risk()
    response = client.get("/api/v1/analytics/risks?on=2026-06-15", HTTP_AUTHORIZATION=f"Bearer {make_key(scope)}")
    assert response.status_code == 200 and len(response.json()["partners"]) == 1


def test_a_partner_key_is_refused_and_sees_nothing(client: Any):
    p, _a = at_risk()
    response = client.get("/api/v1/analytics/risks?on=2026-06-15",
                          HTTP_AUTHORIZATION=f"Bearer {make_key('partner', p)}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden_scope"
    assert "Acme" not in response.content.decode()


@pytest.mark.parametrize("on", ["2026-02-30", "2026-6-15", "yesterday", "", "0000-01-01"])
def test_a_bad_day_is_a_4xx_in_the_house_format(client: Any, on: str):
    response = client.get(f"/api/v1/analytics/risks?on={on}", HTTP_AUTHORIZATION=f"Bearer {make_key('analytics')}")
    assert response.status_code in (400, 422)
    assert set(response.json()["error"]) >= {"code", "message"}


def test_without_a_key_the_api_answers_401(client: Any):
    assert client.get("/api/v1/analytics/risks").status_code == 401


def test_the_console_page_lists_filters_and_exports():
    p, a = at_risk()
    other = make_partner(name="Beta", tier="preferred")
    agreement(other)
    staff = staff_client("analyst1", "analyst")

    page = staff.get("/console/program/risks/?on=2026-06-15")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("Acme Parceiros") < html.index("Beta")
    assert f'href="/console/agreements/{a.pk}/"' in html and f'href="/console/partners/{p.pk}/#disputes"' in html
    assert "ends on 08/14/2026 (in 60 days)" in html

    spikes = staff.get("/console/program/risks/?on=2026-06-15&reason=dispute_spike").content.decode()
    assert "Acme Parceiros" in spikes and "Beta" not in spikes
    preferred = staff.get("/console/program/risks/?on=2026-06-15&tier=preferred").content.decode()
    assert "Beta" in preferred and "Acme Parceiros" not in preferred

    csv = staff.get("/console/program/risks/?on=2026-06-15&export=csv")
    assert csv["Content-Disposition"].endswith('risks-2026-06-15.csv"')
    lines = csv.content.decode().removeprefix("\ufeff").splitlines()
    assert lines[0] == "Partner,Partner ID,Tier,Status,Score,Reasons"
    assert lines[1].startswith(f"Acme Parceiros,{p.pk},No tier,Active,30,")
    assert lines[2].startswith(f"Beta,{other.pk},Preferred,Active,20,")
    xlsx = staff.get("/console/program/risks/?on=2026-06-15&export=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_a_bad_filter_is_a_422_page_that_lists_nothing():
    at_risk()
    staff = staff_client("analyst2", "analyst")
    response = staff.get("/console/program/risks/?on=2026-13-40&reason=nonsense")
    assert response.status_code == 422 and "Acme Parceiros" not in response.content.decode()


def test_a_partner_user_cannot_open_the_page(client: Any):
    p, _a = at_risk()
    from parceria.accounts.services import user_create
    from tests.factories import ACTOR, PASSWORD
    user = user_create(username="pa", password=PASSWORD, role="partner_admin", email="pa@example.com",
                       partner=p, actor=ACTOR)
    client.force_login(user)
    response = client.get("/console/program/risks/")
    assert response.status_code in (302, 403, 404) and "Acme Parceiros" not in response.content.decode()


def test_suspended_partners_are_judged_and_terminated_ones_are_not():
    suspended, terminated = make_partner(), make_partner()
    agreement(suspended)
    agreement(terminated)
    Partner.objects.filter(pk=suspended.pk).update(status="suspended")
    Partner.objects.filter(pk=terminated.pk).update(status="terminated")

    assert [(r.partner_id, r.status, r.score) for r in risk_list(ON)] == [(suspended.pk, "suspended", 20)]


def test_reasons_read_in_the_reader_s_language():
    from django.utils import translation

    p = make_partner()
    agreement(p)
    reason = risk_list(ON)[0].reasons[0]
    with translation.override("pt-br"):
        assert reason.label == "Contrato terminando"
        assert reason.text == ("O contrato “Contrato de parceiro de canal” termina em 14/08/2026 (em 60 dias) e não é "
                               "renovado.")
    with translation.override("es"):
        assert reason.text.startswith("El contrato “Contrato de socio de canal” termina el 14/08/2026")


def test_negative_weights_are_refused(settings: Any):
    product = copy.deepcopy(settings.PARCERIA)
    product["ANALYTICS_RISK_WEIGHTS"] = {"csat_drop": -5}
    settings.PARCERIA = product
    with pytest.raises(ValueError, match="must not be negative"):
        RiskRules.from_settings()


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9998, 12, 31)))
def test_every_day_as_yyyy_mm_dd_is_read_back(day: date):
    assert day_of(day.isoformat()) == day


@given(st.text(max_size=12))
def test_any_other_text_is_an_invalid_date_never_a_crash(text: str):
    try:
        day = day_of(text)
    except InvalidInput as error:
        assert error.code == "invalid_date"
    else:
        assert day.isoformat() == text
