"""The tier API: progress (a partner key sees only its own partner) and assessments on demand."""

from __future__ import annotations

import pytest

from parceria.partners.models import TierAssessment
from tests.conftest import ApiClient
from tests.factories import at, make_key, make_partner
from tests.tiers.conftest import make_certified

pytestmark = pytest.mark.django_db


def test_tier_progress_shows_the_evidence_and_what_is_missing_for_the_next_tier(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: at("2026-04-15 10:00"))  # the on-demand assessment's moment
    partner = make_partner()
    make_certified(partner)
    admin = ApiClient(make_key("admin"))
    response = admin.post("/tier-assessments", {"partner_id": partner.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(o["partner_id"], o["change"], o["resulting_tier"]) for o in body["outcomes"]] == [
        (partner.pk, "promoted", "certified")]

    own = ApiClient(make_key("partner", partner)).get(f"/partners/{partner.pk}/tier-progress")
    assert own.status_code == 200, own.content
    progress = own.json()
    assert progress["tier"] == "certified"
    assert progress["benefits"]["commission_rate"] == "0.20"
    assert progress["next_tier"] == "preferred"
    missing = {m["metric"]: m for m in progress["missing_for_next_tier"]}
    assert set(missing) == {"arr", "csat", "advanced_certification"}
    assert (missing["arr"]["actual"], missing["arr"]["required"], missing["arr"]["gap"]) == (
        "1200.00", "50000.00", "48800.00")  # 12 × R$ 100.00
    assert missing["csat"]["actual"] is None
    assert progress["assessment"]["evidence"]["metrics"]["referrals_last_quarter"] == 5


def test_a_partner_key_of_another_partner_gets_404():
    mine, other = make_partner(), make_partner()
    response = ApiClient(make_key("partner", mine)).get(f"/partners/{other.pk}/tier-progress")
    assert response.status_code == 404
    assert ApiClient(make_key("admin")).get(f"/partners/{other.pk}/tier-progress").status_code == 200


def test_only_partner_managers_run_assessments():
    partner = make_partner()
    assert ApiClient(make_key("partner", partner)).post("/tier-assessments", {}).status_code == 403
    assert ApiClient(make_key("analytics")).post("/tier-assessments", {}).status_code == 403
    assert not TierAssessment.objects.exists()
    response = ApiClient(make_key("admin")).post("/tier-assessments", {"dry_run": True})
    assert response.status_code == 200 and response.json()["dry_run"] is True
    assert not TierAssessment.objects.exists()


def test_progress_without_an_assessment_yet():
    partner = make_partner()
    body = ApiClient(make_key("admin")).get(f"/partners/{partner.pk}/tier-progress").json()
    assert (body["tier"], body["next_tier"], body["assessment"], body["missing_for_next_tier"]) == (
        None, "certified", None, [])
