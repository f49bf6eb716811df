"""Agreements API: read with READ, write with MANAGE_PARTNERS; a partner key sees only its own agreements."""

from __future__ import annotations

from datetime import date

import pytest

from parceria.agreements.models import Agreement
from tests.agreements.helpers import make_agreement
from tests.conftest import ApiClient
from tests.factories import make_key, make_partner

pytestmark = pytest.mark.django_db


def test_admin_creates_reads_and_lists(settings):
    partner = make_partner()
    admin = ApiClient(make_key("admin"))
    answer = admin.post("/agreements", {"partner_id": partner.pk, "type": "channel_partner",
                                        "start_date": "2024-02-29", "signed_on": "2024-02-20"})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["status"], body["initial_term_months"], body["auto_renewal"], body["notice_days"]) == (
        "draft", 24, True, 90)
    moved = admin.post(f"/agreements/{body['id']}/status", {"status": "active"})
    assert moved.json()["status"] == "active"
    granted = admin.post(f"/agreements/{body['id']}/rate-overrides",
                         {"rate": "0.27", "effective_from": "2026-04-01"})
    assert granted.status_code == 201
    assert granted.json()["terms"] == [{"kind": "referral_rate_override", "value": "", "rate": "0.27",
                                        "effective_from": "2026-04-01"}]
    listed = admin.get("/agreements", partner_id=partner.pk).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]


def test_bad_input_is_a_422_and_nothing_is_stored():
    partner = make_partner()
    admin = ApiClient(make_key("admin"))
    answer = admin.post("/agreements", {"partner_id": partner.pk, "type": "letter_of_intent",
                                        "start_date": "2025-05-01", "end_date": "2025-04-01"})
    assert answer.status_code == 422
    assert answer.json()["error"]["details"] == {"field": "end_date"}
    negative = admin.post("/agreements", {"partner_id": partner.pk, "type": "channel_partner",
                                          "start_date": "2025-05-01", "initial_term_months": -1})
    assert negative.status_code == 422
    assert Agreement.objects.count() == 0


def test_read_only_keys_cannot_write():
    partner = make_partner()
    for scope in ("analytics", "platform", "finance"):
        answer = ApiClient(make_key(scope)).post(
            "/agreements", {"partner_id": partner.pk, "type": "dpa", "start_date": "2025-01-01"})
        assert answer.status_code == 403
    assert ApiClient(make_key("analytics")).get("/agreements").status_code == 200
    assert Agreement.objects.count() == 0


def test_a_partner_key_sees_only_its_own_agreements():
    mine, theirs = make_partner(), make_partner()
    own = make_agreement(mine, start_date=date(2025, 1, 1))
    other = make_agreement(theirs, start_date=date(2025, 1, 1))
    key = ApiClient(make_key("partner", mine))
    listed = key.get("/agreements").json()
    assert [item["id"] for item in listed["items"]] == [own.pk]
    assert key.get(f"/agreements/{own.pk}").status_code == 200
    assert key.get(f"/agreements/{other.pk}").status_code == 404
    assert key.get("/agreements", partner_id=theirs.pk).json()["count"] == 0
    created = key.post("/agreements", {"partner_id": mine.pk, "type": "dpa", "start_date": "2025-01-01"})
    assert created.status_code == 403
    assert key.post(f"/agreements/{other.pk}/status", {"status": "terminated"}).status_code == 403
    other.refresh_from_db()
    assert other.status == "active"
