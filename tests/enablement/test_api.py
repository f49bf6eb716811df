"""The enablement API: courses, a partner's progress and certifications (a partner key sees only its own
partner), module completion for a partner user (a partner key: only its own users)."""

from __future__ import annotations

import pytest

from parceria.enablement.models import Enrolment, Module, PartnerCertification
from tests.conftest import ApiClient
from tests.enablement.conftest import partner_user
from tests.factories import make_key, make_partner

pytestmark = pytest.mark.django_db


def test_courses_are_listed_with_their_modules(partner):
    response = ApiClient(make_key("analytics")).get("/enablement/courses")
    assert response.status_code == 200
    body = {c["code"]: c for c in response.json()}
    assert body["technical-integration"]["hours"] == "4"
    assert [m["position"] for m in body["technical-integration"]["modules"]] == [1, 2, 3, 4]
    assert ApiClient(None).get("/enablement/courses").status_code == 401


def test_a_partner_key_completes_modules_of_its_own_users_only(partner, member):
    other = make_partner(name="Bravo")
    stranger = partner_user(other, "eve@bravo")
    api = ApiClient(make_key("partner", partner))
    module = Module.objects.filter(course__code="sales-playbooks").order_by("position").first()
    ok = api.post(f"/partners/{partner.pk}/enablement/completions", {"user_id": member.pk, "module_id": module.pk})
    assert ok.status_code == 201, ok.content
    assert ok.json() | {"enrolment_id": 0} == {"enrolment_id": 0, "course": "sales-playbooks", "modules_done": 1,
                                               "modules_total": 4, "completed_at": None, "certifications_held": []}
    mine_other_user = api.post(f"/partners/{partner.pk}/enablement/completions",
                               {"user_id": stranger.pk, "module_id": module.pk})
    other_partner = api.post(f"/partners/{other.pk}/enablement/completions",
                             {"user_id": stranger.pk, "module_id": module.pk})
    assert mine_other_user.status_code == 404 and other_partner.status_code == 404
    assert not Enrolment.objects.filter(user=stranger).exists()
    bad = api.post(f"/partners/{partner.pk}/enablement/completions", {"user_id": "1", "module_id": module.pk})
    assert bad.status_code in (400, 422)
    no_module = api.post(f"/partners/{partner.pk}/enablement/completions", {"user_id": member.pk, "module_id": 0})
    assert no_module.status_code == 404


def test_read_only_keys_may_not_complete_modules(partner, member):
    module = Module.objects.first()
    for scope in ("analytics", "platform", "finance"):
        response = ApiClient(make_key(scope)).post(f"/partners/{partner.pk}/enablement/completions",
                                                   {"user_id": member.pk, "module_id": module.pk})
        assert response.status_code == 403, scope
    assert not Enrolment.objects.exists()
    admin = ApiClient(make_key("admin")).post(f"/partners/{partner.pk}/enablement/completions",
                                              {"user_id": member.pk, "module_id": module.pk})
    assert admin.status_code == 201


def test_progress_and_certifications_of_a_partner_only_for_itself(partner, member):
    other = make_partner(name="Bravo")
    api = ApiClient(make_key("partner", partner))
    for module in Module.objects.filter(course__code="sales-playbooks"):
        api.post(f"/partners/{partner.pk}/enablement/completions", {"user_id": member.pk, "module_id": module.pk})
    body = api.get(f"/partners/{partner.pk}/enablement").json()
    assert body["training_complete"] is False
    assert [(p["username"], p["course"], p["modules_done"], p["modules_total"]) for p in body["progress"]] == [
        ("ana@alfa", "sales-playbooks", 4, 4)]
    assert {c["code"]: [r["met"] for r in c["requirements"]] for c in body["certifications"]} == {
        "technical-integration": [False, False, False], "product": [False, False, False],
        "advanced-product": [False, False, False]}
    assert api.get(f"/partners/{other.pk}/enablement").status_code == 404
    assert ApiClient(make_key("analytics")).get(f"/partners/{other.pk}/enablement").status_code == 200
    assert not PartnerCertification.objects.exists()
