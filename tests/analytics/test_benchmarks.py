"""Partner benchmarks (analytics.benchmarks): the percentiles among tier-and-category peers, ROI, concentration,
and the console pages and API routes over them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from parceria.agreements.models import Agreement, AgreementStatus, AgreementType
from parceria.analytics.benchmarks import (
    concentration,
    mid_rank_percentile,
    partner_benchmarks,
    partner_scorecard,
    roi,
)
from parceria.analytics.inputs import figure_record
from parceria.analytics.periods import parse_period
from parceria.analytics.rollup import ensure
from parceria.commissions.models import LedgerLine
from parceria.common.audit import Actor
from parceria.common.models import FxRate
from parceria.disputes.models import Dispute
from tests.factories import at, ingest, make_customer, make_key, make_partner, paid, refunded, staff_client

pytestmark = pytest.mark.django_db

ACTOR = Actor(label="tests")
MARCH = parse_period("2026-03")
Q1 = parse_period("2026-Q1")


def _pay(partner, *amounts: str, when: str = "2026-03-10T10:00:00-03:00") -> None:
    for amount in amounts:
        ingest(paid(make_customer(partner), amount, at=when))


def _score(scores, partner):
    return next(s for s in scores if s.partner_id == partner.pk)


# --- percentiles --------------------------------------------------------------------------------------------------


def test_mid_rank_percentile_worked_by_hand():
    values = [1, 2, 2, 3]
    assert mid_rank_percentile(1, values) == Decimal("12.5")  # (0 + 1/2) / 4
    assert mid_rank_percentile(2, values) == Decimal("50.0")  # (1 + 2/2) / 4: both tied partners share it
    assert mid_rank_percentile(3, values) == Decimal("87.5")  # (3 + 1/2) / 4
    assert mid_rank_percentile(5, [5, 5, 5]) == Decimal("50.0")  # all tied: the middle
    assert mid_rank_percentile(7, [7]) is None  # a group of one has no percentile
    assert mid_rank_percentile(0, [0, 1, 1]) == Decimal("16.7")  # (0 + 1/2) / 3 = 16.666…


@given(st.lists(st.integers(min_value=-50, max_value=50), min_size=2, max_size=30))
def test_percentiles_lie_between_0_and_100_and_ties_share_one(values):
    ranks = {v: mid_rank_percentile(v, values) for v in values}
    assert all(Decimal(0) < r < Decimal(100) for r in ranks.values() if r is not None)
    assert sorted(ranks.values()) == [ranks[v] for v in sorted(ranks)]  # order-preserving


def test_partners_are_ranked_among_their_tier_and_category_peers_with_ties_averaged():
    a, b, c = (make_partner(name=n, tier="certified") for n in ("Alfa", "Beta", "Gama"))
    other_category = make_partner(name="Delta", tier="certified", category="industry_vertical",
                                  subcategory="healthcare")
    other_tier = make_partner(name="Épsilon", tier="preferred")
    _pay(a, "100.00", "100.00")
    _pay(b, "100.00", "100.00")
    _pay(other_category, "100.00", "100.00", "100.00")
    _pay(other_tier, "100.00")

    scores = partner_benchmarks(MARCH)

    acquired = {s.name: (s.value("customers_acquired"), s.metrics["customers_acquired"].percentile) for s in scores}
    assert acquired == {"Alfa": (2, Decimal("66.7")), "Beta": (2, Decimal("66.7")),  # (1 + 2/2) / 3
                        "Gama": (0, Decimal("16.7")),  # (0 + 1/2) / 3
                        "Delta": (3, None), "Épsilon": (1, None)}  # alone in their group
    assert _score(scores, a).peers == 3 and _score(scores, other_tier).peers == 1
    # A metric with no data has no percentile (no CSAT, no NPS figure, no registrations).
    assert all(s.metrics["csat"].percentile is None and s.value("nps") is None for s in scores)
    assert _score(scores, c).metrics["revenue"].value == Decimal("0.00")


def test_less_is_better_metrics_rank_the_fewest_highest():
    a, b = make_partner(tier="certified"), make_partner(tier="certified")
    for n in range(2):
        Dispute.objects.create(partner=a, subject="missing_attribution", description="x", opened_by_label="t",
                               opened_at=at(f"2026-03-1{n} 10:00"), response_due_at=at("2026-03-20 10:00"))
    scores = partner_benchmarks(MARCH)
    assert _score(scores, a).value("disputes_opened") == 2
    assert _score(scores, a).metrics["disputes_opened"].percentile == Decimal("25.0")
    assert _score(scores, b).metrics["disputes_opened"].percentile == Decimal("75.0")


def test_scorecard_figures_of_one_partner():
    p = make_partner(tier="certified")
    peer = make_partner(tier="certified")
    Agreement.objects.create(partner=p, type=AgreementType.CHANNEL_PARTNER, status=AgreementStatus.ACTIVE,
                             start_date=date(2026, 1, 1), signed_on=date(2026, 1, 20))
    FxRate.objects.create(base="USD", quote="BRL", on_date=date(2026, 3, 30), rate=Decimal("5.0000"), source="t")
    _pay(p, "500.00", when="2026-02-10T10:00:00-03:00")  # February: the previous period, first customer
    first = make_customer(p)
    ingest(paid(first, "1000.00", invoice_id="m1", at="2026-03-05T10:00:00-03:00"),
           refunded(first, "m1", "250.00", at="2026-03-06T10:00:00-03:00"))
    figure_record(key="partner_satisfaction", month=date(2026, 3, 1), value=Decimal(4), partner=p, actor=ACTOR)
    figure_record(key="mdf_spent", month=date(2026, 3, 1), value=Decimal("10"), currency="USD", partner=p,
                  actor=ACTOR)
    figure_record(key="support_cost", month=date(2026, 3, 1), value=Decimal("40.00"), currency="BRL", partner=p,
                  actor=ACTOR)
    commissions = sum((line.amount for line in LedgerLine.objects.filter(partner=p, period=date(2026, 3, 1))),
                      Decimal(0))

    card = partner_scorecard(p, MARCH)

    assert card.value("customers_acquired") == 1
    assert card.value("revenue") == Decimal("750.00")
    assert card.value("arr") == Decimal("9000.00")
    assert card.value("revenue_growth") == Decimal("50.00")  # 750 vs 500
    assert card.value("nps") == Decimal("4.00")
    assert card.value("mdf_used") == Decimal("50.00")  # US$ 10 at 5.0000 on 31 March
    assert card.value("time_to_first_customer") == 21  # 20 January → 10 February
    cost = commissions + Decimal("50.00") + Decimal("40.00")
    assert card.commissions == commissions.quantize(Decimal("0.01"))
    assert card.value("roi") == ((Decimal("750.00") - cost) * 100 / cost).quantize(Decimal("0.01"))
    assert card.metrics["revenue"].percentile == Decimal("75.0")  # above its one peer
    assert partner_scorecard(peer, MARCH).value("roi") is None  # no cost at all: no ROI


@given(st.lists(st.integers(-5, 5), min_size=1, max_size=30), st.data())
def test_mid_rank_percentile_is_the_count_of_values_below_and_equal(values, data):
    value = data.draw(st.sampled_from(values))
    below, equal = sum(v < value for v in values), sum(v == value for v in values)
    expected = None if len(values) < 2 else (
        (Decimal(below) + Decimal(equal) / 2) * 100 / len(values)).quantize(Decimal("0.1"), "ROUND_HALF_UP")
    assert mid_rank_percentile(value, values) == expected


def test_roi_without_cost_is_none_and_exact_otherwise():
    assert roi(Decimal("100.00"), Decimal(0)) is None
    assert roi(Decimal("0.00"), Decimal(0)) is None
    assert roi(Decimal("1000.00"), Decimal("250.00")) == Decimal("300.00")
    assert roi(Decimal("100.00"), Decimal("300.00")) == Decimal("-66.67")


def test_the_number_of_queries_does_not_grow_with_partners(django_assert_max_num_queries):
    for _n in range(3):
        _pay(make_partner(tier="certified"), "10.00")
    ensure()  # the monthly roll-up brought up to date first: its build is not the benchmarks' work
    with django_assert_max_num_queries(32) as few:
        partner_benchmarks(Q1)
    for n in range(9):
        p = make_partner(tier=["certified", "preferred", None][n % 3])
        _pay(p, "10.00")
        figure_record(key="mdf_spent", month=date(2026, 3, 1), value=Decimal("1"), currency="BRL", partner=p,
                      actor=ACTOR)
    ensure()
    with django_assert_max_num_queries(len(few.captured_queries)):
        partner_benchmarks(Q1)


# --- concentration ----------------------------------------------------------------------------------------------


def test_concentration_shares_and_hhi_exact():
    big, mid, small, refunded_out = (make_partner(name=n) for n in ("Big", "Mid", "Small", "Refunded"))
    _pay(big, "600.00")
    _pay(mid, "200.00", "100.00")
    _pay(small, "100.00")
    customer = make_customer(refunded_out)
    ingest(paid(customer, "50.00", invoice_id="r1", at="2026-02-10T10:00:00-03:00"),
           refunded(customer, "r1", "50.00", at="2026-03-10T10:00:00-03:00"))  # −50 in March: no share
    _pay(None, "999.00")  # direct revenue is not a partner's

    result = concentration(MARCH)

    assert result.total == Decimal("1000.00") and result.partners == 3
    assert [(s.name, s.revenue, s.share) for s in result.top] == [
        ("Big", Decimal("600.00"), Decimal("60.00")), ("Mid", Decimal("300.00"), Decimal("30.00")),
        ("Small", Decimal("100.00"), Decimal("10.00"))]
    assert result.top_share == Decimal("60.00")
    assert result.hhi == Decimal("4600.00")  # 60² + 30² + 10²
    assert result.others is None
    two = concentration(MARCH, top=2)
    assert two.others is not None and (two.others.revenue, two.others.share) == (Decimal("100.00"), Decimal("10.00"))


def test_concentration_hhi_of_thirds_is_rounded_once():
    for _ in range(3):
        _pay(make_partner(), "100.00")
    result = concentration(MARCH)
    assert result.hhi == Decimal("3333.33")  # 3 × (100/3)², not 3 × 33.33²
    assert concentration(parse_period("2025-01")).hhi is None  # no revenue: nothing to measure


# --- pages --------------------------------------------------------------------------------------------------------


def test_console_list_filters_sorts_and_exports():
    a = make_partner(name="Alfa Consultoria", tier="certified")
    make_partner(name="Beta Integra", tier="preferred")
    z = make_partner(name="Zeta Digital", tier="certified")
    make_partner(name="Ômega Vertical", tier="certified", category="industry_vertical", subcategory="healthcare")
    _pay(a, "123.45")
    _pay(z, "500.00")
    client = staff_client("analyst1", "analyst")
    url = reverse("analytics_console:partners")
    page = client.get(url, {"period": "2026-03", "tier": "certified", "category": "consulting_agency",
                            "sort": "-revenue"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Alfa Consultoria" in html and "Beta Integra" not in html and "Ômega Vertical" not in html
    assert html.index("Zeta Digital") < html.index("Alfa Consultoria")  # the larger revenue first
    ascending = client.get(url, {"period": "2026-03", "tier": "certified", "sort": "revenue"}).content.decode()
    assert ascending.index("Alfa Consultoria") < ascending.index("Zeta Digital")
    csv = client.get(url, {"period": "2026-03", "export": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    assert "Alfa Consultoria" in text and "123.45" in text and "Beta Integra" in text
    assert client.get(url, {"period": "2026-13"}).status_code == 422
    xlsx = client.get(url, {"period": "2026-03", "export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_console_scorecard_and_concentration_pages():
    a = make_partner(name="Alfa Consultoria", tier="certified")
    _pay(a, "100.00")
    client = staff_client("analyst2", "analyst")
    card = client.get(reverse("analytics_console:partner", args=[a.pk]), {"period": "2026-03"})
    assert card.status_code == 200 and "Alfa Consultoria" in card.content.decode()
    assert client.get(reverse("analytics_console:partner", args=[a.pk + 999])).status_code == 404
    page = client.get(reverse("analytics_console:concentration"), {"period": "2026-03"})
    assert page.status_code == 200 and "Alfa Consultoria" in page.content.decode()
    csv = client.get(reverse("analytics_console:concentration"), {"period": "2026-03", "export": "csv"},
                     HTTP_ACCEPT_LANGUAGE="en")
    assert "Alfa Consultoria" in csv.content.decode("utf-8-sig")


# --- API ----------------------------------------------------------------------------------------------------------


def test_api_lists_scorecards_paged_with_metrics():
    a, b = make_partner(name="Alfa", tier="certified"), make_partner(name="Beta", tier="certified")
    _pay(a, "100.00")
    _pay(b, "300.00")
    key = make_key("analytics")
    answer = pytest.importorskip("django.test").Client().get(
        "/api/v1/analytics/partners", {"period": "2026-03", "limit": 1}, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["count"] == 2 and body["limit"] == 1 and len(body["items"]) == 1
    item = body["items"][0]
    assert item["name"] == "Alfa"
    revenue = next(m for m in item["metrics"] if m["key"] == "revenue")
    assert revenue == {"key": "revenue", "label": "Revenue (R$)", "unit": "brl", "value": "100.00",
                       "percentile": "25.0"}


def test_api_scorecard_scope_and_bad_input():
    from django.test import Client

    a, b = make_partner(tier="certified"), make_partner(tier="certified")
    _pay(a, "100.00")
    client = Client()
    own = make_key("partner", a)
    answer = client.get(f"/api/v1/analytics/partners/{a.pk}/scorecard", {"period": "2026-03"},
                        HTTP_AUTHORIZATION=f"Bearer {own}")
    assert answer.status_code == 200 and answer.json()["partner_id"] == a.pk
    other = client.get(f"/api/v1/analytics/partners/{b.pk}/scorecard", {"period": "2026-03"},
                       HTTP_AUTHORIZATION=f"Bearer {own}")
    assert other.status_code == 404
    for path in ("/api/v1/analytics/partners", "/api/v1/analytics/concentration"):
        assert client.get(path, {"period": "2026-03"}, HTTP_AUTHORIZATION=f"Bearer {own}").status_code == 403
    staff = make_key("analytics")
    bad = client.get(f"/api/v1/analytics/partners/{a.pk}/scorecard", {"period": "March"},
                     HTTP_AUTHORIZATION=f"Bearer {staff}")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_period"
    missing = client.get("/api/v1/analytics/partners/99999999/scorecard", {"period": "2026-03"},
                         HTTP_AUTHORIZATION=f"Bearer {staff}")
    assert missing.status_code == 404


def test_api_concentration_exact():
    from django.test import Client

    a, b = make_partner(name="Alfa"), make_partner(name="Beta")
    _pay(a, "750.00")
    _pay(b, "250.00")
    key = make_key("analytics")
    body = Client().get("/api/v1/analytics/concentration", {"period": "2026-Q1"},
                        HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert body["period"] == "2026-Q1" and body["total"] == "1000.00"
    assert body["top_share"] == "75.00" and body["hhi"] == "6250.00"  # 75² + 25²
    assert [(p["name"], p["share"]) for p in body["top"]] == [("Alfa", "75.00"), ("Beta", "25.00")]


def test_commissions_in_another_currency_convert_to_brl_at_the_rate_of_their_events_day():
    p = make_partner(country="US", tier="certified")
    assert p.currency == "USD"
    FxRate.objects.create(base="BRL", quote="USD", on_date=date(2026, 3, 9), rate=Decimal("0.2000000000"), source="t")
    FxRate.objects.create(base="USD", quote="BRL", on_date=date(2026, 3, 9), rate=Decimal("5.0500000000"),
                          source="t")
    FxRate.objects.create(base="USD", quote="BRL", on_date=date(2026, 3, 31), rate=Decimal("5.1000000000"),
                          source="t")  # the month's last rate: not the one of the day the commission was earned
    _pay(p, "1000.00")  # on the 10th
    usd = sum((line.amount for line in LedgerLine.objects.filter(partner=p, period=date(2026, 3, 1))), Decimal(0))
    assert usd > 0 and LedgerLine.objects.filter(partner=p).values_list("currency", flat=True).distinct().get() == "USD"

    card = partner_scorecard(p, MARCH)

    assert card.commissions == (usd * Decimal("5.05")).quantize(Decimal("0.01"))
    cost = (usd * Decimal("5.05")).quantize(Decimal("0.0001"))
    assert card.value("roi") == ((Decimal("1000.00") - cost) * 100 / cost).quantize(Decimal("0.01"))


def test_a_money_figure_without_a_rate_is_left_out_and_counted():
    from parceria.analytics.benchmarks import benchmarks_report

    p = make_partner(tier="certified")
    figure_record(key="mdf_spent", month=date(2026, 3, 1), value=Decimal("10"), currency="USD", partner=p,
                  actor=ACTOR)
    report = benchmarks_report(MARCH)
    assert report.unconverted == 1
    assert _score(report.scores, p).value("mdf_used") is None and _score(report.scores, p).value("roi") is None
