"""Input cleaning owned by parceria.common.inputs: text limits, amounts and one range per kind of rate."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parceria.common.errors import InvalidInput
from parceria.common.inputs import (
    COMMISSION_RATE,
    INTEGRATION_SHARE_RATE,
    REFERRAL_OVERRIDE_RATE,
    WITHHOLDING_RATE,
    clean_amount,
    clean_text,
    parse_rate,
)

KINDS = (COMMISSION_RATE, REFERRAL_OVERRIDE_RATE, INTEGRATION_SHARE_RATE, WITHHOLDING_RATE)


@given(st.sampled_from(KINDS), st.decimals(min_value=-2, max_value=2, places=4, allow_nan=False))
def test_a_rate_is_accepted_exactly_when_its_kind_s_range_admits_it(kind, rate):
    text = format(rate, "f")
    inside = (rate >= kind.low if kind.low_included else rate > kind.low) and (
        rate <= kind.high if kind.high_included else rate < kind.high)
    if inside:
        assert parse_rate(text, field="r", kind=kind) == rate
    else:
        with pytest.raises(InvalidInput) as caught:
            parse_rate(text, field="r", kind=kind)
        assert (caught.value.code, caught.value.details) == ("out_of_range", {"field": "r"})


@pytest.mark.parametrize("value", ["abc", "", "NaN", "Infinity", "0.12345", 0.15, True, None, [], "1e-5"])
def test_a_malformed_rate_is_invalid_not_out_of_range(value):
    with pytest.raises(InvalidInput, match=r"must be a decimal string between 0\.10 and 0\.25") as caught:
        parse_rate(value, field="integration_share_rate", kind=INTEGRATION_SHARE_RATE)
    assert caught.value.code == "invalid"


def test_each_kind_of_rate_has_its_own_range():
    assert parse_rate("0", field="r", kind=COMMISSION_RATE) == 0
    assert parse_rate(D("1"), field="r", kind=COMMISSION_RATE) == 1
    for edge in ("0", "1"):
        with pytest.raises(InvalidInput, match="above 0 and below 1"):
            parse_rate(edge, field="rate", kind=REFERRAL_OVERRIDE_RATE)
    assert parse_rate("0.1234567891", field="r", kind=WITHHOLDING_RATE) == D("0.1234567891")
    assert str(parse_rate("-0", field="r", kind=COMMISSION_RATE)) == "0"


@pytest.mark.parametrize(
    ("value", "required", "expected"),
    [("  Ana  ", True, "Ana"), (None, False, ""), ("   ", False, ""), ("x" * 10, True, "x" * 10)],
)
def test_text_is_stripped_and_optional_text_may_be_missing(value, required, expected):
    assert clean_text(value, field="name", max_length=10, required=required) == expected


@pytest.mark.parametrize(
    ("value", "required", "code", "message"),
    [(None, True, "invalid_field", "name is required"), ("  ", True, "invalid_field", "name is required"),
     ("x" * 11, True, "invalid", "name must have at most 10 characters"), (12, False, "invalid", "name must be text")],
)
def test_bad_text_is_a_422_naming_the_field(value, required, code, message):
    with pytest.raises(InvalidInput, match=message) as caught:
        clean_text(value, field="name", max_length=10, required=required)
    assert (caught.value.code, caught.value.details) == (code, {"field": "name"})


def test_amounts_follow_the_money_rule_and_name_the_field():
    assert clean_amount("-12.5", field="amount", allow_negative=True) == D("-12.5")
    for value in ("0", "1.23456", 1.5, "abc"):
        with pytest.raises(InvalidInput) as caught:
            clean_amount(value, field="amount", allow_zero=False)
        assert (caught.value.code, caught.value.details) == ("invalid_amount", {"field": "amount"})
