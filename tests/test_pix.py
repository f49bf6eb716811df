"""PIX key validation and normalisation per DICT key type (rules in payouts/data/pix_keys.json).

The CPF and CNPJ check digits are computed here from the Receita Federal's algorithm (mod 11; for the
alphanumeric CNPJ each character counts as its ASCII code minus 48), independently of python-stdnum.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parceria.common.errors import InvalidInput
from parceria.common.pix import PixKeyError, PixKeyType, key_rules, validate_pix_key

EMAIL_77 = "a" * 64 + "@examples.com"  # a local part of 64 (the most RFC 5321 allows) + 13 = 77 characters
#: ANATEL's 67 DDDs in use, typed here from ANATEL's list (not read from the data file).
AREA_CODES = (
    *("11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "22", "24", "27", "28"),
    *("31", "32", "33", "34", "35", "37", "38", "41", "42", "43", "44", "45", "46", "47", "48", "49"),
    *("51", "53", "54", "55", "61", "62", "63", "64", "65", "66", "67", "68", "69"),
    *("71", "73", "74", "75", "77", "79", "81", "82", "83", "84", "85", "86", "87", "88", "89"),
    *("91", "92", "93", "94", "95", "96", "97", "98", "99"),
)


def mod11_check_digits(base: str, weights: Callable[[int], list[int]]) -> str:
    """Two mod-11 check digits of `base`; `weights(n)` gives the weights for n characters."""
    digits = base
    for _ in range(2):
        total = sum((ord(c) - 48) * w for c, w in zip(digits, weights(len(digits)), strict=True))
        rest = total % 11
        digits += "0" if rest < 2 else str(11 - rest)
    return digits[-2:]


def make_cpf(base: str) -> str:
    """CPF weights: n+1 down to 2."""
    return base + mod11_check_digits(base, lambda n: list(range(n + 1, 1, -1)))


def make_cnpj(base: str) -> str:
    """CNPJ weights: 2 to 9, repeating, from the right."""
    return base + mod11_check_digits(base, lambda n: [(i % 8) + 2 for i in range(n)][::-1])


def test_the_independent_check_digits_agree_with_known_numbers() -> None:
    assert make_cpf("529982247") == "52998224725"
    assert make_cnpj("112223330001") == "11222333000181"
    assert make_cnpj("12ABC34501DE") == "12ABC34501DE35"  # the Receita Federal's published example


@pytest.mark.parametrize(
    ("key_type", "key", "normalised"),
    [
        ("cpf", "52998224725", "52998224725"),
        ("cpf", "529.982.247-25", "52998224725"),
        ("CPF", " 111.444.777-35 ", "11144477735"),
        ("cnpj", "11222333000181", "11222333000181"),
        ("cnpj", "11.222.333/0001-81", "11222333000181"),
        ("cnpj", "00.000.000/0001-91", "00000000000191"),  # Banco do Brasil: the root 00000000 is real
        ("email", "Fulano.Silva@Example.COM.br", "fulano.silva@example.com.br"),
        ("email", "pagamentos+parceria@empresa-x.com", "pagamentos+parceria@empresa-x.com"),
        ("email", EMAIL_77.upper(), EMAIL_77),
        ("phone", "+5511912345678", "+5511912345678"),
        ("phone", "+55 (21) 98765-4321", "+5521987654321"),
        ("phone", "(11) 91234-5678", "+5511912345678"),
        ("phone", "55 11 91234-5678", "+5511912345678"),
        ("phone", "(55) 91234-5678", "+5555912345678"),
        ("phone", "+55 99 99999-9999", "+5599999999999"),
        ("evp", "123e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-426614174000"),
        ("evp", "123E4567-E89B-12D3-A456-426614174000", "123e4567-e89b-12d3-a456-426614174000"),
    ],
)
def test_valid_keys_are_normalised(key_type: str, key: str, normalised: str) -> None:
    assert validate_pix_key(key_type, key) == normalised


@pytest.mark.parametrize(
    ("key_type", "key", "message"),
    [
        ("cpf", "52998224724", "invalid CPF key"),
        ("cpf", "5299822472", "must have 11 digits"),
        ("cpf", "529982247250", "must have 11 digits"),
        ("cpf", "abc", "must have 11 digits"),
        ("cpf", "000.000.000-00", "invalid CPF key"),
        ("cnpj", "11222333000182", "invalid CNPJ key"),
        ("cnpj", "12ABC34501DE36", "invalid CNPJ key"),
        ("cnpj", "12ABC34501DEAB", "must have 14 characters"),
        ("cnpj", "1122233300018", "must have 14 characters"),
        ("cnpj", "52998224725", "must have 14 characters"),
        ("cnpj", "12ABC34501DE35", "alphanumeric CNPJ, which DICT does not accept as a PIX key"),
        ("cnpj", "12.abc.345/01de-35", "alphanumeric CNPJ, which DICT does not accept as a PIX key"),
        ("cnpj", "00000000000000", "invalid CNPJ key"),
        ("email", "fulano.example.com", "not a valid address"),
        ("email", "fulano@localhost", "not a valid address"),
        ("email", "fulano..silva@example.com", "not a valid address"),
        ("email", "fulano@-example.com", "not a valid address"),
        ("email", "josé@example.com", "not a valid address"),
        ("email", "fulano @example.com", "not a valid address"),
        ("email", "100%pago@example.com", "may not contain %"),
        ("email", "fulano%empresa@example.com", "may not contain %"),
        ("email", "b" + EMAIL_77, "at most 77 characters"),
        ("email", "a" * 65 + "@exampl.com", "before the @ must have at most 64 characters, got 65"),
        ("phone", "+1 202 555 0123", "must be a Brazilian number"),
        ("phone", "+55119123456789", "must be a mobile number"),
        ("phone", "+5511912345678901", "not an E.164 number"),
        ("phone", "+0 11 91234-5678", "not an E.164 number"),
        ("phone", "+55 11 81234-5678", "must be a mobile number"),
        ("phone", "+55 11 3456-7890", "must be a mobile number"),  # a landline
        ("phone", "11 3456-7890", "must be a mobile number"),
        ("phone", "+55 01 91234-5678", "'01' is not a Brazilian area code"),
        ("phone", "+55 20 91234-5678", "'20' is not a Brazilian area code"),
        ("phone", "(23) 91234-5678", "'23' is not a Brazilian area code"),
        ("phone", "+55 90 91234-5678", "'90' is not a Brazilian area code"),
        ("phone", "+55 11 1234-567", "must be a mobile number"),
        ("phone", "011 91234-5678", "ambiguous"),
        ("phone", "91234-5678", "ambiguous"),
        ("phone", "0055 11 91234-5678", "ambiguous"),
        ("phone", "1 202 555 0123", "must be a mobile number"),
        ("phone", "+55 11 0123-4567", "must be a mobile number"),
        ("phone", "(11) 9I234-5678", "may only hold digits"),
        ("phone", "+5511912345678x", "not an E.164 number"),
        ("evp", "123e4567e89b12d3a456426614174000", "must be a UUID"),
        ("evp", "123e4567-e89b-12d3-a456-42661417400g", "must be a UUID"),
        ("evp", "{123e4567-e89b-12d3-a456-426614174000}", "must be a UUID"),
        ("cpf", "   ", "is required"),
        ("iban", "BR1800360305000010009795493C1", "unknown PIX key type 'iban'"),
    ],
)
def test_invalid_keys_are_refused_with_a_clear_message(key_type: str, key: str, message: str) -> None:
    with pytest.raises(PixKeyError, match=message.replace("(", r"\(")):
        validate_pix_key(key_type, key)


@pytest.mark.parametrize("digit", "0123456789")
def test_a_cpf_key_of_one_repeated_digit_is_refused(digit: str) -> None:
    with pytest.raises(PixKeyError, match="invalid CPF key"):
        validate_pix_key("cpf", digit * 11)
    dotted = f"{digit * 3}.{digit * 3}.{digit * 3}-{digit * 2}"
    with pytest.raises(PixKeyError, match="invalid CPF key"):
        validate_pix_key("cpf", dotted)


@pytest.mark.parametrize("digit", "123456789")
def test_a_cnpj_key_with_a_root_of_one_repeated_digit_is_refused(digit: str) -> None:
    number = make_cnpj(digit * 8 + "0001")
    with pytest.raises(PixKeyError, match=r"root .* of one repeated character"):
        validate_pix_key("cnpj", number)


def test_the_area_codes_are_anatels_67() -> None:
    assert key_rules().area_codes == frozenset(AREA_CODES)
    assert len(AREA_CODES) == 67


@pytest.mark.parametrize("area", AREA_CODES)
def test_every_area_code_in_use_takes_a_mobile_number(area: str) -> None:
    assert validate_pix_key("phone", f"({area}) 99876-5432") == f"+55{area}998765432"


def test_pix_key_error_is_a_value_error_and_a_422() -> None:
    with pytest.raises(ValueError) as caught:
        validate_pix_key("evp", "nope")
    assert isinstance(caught.value, InvalidInput)
    assert caught.value.status == 422
    assert caught.value.code == "invalid_pix_key"


def test_a_key_must_be_text() -> None:
    with pytest.raises(PixKeyError, match="is required"):
        validate_pix_key("cpf", 52998224725)  # type: ignore[arg-type]


def test_email_key_of_exactly_77_characters_is_accepted() -> None:
    assert len(EMAIL_77) == 77
    assert validate_pix_key("email", EMAIL_77) == EMAIL_77


# --- Properties ------------------------------------------------------------------------------------------------

nine_digits = st.text("0123456789", min_size=9, max_size=9).filter(lambda s: len(set(s)) > 1)
cnpj_roots = st.text("0123456789", min_size=8, max_size=8).filter(lambda s: len(set(s)) > 1)
branches = st.text("0123456789", min_size=4, max_size=4)


@given(nine_digits)
def test_property_every_generated_cpf_is_a_valid_key_in_any_punctuation(base: str) -> None:
    number = make_cpf(base)
    if len(set(number)) == 1:  # pragma: no cover - a base of distinct digits never gives this
        return
    dotted = f"{number[:3]}.{number[3:6]}.{number[6:9]}-{number[9:]}"
    assert validate_pix_key("cpf", number) == number
    assert validate_pix_key("cpf", dotted) == number


@given(cnpj_roots, branches)
def test_property_every_generated_numeric_cnpj_is_a_valid_key(root: str, branch: str) -> None:
    if branch == "0000" and root == "0" * 8:  # pragma: no cover - excluded by the root filter
        return
    number = make_cnpj(root + branch)
    assert validate_pix_key("cnpj", number) == number
    assert validate_pix_key("cnpj", f"{number[:2]}.{number[2:5]}.{number[5:8]}/{number[8:12]}-{number[12:]}") == number


@given(st.sampled_from(AREA_CODES), st.text("0123456789", min_size=8, max_size=8))
def test_property_every_mobile_number_is_a_valid_key(area: str, rest: str) -> None:
    expected = f"+55{area}9{rest}"
    assert validate_pix_key("phone", expected) == expected
    assert validate_pix_key("phone", f"({area}) 9{rest[:4]}-{rest[4:]}") == expected


@given(st.sampled_from([t.value for t in PixKeyType]), st.text(max_size=120))
def test_property_random_text_gives_a_key_or_the_validation_error(key_type: str, text: str) -> None:
    try:
        key = validate_pix_key(key_type, text)
    except PixKeyError:
        return
    assert key == validate_pix_key(key_type, key)  # a normalised key is stable
