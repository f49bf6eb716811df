"""Tier definitions in the Django admin: checked by the tier service's own rules (a message beside the field, nothing
saved), a new version added through tier_definition_create, the version in force ended first; assessments read-only."""

from __future__ import annotations

import json
from datetime import date

import pytest

from parceria.common.models import AuditRecord
from parceria.partners.models import TierAssessment, TierDefinition
from parceria.partners.tier_data import TIER_DEFINITIONS
from parceria.tiers.admin import TierDefinitionForm
from parceria.tiers.assessment import tiers_assess
from parceria.tiers.definitions import definitions_in_force
from tests.factories import ACTOR, make_partner, staff_client

pytestmark = pytest.mark.django_db
ADD = "/admin/partners/tierdefinition/add/"
CERTIFIED = TIER_DEFINITIONS[0]


def data(**overrides) -> dict[str, str]:
    values = {"tier": "certified", "effective_from": "2027-01-01", "effective_to": "",
              "requirements": json.dumps(CERTIFIED["requirements"]),
              "benefits": json.dumps({**CERTIFIED["benefits"], "commission_rate": "0.21"})}
    values.update(overrides)
    return values


def errors_of(**overrides) -> dict[str, list[str]]:
    form = TierDefinitionForm(data=data(**overrides))
    assert not form.is_valid()
    return {name: list(messages) for name, messages in form.errors.items()}


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({}, "effective_from",
     "the certified tier already has version 1 in force from 2025-01-01 (open-ended); versions of a tier must not "
     "overlap"),
    ({"effective_from": "2024-01-01", "effective_to": "2023-06-01"}, "effective_to",
     "effective_to must be after effective_from"),
    ({"effective_to": "2027-06-01", "requirements": "[]"}, "requirements", "This field is required."),
    ({"effective_to": "2024-06-01", "effective_from": "2024-01-01", "requirements": "{\"a\": 1}"}, "requirements",
     "requirements must be a non-empty list"),
    ({"effective_to": "2024-06-01", "effective_from": "2024-01-01",
      "requirements": '[{"metric": "arr", "op": "true"}]'}, "requirements", "requirement arr cannot use 'true'"),
    ({"effective_to": "2024-06-01", "effective_from": "2024-01-01",
      "requirements": '[{"metric": "arr", "op": ">=", "value": "lots"}]'}, "requirements",
     "requirement arr needs a numeric value"),
    ({"effective_to": "2024-06-01", "effective_from": "2024-01-01",
      "requirements": '[{"metric": "revenue", "op": ">="}]'}, "requirements",
     "invalid requirement {'metric': 'revenue', 'op': '>='}"),
    ({"effective_to": "2024-06-01", "effective_from": "2024-01-01", "benefits": '{"commission_rate": "1.5"}'},
     "benefits", "commission_rate must be a fraction between 0 and 1 (0.20 is 20 %); got '1.5'"),
    ({"effective_to": "2024-06-01", "effective_from": "2024-01-01", "benefits": '{"free_lunch": true}'},
     "benefits", "unknown benefit 'free_lunch'; the benefits are commission_rate, success_manager, mdf_eligible, "
                 "early_access, exclusive_territory"),
    ({"effective_to": "2024-06-01", "effective_from": "2024-01-01", "benefits": '{"early_access": "yes"}'},
     "benefits", "benefit early_access must be true or false"),
    ({"effective_to": "2024-06-01", "effective_from": "2024-01-01", "benefits": "[1, 2]"},
     "benefits", "benefits must be an object of commission_rate and flags"),
    ({"effective_to": "2024-06-01", "effective_from": "2024-01-01", "requirements": "[{"}, "requirements",
     "Enter a valid JSON."),
    ({"tier": "platinum"}, "tier", "Select a valid choice. platinum is not one of the available choices."),
])
def test_bad_versions_are_refused_beside_the_field(overrides, field, message):
    assert errors_of(**overrides) == {field: [message]}


def test_the_admin_refuses_an_overlapping_version_and_saves_nothing():
    admin = staff_client("root", "admin")
    before = (TierDefinition.objects.count(), AuditRecord.objects.filter(action__startswith="tier_definition").count())
    response = admin.post(ADD, data())
    assert response.status_code == 200
    html = response.content.decode()
    assert "versions of a tier must not overlap" in html and 'class="errorlist"' in html
    after = (TierDefinition.objects.count(), AuditRecord.objects.filter(action__startswith="tier_definition").count())
    assert after == before


def test_end_the_version_in_force_then_add_the_next_one():
    admin = staff_client("root", "admin")
    v1 = TierDefinition.objects.get(tier="certified", version=1)
    change = f"/admin/partners/tierdefinition/{v1.pk}/change/"
    assert admin.post(change, {"effective_to": "2027-01-01"}).status_code == 302
    v1.refresh_from_db()
    assert v1.effective_to == date(2027, 1, 1) and v1.requirements == CERTIFIED["requirements"]
    assert AuditRecord.objects.filter(action="tier_definition.ended", object_id=str(v1.pk)).count() == 1

    assert admin.post(ADD, data()).status_code == 302
    v2 = TierDefinition.objects.get(tier="certified", version=2)
    assert (v2.effective_from, v2.effective_to, v2.benefits["commission_rate"]) == (date(2027, 1, 1), None, "0.21")
    assert AuditRecord.objects.filter(action="tier_definition.created", object_id=str(v2.pk)).count() == 1
    assert definitions_in_force(date(2026, 12, 31))["certified"].version == 1
    assert definitions_in_force(date(2027, 1, 1))["certified"].version == 2

    # moving v1's end past v2's start would overlap: refused beside the field, nothing changes
    response = admin.post(change, {"effective_to": "2027-03-01"})
    assert response.status_code == 200 and "versions of a tier must not overlap" in response.content.decode()
    v1.refresh_from_db()
    assert v1.effective_to == date(2027, 1, 1)


def test_assessments_are_read_only_in_the_admin():
    make_partner()
    tiers_assess(actor=ACTOR)
    admin = staff_client("root", "admin")
    record = TierAssessment.objects.get()
    assert admin.get("/admin/partners/tierassessment/").status_code == 200
    assert admin.get("/admin/partners/tierassessment/add/").status_code == 403
    assert admin.post(f"/admin/partners/tierassessment/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin.post(f"/admin/partners/tierdefinition/{TierDefinition.objects.first().pk}/delete/",
                      {"post": "yes"}).status_code == 403
    assert TierAssessment.objects.filter(pk=record.pk).exists()
