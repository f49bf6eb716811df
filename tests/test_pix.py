"""PIX key validation and normalisation per DICT key type."""

from __future__ import annotations

import pytest

from parceria.common.errors import InvalidInput
from parceria.payouts.cnab import load_layout
from parceria.payouts.pix import PixKeyError, PixKeyType, cnab_key_type_code, validate_pix_key

EMAIL_77 = "a" * 65 + "@example.com"  # 65 + 12 = 77 characters


@pytest.mark.parametrize(
    ("key_type", "key", "normalised"),
    [
        ("cpf", "52998224725", "52998224725"),
        ("cpf", "529.982.247-25", "52998224725"),
        ("CPF", " 111.444.777-35 ", "11144477735"),
        ("cnpj", "11222333000181", "11222333000181"),
        ("cnpj", "11.222.333/0001-81", "11222333000181"),
        ("cnpj", "12ABC34501DE35", "12ABC34501DE35"),
        ("cnpj", "12.abc.345/01de-35", "12ABC34501DE35"),
        ("email", "Fulano.Silva@Example.COM.br", "fulano.silva@example.com.br"),
        ("email", "pagamentos+parceria@empresa-x.com", "pagamentos+parceria@empresa-x.com"),
        ("email", EMAIL_77.upper(), EMAIL_77),
        ("phone", "+5511912345678", "+5511912345678"),
        ("phone", "+55 (21) 98765-4321", "+5521987654321"),
        ("phone", "(11) 91234-5678", "+5511912345678"),
        ("phone", "11 3456-7890", "+551134567890"),
        ("phone", "55 11 91234-5678", "+5511912345678"),
        ("phone", "(55) 91234-5678", "+5555912345678"),
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
        ("cnpj", "11222333000182", "invalid CNPJ key"),
        ("cnpj", "12ABC34501DE36", "invalid CNPJ key"),
        ("cnpj", "12ABC34501DEAB", "must have 14 characters"),
        ("cnpj", "1122233300018", "must have 14 characters"),
        ("cnpj", "52998224725", "must have 14 characters"),
        ("email", "fulano.example.com", "not a valid address"),
        ("email", "fulano@localhost", "not a valid address"),
        ("email", "fulano..silva@example.com", "not a valid address"),
        ("email", "fulano@-example.com", "not a valid address"),
        ("email", "josé@example.com", "not a valid address"),
        ("email", "fulano @example.com", "not a valid address"),
        ("email", "b" + EMAIL_77, "at most 77 characters"),
        ("phone", "+1 202 555 0123", "must be a Brazilian number"),
        ("phone", "+55119123456789", "8 digits, or 9 digits starting with 9"),
        ("phone", "+5511912345678901", "not an E.164 number"),
        ("phone", "+0 11 91234-5678", "not an E.164 number"),
        ("phone", "+55 11 81234-5678", "8 digits, or 9 digits starting with 9"),
        ("phone", "+55 01 91234-5678", "8 digits, or 9 digits starting with 9"),
        ("phone", "+55 11 1234-567", "8 digits, or 9 digits starting with 9"),
        ("phone", "011 91234-5678", "ambiguous"),
        ("phone", "91234-5678", "ambiguous"),
        ("phone", "0055 11 91234-5678", "ambiguous"),
        ("phone", "1 202 555 0123", "8 digits, or 9 digits starting with 9"),
        ("phone", "+55 11 0123-4567", "8 digits, or 9 digits starting with 9"),
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


@pytest.mark.parametrize(
    ("key_type", "code"),
    [("phone", "01"), ("email", "02"), ("cpf", "03"), ("cnpj", "03"), ("evp", "04"), ("EVP", "04")],
)
def test_itau_cnab_key_type_codes(key_type: str, code: str) -> None:
    assert cnab_key_type_code(key_type) == code


def test_cnab_key_type_code_refuses_unknown_types() -> None:
    with pytest.raises(PixKeyError, match="unknown PIX key type"):
        cnab_key_type_code("random")


def test_the_itau_layout_uses_the_same_key_type_codes() -> None:
    codes = load_layout("itau_sispag_pix").pix_key_type_codes
    assert {t.value: codes[t.value] for t in PixKeyType} == {t.value: cnab_key_type_code(t) for t in PixKeyType}
