from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parceria.common.money import MoneyError, parse_amount, round_down_minor, round_ledger
from parceria.common.taxids import TaxIdError, synthetic_tax_id, validate_tax_id


@pytest.mark.parametrize("value", [10.5, True, "abc", "", "1e400", "NaN", "Infinity", "1.00001", [], None])
def test_parse_amount_refuses_what_is_not_an_exact_decimal(value):
    with pytest.raises(MoneyError):
        parse_amount(value)


def test_parse_amount_sign_and_zero_rules():
    assert parse_amount("12.34") == D("12.34")
    assert parse_amount(5) == D(5)
    with pytest.raises(MoneyError, match="negative"):
        parse_amount("-0.01")
    assert parse_amount("-0.01", allow_negative=True) == D("-0.01")
    with pytest.raises(MoneyError, match="greater than zero"):
        parse_amount("0", allow_zero=False)


def test_round_down_to_the_minor_unit_of_each_currency():
    assert round_down_minor(D("123.4599"), "BRL") == D("123.45")
    assert round_down_minor(D("123.9999"), "CLP") == D("123")
    with pytest.raises(MoneyError, match="unknown currency"):
        round_down_minor(D("1"), "XXX")


@given(st.decimals(min_value=D("-1000000"), max_value=D("1000000"), places=8))
def test_property_round_down_never_pays_more_than_the_balance(value):
    paid = round_down_minor(round_ledger(value), "BRL")
    remainder = round_ledger(value) - paid
    assert abs(paid) <= abs(round_ledger(value))
    assert abs(remainder) < D("0.01")
    assert paid + remainder == round_ledger(value)


@pytest.mark.parametrize(
    ("country", "value", "compact", "kind"),
    [
        ("BR", "11.222.333/0001-81", "11222333000181", "cnpj"),
        ("BR", "12.ABC.345/01DE-35", "12ABC34501DE35", "cnpj"),
        ("BR", "111.444.777-35", "11144477735", "cpf"),
        ("MX", "GODE561231GR8", "GODE561231GR8", "rfc"),
        ("AR", "20-26756539-3", "20267565393", "cuit"),
        ("CL", "12.531.909-2", "125319092", "rut"),
        ("CO", "213.123.432-1", "2131234321", "nit"),
    ],
)
def test_valid_tax_ids(country, value, compact, kind):
    tax_id = validate_tax_id(country, value)
    assert (tax_id.compact, tax_id.kind) == (compact, kind)


@pytest.mark.parametrize(
    ("country", "value"),
    [
        ("BR", "11.222.333/0001-82"),
        ("BR", "111.444.777-36"),
        ("BR", "123"),
        ("MX", "ABC680524P76"),
        ("MX", "GODE561231"),
        ("AR", "20-26756539-4"),
        ("CL", "12.531.909-3"),
        ("CO", "213.123.432-2"),
        ("BR", "  "),
    ],
)
def test_invalid_tax_ids_are_refused_with_a_reason(country, value):
    with pytest.raises(TaxIdError):
        validate_tax_id(country, value)


@pytest.mark.parametrize("country", ["BR", "MX", "AR", "CL", "CO"])
def test_synthetic_tax_ids_are_valid_and_distinct(country):
    ids = {synthetic_tax_id(country, n) for n in range(300)}
    assert len(ids) == 300
    assert all(validate_tax_id(country, i).compact == i for i in ids)
