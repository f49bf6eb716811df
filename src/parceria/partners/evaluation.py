"""Partner evaluation (SPEC §1.2, seed §2.1): five criteria scored 0–10, weighted into a priority score 0–10 with
one decimal, with a per-criterion explanation; evaluation history, ranking per category and comparison.

`score_priority` is pure (plain data in, a dataclass out). The integration-complexity criterion is entered as
the *effort* (0 = no effort, 10 = very hard) and scores 10 − effort, so lower effort scores higher.

Default weights (the first version, written by the migration; staff may write new versions):
  customer overlap 25 — an ideal-customer match is what turns a partner into referrals;
  integration complexity 20, market size 20, competitive advantage 20;
  partner willingness 15 — necessary, but the easiest to change with a good proposal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import InvalidInput, NotFound
from parceria.common.inputs import clean_text
from parceria.partners.models import Category, Evaluation, EvaluationWeights, Partner

CUSTOMER_OVERLAP = "customer_overlap"
INTEGRATION_COMPLEXITY = "integration_complexity"
MARKET_SIZE = "market_size"
COMPETITIVE_ADVANTAGE = "competitive_advantage"
PARTNER_WILLINGNESS = "partner_willingness"

#: The criteria, in display order, with what a score means.
CRITERIA: dict[str, Any] = {
    CUSTOMER_OVERLAP: _("Customer overlap (share of the ideal customer profile matched)"),
    INTEGRATION_COMPLEXITY: _("Integration complexity (technical effort; lower effort scores higher)"),
    MARKET_SIZE: _("Market size (addressable customers through the partner)"),
    COMPETITIVE_ADVANTAGE: _("Competitive advantage (differentiation against alternatives)"),
    PARTNER_WILLINGNESS: _("Partner willingness (strategic interest and commitment)"),
}
SHORT_LABELS: dict[str, Any] = {
    CUSTOMER_OVERLAP: _("Customer overlap"),
    INTEGRATION_COMPLEXITY: _("Integration complexity"),
    MARKET_SIZE: _("Market size"),
    COMPETITIVE_ADVANTAGE: _("Competitive advantage"),
    PARTNER_WILLINGNESS: _("Partner willingness"),
}
#: Criteria entered as an effort and scored 10 − effort.
INVERTED = frozenset({INTEGRATION_COMPLEXITY})
DEFAULT_WEIGHTS: dict[str, str] = {
    CUSTOMER_OVERLAP: "25",
    INTEGRATION_COMPLEXITY: "20",
    MARKET_SIZE: "20",
    COMPETITIVE_ADVANTAGE: "20",
    PARTNER_WILLINGNESS: "15",
}
SCORE_MIN, SCORE_MAX = Decimal(0), Decimal(10)
ONE_DECIMAL = Decimal("0.1")
WEIGHT_MAX = Decimal(1000)


# --- Pure scoring ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Contribution:
    """How one criterion adds to the priority score: entered value, the score it counts as (10 − effort for an
    inverted criterion), its weight, the weight's share of the total, and the points (share × score)."""

    criterion: str
    entered: Decimal
    score: Decimal
    weight: Decimal
    share: Decimal
    points: Decimal

#: A weight or a score as given (a decimal string or a number; checked by the validators).
Number = str | int | float | Decimal | None



@dataclass(frozen=True)
class Priority:
    score: Decimal  # 0–10, one decimal, half-even
    exact: Decimal  # before rounding
    contributions: tuple[Contribution, ...]


def _decimal(field: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
        raise InvalidInput(f"{field} must be a number; got {value!r}", code="invalid_number", details={"field": field})
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput(f"{field} must be a number; got {value!r}", code="invalid_number",
                           details={"field": field}) from None
    if not number.is_finite():
        raise InvalidInput(f"{field} must be a finite number", code="invalid_number", details={"field": field})
    return number


def validate_weights(weights: Mapping[str, Number]) -> dict[str, Decimal]:
    """One weight per criterion, each 0–1000, summing to a positive number."""
    unknown = set(weights) - set(CRITERIA)
    if unknown:
        raise InvalidInput(f"unknown criteria: {', '.join(sorted(unknown))}", code="unknown_criterion",
                           details={"field": sorted(unknown)[0]})
    clean: dict[str, Decimal] = {}
    for criterion in CRITERIA:
        if criterion not in weights:
            raise InvalidInput(f"a weight for {criterion} is required", code="missing_weight",
                               details={"field": criterion})
        weight = _decimal(criterion, weights[criterion])
        if not Decimal(0) <= weight <= WEIGHT_MAX:
            raise InvalidInput(f"the weight of {criterion} must be between 0 and {WEIGHT_MAX}; got {weight}",
                               code="out_of_range", details={"field": criterion})
        clean[criterion] = weight
    if sum(clean.values()) <= 0:
        raise InvalidInput("the weights must sum to a positive number", code="weights_sum", details={"field": None})
    return clean


def validate_scores(scores: Mapping[str, Number]) -> dict[str, Decimal]:
    """One score per criterion, 0–10 with at most one decimal."""
    unknown = set(scores) - set(CRITERIA)
    if unknown:
        raise InvalidInput(f"unknown criteria: {', '.join(sorted(unknown))}", code="unknown_criterion",
                           details={"field": sorted(unknown)[0]})
    clean: dict[str, Decimal] = {}
    for criterion in CRITERIA:
        if criterion not in scores or scores[criterion] in (None, ""):
            raise InvalidInput(f"a score for {criterion} is required", code="missing_score",
                               details={"field": criterion})
        score = _decimal(criterion, scores[criterion])
        if not SCORE_MIN <= score <= SCORE_MAX:
            raise InvalidInput(f"the score of {criterion} must be between 0 and 10; got {score}",
                               code="out_of_range", details={"field": criterion})
        if score != score.quantize(ONE_DECIMAL):
            raise InvalidInput(f"the score of {criterion} may have one decimal at most; got {score}",
                               code="invalid_number", details={"field": criterion})
        clean[criterion] = score
    return clean


def score_priority(weights: Mapping[str, Number], scores: Mapping[str, Number]) -> Priority:
    """Priority = Σ weightᵢ × scoreᵢ / Σ weightᵢ, rounded half-even to one decimal."""
    w = validate_weights(weights)
    s = validate_scores(scores)
    total = sum(w.values(), Decimal(0))
    contributions = []
    for criterion in CRITERIA:
        entered = s[criterion]
        counted = SCORE_MAX - entered if criterion in INVERTED else entered
        share = w[criterion] / total
        contributions.append(Contribution(criterion, entered, counted, w[criterion], share, share * counted))
    exact = sum((w[c.criterion] * c.score for c in contributions), Decimal(0)) / total
    return Priority(exact.quantize(ONE_DECIMAL, rounding=ROUND_HALF_EVEN), exact, tuple(contributions))


def explain(evaluation: Evaluation) -> Priority:
    """The explanation of a stored evaluation, recomputed from the weights and scores it kept."""
    return score_priority(evaluation.weights, {c: v["score"] for c, v in evaluation.scores.items()})


# --- Services -------------------------------------------------------------------------------------------------

def _strings(values: Mapping[str, Decimal]) -> dict[str, str]:
    return {k: format(v.normalize(), "f") for k, v in values.items()}


def current_weights() -> EvaluationWeights:
    version = EvaluationWeights.objects.order_by("-created_at", "-id").first()
    if version is None:  # the migration writes the first version; this keeps an emptied database working
        version = EvaluationWeights.objects.create(weights=DEFAULT_WEIGHTS, note="default", created_by="system")
    return version


def evaluation_weights_set(*, weights: Mapping[str, Number], note: str = "", actor: Actor) -> EvaluationWeights:
    clean = validate_weights(weights)
    note = clean_text(note, field="note", max_length=500, required=False)
    with transaction.atomic():
        before = current_weights()
        version = EvaluationWeights.objects.create(weights=_strings(clean), note=note,
                                                   created_by=actor.label)
        audit_record_create(actor=actor, action="evaluation_weights.changed", obj=version,
                            before=before.weights, after=version.weights, reason=note)
    return version


def evaluation_create(
    *, partner: Partner, scores: Mapping[str, Number], notes: Mapping[str, str] | None = None, actor: Actor,
    at: datetime | None = None,
) -> Evaluation:
    """Score a partner with the weights in force. Bad scores are refused and nothing is stored."""
    unknown = sorted(set(notes or {}) - set(CRITERIA))
    if unknown:
        raise InvalidInput(f"{unknown[0]!r} is not a criterion", details={"field": unknown[0]})
    clean_notes = {c: clean_text((notes or {}).get(c), field=c, max_length=2000, required=False) for c in CRITERIA}
    with transaction.atomic():
        version = current_weights()
        priority = score_priority(version.weights, scores)
        entered = _strings({c.criterion: c.entered for c in priority.contributions})
        evaluation = Evaluation.objects.create(
            partner=partner, weights_version=version, weights=version.weights,
            scores={c: {"score": entered[c], "note": clean_notes[c]} for c in CRITERIA},
            priority_score=priority.score, author=actor.user if getattr(actor.user, "pk", None) else None,
            author_label=actor.label, created_at=at or timezone.now(),
        )
        audit_record_create(actor=actor, action="partner.evaluated", obj=partner,
                            after={"evaluation": evaluation.pk, "priority_score": str(priority.score)})
    return evaluation


# --- Selectors ------------------------------------------------------------------------------------------------

def partner_evaluations(partner: Partner) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(partner=partner).order_by("-created_at", "-id")


def latest_evaluation(partner: Partner) -> Evaluation | None:
    return partner_evaluations(partner).first()


def latest_evaluation_id() -> Subquery:
    """For annotating partners with the id of their latest evaluation."""
    return Subquery(
        Evaluation.objects.filter(partner=OuterRef("pk")).order_by("-created_at", "-id").values("pk")[:1]
    )


def ranking(category: str) -> list[Evaluation]:
    """The partners of a category that have been evaluated, by the priority of their latest evaluation
    (highest first; ties by name)."""
    if category not in Category.values:
        raise InvalidInput(f"category must be one of {', '.join(Category.values)}; got {category!r}",
                           code="invalid_choice", details={"field": "category"})
    ids = Partner.objects.filter(category=category).annotate(latest=latest_evaluation_id()).exclude(latest=None)
    return list(
        Evaluation.objects.filter(pk__in=ids.values("latest"))
        .select_related("partner")
        .order_by("-priority_score", "partner__name", "partner_id")
    )


@dataclass(frozen=True)
class ComparisonRow:
    criterion: str
    a: Contribution
    b: Contribution


@dataclass(frozen=True)
class Comparison:
    a: Evaluation
    b: Evaluation
    rows: tuple[ComparisonRow, ...]


def compare(a: Partner, b: Partner) -> Comparison:
    """The latest evaluations of two partners side by side, criterion by criterion."""
    if a.pk == b.pk:
        raise InvalidInput("choose two different partners to compare", code="same_partner", details={"field": "b"})
    first, second = latest_evaluation(a), latest_evaluation(b)
    for partner, evaluation, field in ((a, first, "a"), (b, second, "b")):
        if evaluation is None:
            raise NotFound(f"{partner.name} has not been evaluated yet", code="not_evaluated",
                           details={"field": field})
    assert first is not None and second is not None
    pa, pb = explain(first), explain(second)
    rows = tuple(ComparisonRow(x.criterion, x, y) for x, y in zip(pa.contributions, pb.contributions, strict=True))
    return Comparison(first, second, rows)
