"""The pure priority score: exact one-decimal results, half-even ties, the explanation, bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from parceria.common.errors import InvalidInput
from parceria.partners.evaluation import DEFAULT_WEIGHTS, score_priority

W = {"customer_overlap": 25, "integration_complexity": 20, "market_size": 20, "competitive_advantage": 20,
     "partner_willingness": 15}


def scores(overlap, effort, market, advantage, willingness):
    return {"customer_overlap": overlap, "integration_complexity": effort, "market_size": market,
            "competitive_advantage": advantage, "partner_willingness": willingness}


def test_default_weights_are_25_20_20_20_15():
    assert {k: int(v) for k, v in DEFAULT_WEIGHTS.items()} == W


@pytest.mark.parametrize(("given", "expected"), [
    (scores(10, 0, 10, 10, 10), "10.0"),  # no effort scores 10
    (scores(0, 10, 0, 0, 0), "0.0"),
    (scores(8, 3, 7, 9, 6), "7.5"),  # 200 + 140 + 140 + 180 + 90 = 750
    (scores("8.5", 2, 6, 7, 9), "7.7"),  # 212.5 + 160 + 120 + 140 + 135 = 767.5 → 7.675 → 7.7
])
def test_exact_scores(given, expected):
    assert score_priority(W, given).score == Decimal(expected)


def test_half_even_rounds_a_tie_to_the_even_digit():
    # 250 + 20·(10 − 0) + 180 + 180 + 15·1 = 825 → 8.25 → 8.2 (half-even), not 8.3
    assert score_priority(W, scores(10, 0, 9, 9, 1)).exact == Decimal("8.25")
    assert score_priority(W, scores(10, 0, 9, 9, 1)).score == Decimal("8.2")
    # 225 + 20·6 + 160 + 140 + 120 = 765 → 7.65 → 7.6
    assert score_priority(W, scores(9, 4, 8, 7, 8)).score == Decimal("7.6")
    # 225 + 20·8 + 180 + 180 + 90 = 835 → 8.35 → 8.4 (4 is even)
    assert score_priority(W, scores(9, 2, 9, 9, 6)).exact == Decimal("8.35")
    assert score_priority(W, scores(9, 2, 9, 9, 6)).score == Decimal("8.4")


def test_weights_need_not_sum_to_100():
    # 1/1/1/1/1: plain mean of 8, 7 (effort 3), 7, 9, 6 = 37/5 = 7.4
    assert score_priority(dict.fromkeys(W, 1), scores(8, 3, 7, 9, 6)).score == Decimal("7.4")
    # thirds: 10·1 + 0 + 0 + 0 + 0 over 3 = 3.333… → 3.3
    only = {"customer_overlap": 1, "integration_complexity": 0, "market_size": 2, "competitive_advantage": 0,
            "partner_willingness": 0}
    assert score_priority(only, scores(10, 0, 0, 0, 0)).score == Decimal("3.3")


def test_explanation_gives_weight_share_and_points_per_criterion():
    result = score_priority(W, scores(8, 3, 7, 9, 6))
    by = {c.criterion: c for c in result.contributions}
    assert by["customer_overlap"].share == Decimal("0.25")
    assert by["customer_overlap"].points == Decimal("2.00")
    assert by["integration_complexity"].entered == Decimal(3)
    assert by["integration_complexity"].score == Decimal(7)  # lower effort scores higher
    assert by["integration_complexity"].points == Decimal("1.40")
    assert sum(c.points for c in result.contributions) == result.exact == Decimal("7.5")


@pytest.mark.parametrize("bad", [
    dict.fromkeys(W, 0),
    {**W, "market_size": -5},
    {**W, "market_size": "abc"},
    {**W, "market_size": "NaN"},
    {k: v for k, v in W.items() if k != "market_size"},
    {**W, "charisma": 5},
])
def test_bad_weights_are_refused(bad):
    with pytest.raises(InvalidInput):
        score_priority(bad, scores(5, 5, 5, 5, 5))


@pytest.mark.parametrize("bad", [
    scores(11, 5, 5, 5, 5), scores(-1, 5, 5, 5, 5), scores(5, "10.5", 5, 5, 5), scores(5, 5, "7.25", 5, 5),
    scores(5, 5, 5, None, 5), scores(5, 5, 5, 5, True), scores(5, 5, 5, 5, "Infinity"),
])
def test_scores_out_of_range_are_refused(bad):
    with pytest.raises(InvalidInput) as err:
        score_priority(W, bad)
    assert err.value.status == 422
