from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parceria.common.money import MoneyError, parse_amount, round_down_minor, round_ledger
from parceria.common.taxids import TaxIdError, synthetic_tax_id, validate_cnpj, validate_cpf, validate_tax_id


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


# --- Brazilian tax ids: one repeated character is not a real CPF or CNPJ root ----------------------------------

BR_INVALID_REASON = {"cpf": "a CPF of one repeated digit is not issued", "cnpj": "of one repeated character"}


@pytest.mark.parametrize("digit", "0123456789")
def test_a_cpf_of_one_repeated_digit_is_refused(digit):
    for value in (digit * 11, f"{digit * 3}.{digit * 3}.{digit * 3}-{digit * 2}"):
        with pytest.raises(TaxIdError, match="invalid CPF"):
            validate_tax_id("BR", value)


@pytest.mark.parametrize("char", "123456789ABCXZ")
def test_a_cnpj_whose_root_is_one_repeated_character_is_refused(char):
    number = make_cnpj(char * 8 + "0001")
    with pytest.raises(TaxIdError, match=r"root \(its first 8 characters\) of one repeated character"):
        validate_tax_id("BR", number)
    with pytest.raises(TaxIdError, match="of one repeated character"):
        validate_cnpj(number.lower())


def test_banco_do_brasils_root_00000000_is_a_real_cnpj():
    assert validate_tax_id("BR", "00.000.000/0001-91").compact == "00000000000191"


def test_the_refusal_gives_its_reason_without_the_number():
    with pytest.raises(TaxIdError) as caught:
        validate_cpf("222.222.222-22")
    assert caught.value.reason == BR_INVALID_REASON["cpf"]
    assert str(caught.value) == "invalid CPF '222.222.222-22': a CPF of one repeated digit is not issued"


def mod11(base, weights):
    digits = base
    for _ in range(2):
        rest = sum((ord(c) - 48) * w for c, w in zip(digits, weights(len(digits)), strict=True)) % 11
        digits += "0" if rest < 2 else str(11 - rest)
    return digits


def make_cpf(base):
    return mod11(base, lambda n: list(range(n + 1, 1, -1)))


def make_cnpj(base):
    return mod11(base, lambda n: [(i % 8) + 2 for i in range(n)][::-1])


ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@given(st.text("0123456789", min_size=9, max_size=9).filter(lambda s: len(set(s)) > 1))
def test_property_generated_cpfs_are_accepted(base):
    number = make_cpf(base)
    dotted = f"{number[:3]}.{number[3:6]}.{number[6:9]}-{number[9:]}"
    assert validate_tax_id("BR", dotted) == validate_tax_id("BR", number)
    assert validate_cpf(number) == number


@given(
    st.text(ALNUM, min_size=8, max_size=8).filter(lambda s: len(set(s)) > 1),
    st.text(ALNUM, min_size=4, max_size=4),
)
def test_property_generated_cnpjs_numeric_or_alphanumeric_are_accepted(root, branch):
    number = make_cnpj(root + branch)
    tax_id = validate_tax_id("BR", number.lower())
    assert (tax_id.kind, tax_id.compact) == ("cnpj", number)
    assert validate_cnpj(tax_id.formatted) == number


@given(st.sampled_from(ALNUM[1:]), st.text(ALNUM, min_size=4, max_size=4))
def test_property_a_repeated_cnpj_root_is_refused(char, branch):
    with pytest.raises(TaxIdError, match="of one repeated character"):
        validate_cnpj(make_cnpj(char * 8 + branch))


@given(st.sampled_from(["BR", "MX", "AR", "CL", "CO", "US"]), st.text(max_size=60))
def test_property_random_text_gives_a_tax_id_or_the_validation_error(country, text):
    try:
        tax_id = validate_tax_id(country, text)
    except TaxIdError:
        return
    assert validate_tax_id(country, tax_id.compact).compact == tax_id.compact


def _stdnum_cnpj(value: str) -> str | None:
    """python-stdnum's own verdict on a CNPJ (its compact form, or None when it refuses it)."""
    from stdnum.br import cnpj

    try:
        return cnpj.validate(cnpj.compact(value).upper())
    except Exception:
        return None


_CNPJ_DIGITS = st.text("0123456789", min_size=12, max_size=12)


@given(_CNPJ_DIGITS, st.booleans(), st.integers(min_value=0, max_value=99))
def test_property_the_fast_numeric_cnpj_check_agrees_with_stdnum(base, punctuated, digits):
    """Right and wrong check digits, compact and punctuated: the same verdict and compact form as stdnum (the
    repeated-root rule on top of it aside)."""
    for check in (make_cnpj(base)[12:], f"{digits:02d}"):
        number = base + check
        written = f"{number[:2]}.{number[2:5]}.{number[5:8]}/{number[8:12]}-{number[12:]}" if punctuated else number
        expected = _stdnum_cnpj(written)
        try:
            got: str | None = validate_cnpj(written)
        except TaxIdError:
            got = None
        if expected is not None and len(set(expected[:8])) == 1 and expected[:8] != "00000000":
            expected = None  # a repeated root: refused by the house rule
        assert got == expected
        if got is not None:
            assert validate_tax_id("BR", written).formatted == (
                f"{number[:2]}.{number[2:5]}.{number[5:8]}/{number[8:12]}-{number[12:]}")


@given(st.text("0123456789./- ", max_size=22))
def test_property_any_cnpj_like_text_gets_stdnums_verdict(text):
    expected = _stdnum_cnpj(text.strip())
    if expected is not None and len(set(expected[:8])) == 1 and expected[:8] != "00000000":
        expected = None
    try:
        got: str | None = validate_cnpj(text.strip())
    except TaxIdError:
        got = None
    assert got == expected


def test_a_tax_id_reason_is_said_in_the_readers_language_and_the_message_stays_english():
    from django.utils import translation

    with pytest.raises(TaxIdError) as caught:
        validate_tax_id("BR", "11.222.333/0001-00")
    assert str(caught.value).startswith("invalid CNPJ '11.222.333/0001-00': ")
    with translation.override("pt-br"):
        assert str(caught.value.reason) == "os dígitos verificadores não conferem com o número"
    with translation.override("es"):
        assert str(caught.value.reason) == "los dígitos verificadores no coinciden con el número"
