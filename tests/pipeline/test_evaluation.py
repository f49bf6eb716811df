"""Evaluation services: stored evaluations, versioned weights, history, ranking and comparison."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from parceria.common.errors import InvalidInput, NotFound
from parceria.common.models import AuditRecord
from parceria.partners.evaluation import (
    compare,
    current_weights,
    evaluation_create,
    evaluation_weights_set,
    partner_evaluations,
    ranking,
)
from parceria.partners.models import Evaluation, EvaluationWeights
from tests.factories import ACTOR, make_partner

pytestmark = pytest.mark.django_db


def s(overlap, effort, market, advantage, willingness):
    return {"customer_overlap": overlap, "integration_complexity": effort, "market_size": market,
            "competitive_advantage": advantage, "partner_willingness": willingness}


def test_the_migration_writes_the_default_weights():
    assert current_weights().weights == {"customer_overlap": "25", "integration_complexity": "20", "market_size": "20",
                                         "competitive_advantage": "20", "partner_willingness": "15"}


def test_an_evaluation_keeps_scores_notes_weights_and_author():
    partner = make_partner()
    e = evaluation_create(partner=partner, scores=s(8, 3, 7, 9, 6), notes={"customer_overlap": "70% ICP match"},
                          actor=ACTOR)
    e.refresh_from_db()
    assert e.priority_score == Decimal("7.5")
    assert e.scores["customer_overlap"] == {"score": "8", "note": "70% ICP match"}
    assert e.scores["integration_complexity"] == {"score": "3", "note": ""}
    assert e.weights == current_weights().weights and e.weights_version == current_weights()
    assert e.author_label == "tests"
    assert AuditRecord.objects.filter(action="partner.evaluated", object_id=str(partner.pk)).count() == 1


def test_bad_scores_store_nothing():
    partner = make_partner()
    with pytest.raises(InvalidInput, match="between 0 and 10"):
        evaluation_create(partner=partner, scores=s(8, 3, 7, 11, 6), actor=ACTOR)
    assert not Evaluation.objects.exists()
    assert not AuditRecord.objects.filter(action="partner.evaluated").exists()


def test_new_weights_are_a_new_audited_version_and_apply_to_later_evaluations_only():
    partner = make_partner()
    first = evaluation_create(partner=partner, scores=s(10, 10, 0, 0, 0), actor=ACTOR)  # 250/100 = 2.5
    version = evaluation_weights_set(weights={"customer_overlap": 1, "integration_complexity": 0, "market_size": 0,
                                              "competitive_advantage": 0, "partner_willingness": "1"},
                                     note="overlap and willingness only", actor=ACTOR)
    second = evaluation_create(partner=partner, scores=s(10, 10, 0, 0, 0), actor=ACTOR)  # (10 + 0) / 2
    assert (first.priority_score, second.priority_score) == (Decimal("2.5"), Decimal("5.0"))
    assert current_weights() == version and EvaluationWeights.objects.count() == 2
    record = AuditRecord.objects.get(action="evaluation_weights.changed")
    assert record.before["customer_overlap"] == "25" and record.after["customer_overlap"] == "1"
    assert record.reason == "overlap and willingness only"
    first.refresh_from_db()
    assert first.priority_score == Decimal("2.5") and first.weights["customer_overlap"] == "25"


@pytest.mark.parametrize("bad", [
    dict.fromkeys(["customer_overlap", "integration_complexity", "market_size", "competitive_advantage",
                   "partner_willingness"], 0),
    {"customer_overlap": -1, "integration_complexity": 1, "market_size": 1, "competitive_advantage": 1,
     "partner_willingness": 1},
])
def test_bad_weights_change_nothing(bad):
    with pytest.raises(InvalidInput):
        evaluation_weights_set(weights=bad, actor=ACTOR)
    assert EvaluationWeights.objects.count() == 1
    assert not AuditRecord.objects.filter(action="evaluation_weights.changed").exists()


def test_history_is_newest_first():
    partner = make_partner()
    now = timezone.now()
    old = evaluation_create(partner=partner, scores=s(5, 5, 5, 5, 5), actor=ACTOR, at=now - timedelta(days=30))
    new = evaluation_create(partner=partner, scores=s(9, 1, 9, 9, 9), actor=ACTOR, at=now)
    assert list(partner_evaluations(partner)) == [new, old]


def test_ranking_uses_the_latest_evaluation_per_partner_of_the_category():
    now = timezone.now()
    crm = make_partner(name="Pipe CRM", category="technology_integration", subcategory="crm")
    shop = make_partner(name="Loja Plus", category="technology_integration", subcategory="ecommerce")
    books = make_partner(name="Conta Fácil", category="technology_integration", subcategory="accounting")
    agency = make_partner(name="Agência", category="consulting_agency", subcategory="digital_agency")
    make_partner(name="Not evaluated", category="technology_integration", subcategory="crm")
    evaluation_create(partner=crm, scores=s(10, 0, 10, 10, 10), actor=ACTOR, at=now - timedelta(days=9))
    evaluation_create(partner=crm, scores=s(5, 5, 5, 5, 5), actor=ACTOR, at=now)  # latest: 5.0
    evaluation_create(partner=shop, scores=s(8, 3, 7, 9, 6), actor=ACTOR)  # 7.5
    evaluation_create(partner=books, scores=s(5, 5, 5, 5, 5), actor=ACTOR)  # 5.0, ties by name
    evaluation_create(partner=agency, scores=s(10, 0, 10, 10, 10), actor=ACTOR)
    ranked = ranking("technology_integration")
    assert [(e.partner.name, str(e.priority_score)) for e in ranked] == [
        ("Loja Plus", "7.5"), ("Conta Fácil", "5.0"), ("Pipe CRM", "5.0")]
    with pytest.raises(InvalidInput):
        ranking("nonsense")


def test_compare_puts_the_latest_evaluations_side_by_side():
    a, b, c = make_partner(name="A"), make_partner(name="B"), make_partner(name="C")
    evaluation_create(partner=a, scores=s(8, 3, 7, 9, 6), actor=ACTOR)
    evaluation_create(partner=b, scores=s(10, 0, 9, 9, 1), actor=ACTOR)
    result = compare(a, b)
    assert (result.a.priority_score, result.b.priority_score) == (Decimal("7.5"), Decimal("8.2"))
    overlap = result.rows[0]
    assert (overlap.criterion, overlap.a.points, overlap.b.points) == ("customer_overlap", Decimal("2.00"),
                                                                        Decimal("2.50"))
    assert result.rows[1].b.score == Decimal(10)  # effort 0
    with pytest.raises(NotFound, match="C has not been evaluated"):
        compare(a, c)
    with pytest.raises(InvalidInput):
        compare(a, a)
