"""The console's tiers page: the latest assessment of each partner with its numbers (filters, sorting, CSV), an
assessment on demand with a confirmation and its counts (partner managers and admins only), the tier progress on
the partner page, and a constant number of queries whatever the number of partners."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parceria.partners.models import Partner, TierAssessment
from parceria.tiers.assessment import tiers_assess
from tests.factories import ACTOR, at, make_customer, make_partner, staff_client
from tests.tiers.conftest import csat, make_certified, monthly, part, referrals, row_text, text_of, train

pytestmark = pytest.mark.django_db
NOW = at("2026-04-15 10:00")


def three_partners() -> dict[str, Partner]:
    """Alfa: Certified figures, ARR R$ 37,654.33, CSAT 3.50. Delta: Preferred with no figures. Gama: nothing."""
    alfa = make_partner(name="Alfa Consultoria")
    make_certified(alfa)
    second = make_customer(alfa)
    monthly(second, "3037.8608")
    csat(alfa.customers.order_by("id").first(), 4)
    csat(second, 3)
    return {"alfa": alfa, "delta": make_partner(name="Delta Cloud", tier="preferred"),
            "gama": make_partner(name="Gama Digital")}


@pytest.fixture
def assessed(assess) -> dict[str, Partner]:
    partners = three_partners()
    assess(at("2026-04-01 09:00"), partner_ids=[partners["alfa"].pk])  # an earlier one: the list shows the latest
    assess(NOW)
    for partner in partners.values():
        partner.refresh_from_db()
    return partners


def listed(html: str) -> list[str]:
    return [text_of(name) for name in re.findall(r'<tr data-partner="\d+">\s*<td><a[^>]*>(.*?)</a>', html)]


def test_the_list_shows_the_latest_assessment_of_each_partner_with_its_numbers(assessed):
    html = staff_client("pm", "partner_manager").get("/console/tiers/").content.decode()
    assert listed(html) == ["Alfa Consultoria", "Delta Cloud", "Gama Digital"]
    alfa, delta = assessed["alfa"], assessed["delta"]
    assert row_text(html, "partner", str(alfa.pk)) == (
        "Alfa Consultoria Certified Certified Promoted from No tier yet 04/15/2026 Toward Preferred: "
        "Not met ARR from referred customers: R$ 37,654.33 (at least R$ 50,000.00) · R$ 12,345.67 more ARR "
        "Not met CSAT (mean of customers' latest scores): 3.50 (above 4.00) · The mean CSAT must rise above 4.00 "
        "(it is 3.50) "
        "Not met Advanced product certification: No (Required) · Earn the advanced product certification —")
    assert row_text(html, "partner", str(delta.pk)).startswith(
        "Delta Cloud Preferred No tier yet Unchanged below since 04/15/2026; demotion from 10/01/2026 04/15/2026 "
        "Toward Strategic: Not met Core training programme complete: No (Required)")
    assert 'id="assess-form"' in html


@pytest.mark.parametrize(("query", "names"), [
    ("change=promoted", ["Alfa Consultoria"]),
    ("change=grace", ["Delta Cloud"]),
    ("change=unchanged", ["Delta Cloud", "Gama Digital"]),
    ("tier=none", ["Gama Digital"]),
    ("tier=preferred", ["Delta Cloud"]),
    ("qualified=certified", ["Alfa Consultoria"]),
    ("qualified=none", ["Delta Cloud", "Gama Digital"]),
    ("q=delt", ["Delta Cloud"]),
    ("sort=-partner", ["Gama Digital", "Delta Cloud", "Alfa Consultoria"]),
    ("sort=-change", ["Alfa Consultoria", "Gama Digital", "Delta Cloud"]),
])
def test_filters_and_sorting(assessed, query, names):
    html = staff_client("ana", "analyst").get(f"/console/tiers/?{query}").content.decode()
    assert listed(html) == names


def test_a_bad_filter_says_so_beside_the_field_and_lists_everything(assessed):
    response = staff_client("ana", "analyst").get("/console/tiers/?tier=platinum")
    assert response.status_code == 422
    html = response.content.decode()
    assert "Select a valid choice. platinum is not one of the available choices." in html
    assert listed(html) == ["Alfa Consultoria", "Delta Cloud", "Gama Digital"]


def test_csv_export_has_every_filtered_row_with_its_numbers(assessed):
    response = staff_client("ana", "analyst").get("/console/tiers/?export=csv&qualified=none&page=2")
    assert response["Content-Disposition"] == 'attachment; filename="tiers.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:10] == ["Partner id", "Partner", "Tier", "Assessed on", "Previous tier", "Qualified tier",
                            "Resulting tier", "Tier change", "Below since", "Demotion due"]
    delta, gama = assessed["delta"], assessed["gama"]
    assert rows[1][:19] == [
        str(delta.pk), "Delta Cloud", "Preferred", "2026-04-15", "Preferred", "", "Preferred", "unchanged",
        "2026-04-15", "2026-10-01", "0.00", "", "0", "0", "No", "No", "No", "Strategic",
        "training_complete: required; successful_implementations: 0 (needs >= 1), 1 more; referrals_last_quarter: 0 "
        "(needs >= 5), 5 more; arr: 0.00 (needs >= 50000.00), 50000.00 more; csat: none (needs > 4.00); "
        "advanced_certification: required; arr: 0.00 (needs >= 200000.00), 200000.00 more; csat: none "
        "(needs > 4.50); joint_business_plan: required"]
    assert rows[2][:3] == [str(gama.pk), "Gama Digital", ""] and len(rows) == 3


def run_on_demand(client) -> str:
    """The two steps of the button: the confirmation, then the confirmed POST; returns the page it leads to."""
    confirm = client.post("/console/tiers/")
    assert confirm.status_code == 200
    response = client.post("/console/tiers/", {"confirmed": "1"})
    assert response.status_code == 302 and response["Location"] == "/console/tiers/"
    return client.get("/console/tiers/").content.decode()


def test_a_partner_manager_runs_an_assessment_and_sees_the_counts(monkeypatch, assess):
    alfa = make_partner(name="Alfa Consultoria")
    train(alfa, at("2026-01-20 10:00"))
    customers = referrals(alfa, 5, "2026-05-10T10:00:00-03:00")
    monthly(customers[0], "100.00", paid_at="2026-06-02T10:00:00-03:00", period=("2026-06-01", "2026-06-30"))
    delta = make_partner(name="Delta Cloud", tier="preferred")
    assess(at("2026-01-10 10:00"), partner_ids=[delta.pk])  # below Preferred since 2026-01-10: demotion from July
    make_partner(name="Gama Digital")
    when = at("2026-07-01 10:00")
    monkeypatch.setattr(timezone, "now", lambda: when)
    manager = staff_client("pm", "partner_manager")

    confirm = text_of(manager.post("/console/tiers/").content.decode())
    assert "Every active partner (3) is assessed with its figures as of now." in confirm
    assert "already have an assessment" not in confirm
    assert TierAssessment.objects.filter(assessed_on="2026-07-01").count() == 0

    html = run_on_demand(manager)
    assert ("Tier assessment of 07/01/2026 done. Partners assessed: 3; promoted: 1, demoted: 1, unchanged: 1 "
            "(below their tier within the grace: 0).") in text_of(html)
    alfa.refresh_from_db()
    delta.refresh_from_db()
    assert (alfa.tier, delta.tier) == ("certified", None)
    assert row_text(html, "partner", str(alfa.pk)).startswith("Alfa Consultoria Certified Certified Promoted")
    assert row_text(html, "partner", str(delta.pk)).startswith("Delta Cloud No tier yet No tier yet Demoted")

    # the same day again: today's figures are replaced, the changes stay, nothing is promoted twice
    again_confirm = text_of(manager.post("/console/tiers/").content.decode())
    assert ("3 partners already have an assessment on 07/01/2026: running again replaces their figures; the "
            "changes they made stay.") in again_confirm
    html = run_on_demand(manager)
    assert ("Tier assessment of 07/01/2026 done. Partners assessed: 3; promoted: 0, demoted: 0, unchanged: 3 "
            "(below their tier within the grace: 0).") in text_of(html)
    assert TierAssessment.objects.filter(assessed_on="2026-07-01").count() == 3
    assert TierAssessment.objects.get(partner=alfa, assessed_on="2026-07-01").change == "promoted"
    assert alfa.terms_versions.filter(tier="certified").count() == 1


@pytest.mark.parametrize("role", ["analyst", "finance"])
def test_analysts_and_finance_read_but_may_not_assess(role, assessed):
    client = staff_client(role, role)
    page = client.get("/console/tiers/")
    assert page.status_code == 200 and 'id="assess-form"' not in page.content.decode()
    before = list(TierAssessment.objects.order_by("id").values_list("id", "assessed_at"))
    assert client.post("/console/tiers/").status_code == 403
    assert client.post("/console/tiers/", {"confirmed": "1"}).status_code == 403
    assert list(TierAssessment.objects.order_by("id").values_list("id", "assessed_at")) == before


def test_the_partner_page_shows_its_tier_progress(assessed):
    alfa = assessed["alfa"]
    html = staff_client("fin", "finance").get(f"/console/partners/{alfa.pk}/").content.decode()
    section = part(html, "tier")
    assert section.startswith("Tier progress Tier now: Certified. Latest assessment: 04/15/2026. All assessments "
                              "Toward Preferred")
    assert row_text(html, "metric", "arr") == (
        "ARR from referred customers R$ 37,654.33 at least R$ 50,000.00 Not met R$ 12,345.67 more ARR")
    delta = assessed["delta"]
    delta_page = staff_client("fin4", "finance").get(f"/console/partners/{delta.pk}/").content.decode()
    assert part(delta_page, "tier").startswith(
        "Tier progress Tier now: Preferred. Latest assessment: 04/15/2026. Below its tier since 04/15/2026: loses "
        "it at an assessment from 10/01/2026 on unless it recovers. All assessments Toward Strategic")
    gama = assessed["gama"]
    fresh = make_partner(name="Nova")
    assert "Not assessed yet." in part(staff_client("fin2", "finance").get(
        f"/console/partners/{fresh.pk}/").content.decode(), "tier")
    assert "Tier now: No tier yet." in part(staff_client("fin3", "finance").get(
        f"/console/partners/{gama.pk}/").content.decode(), "tier")


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_the_list_makes_the_same_number_of_queries_for_3_and_30_partners(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    client = staff_client("ana", "analyst")
    urls = ["/console/tiers/", "/console/tiers/?sort=-qualified&change=unchanged", "/console/tiers/?export=csv"]
    partners = [make_partner(name=f"Tier {n}", tier="certified" if n % 2 else None) for n in range(3)]
    tiers_assess(actor=ACTOR, now=NOW)
    few = [count_queries(client, url) for url in urls]
    partners += [make_partner(name=f"Tier {n}", tier="certified" if n % 2 else None) for n in range(3, 30)]
    tiers_assess(actor=ACTOR, now=NOW)
    assert TierAssessment.objects.count() == 30
    many = [count_queries(client, url) for url in urls]
    assert many == few
    assert max(many) <= 12, many
