"""PIX keys (DICT formats): validation and normalisation per key type.

Formats (bacen/pix-api `openapi.yaml`; BCB "Manual de Padrões para Iniciação do Pix"):

* ``cpf``   11 digits with valid check digits; punctuation accepted on input ("529.982.247-25").
* ``cnpj``  14 characters ``^[0-9A-Z]{12}[0-9]{2}$``: the numeric CNPJ and the alphanumeric CNPJ (from
  July 2026), check digits validated by python-stdnum ``br.cnpj``; punctuation and lower case accepted.
* ``email`` lower case, at most 77 characters, ASCII ``local@domain.tld``.
* ``phone`` E.164 ``^\\+[1-9]\\d{1,14}$``; PIX keys are Brazilian numbers: +55, a 2-digit area code (11–99)
  and 8 digits (2–9 first) or 9 digits starting with 9. National input such as "(11) 91234-5678" is accepted and
  becomes "+5511912345678"; input that cannot be read unambiguously (a leading 0 trunk or carrier code,
  letters, another country) is refused.
* ``evp``   the random key: a lower-case UUID; upper-case input is accepted and lower-cased.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum

from stdnum import exceptions as stdnum_exceptions
from stdnum.br import cnpj, cpf

from parceria.common.errors import InvalidInput


class PixKeyType(StrEnum):
    CPF = "cpf"
    CNPJ = "cnpj"
    EMAIL = "email"
    PHONE = "phone"
    EVP = "evp"


class PixKeyError(InvalidInput, ValueError):
    """A PIX key that is not valid for its type (an HTTP 422 when it reaches the API)."""

    code = "invalid_pix_key"


EMAIL_MAX_LENGTH = 77
_CPF = re.compile(r"^[0-9]{11}$")
_CNPJ = re.compile(r"^[0-9A-Z]{12}[0-9]{2}$")
_EMAIL = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$"
)
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_BR_PHONE = re.compile(r"^\+55[1-9]{2}(?:9\d{8}|[2-9]\d{7})$")
_PHONE_SEPARATORS = re.compile(r"[\s().-]")
_EVP = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

#: Itaú SISPAG's PIX key type codes (segment B, positions 15–16). The CNAB layouts carry their own copy.
_ITAU_KEY_TYPE_CODES = {
    PixKeyType.PHONE: "01",
    PixKeyType.EMAIL: "02",
    PixKeyType.CPF: "03",
    PixKeyType.CNPJ: "03",
    PixKeyType.EVP: "04",
}


def parse_key_type(key_type: str) -> PixKeyType:
    """The PixKeyType named by `key_type` (case-insensitive), or PixKeyError."""
    try:
        return PixKeyType(str(key_type).strip().lower())
    except ValueError:
        allowed = ", ".join(t.value for t in PixKeyType)
        raise PixKeyError(f"unknown PIX key type {key_type!r}; expected one of: {allowed}") from None


def validate_pix_key(key_type: str, key: str) -> str:
    """Validate `key` as a PIX key of `key_type` and return its normalised (DICT) form."""
    kind = parse_key_type(key_type)
    if not isinstance(key, str) or not key.strip():
        raise PixKeyError(f"PIX key of type {kind.value} is required")
    return _VALIDATORS[kind](key.strip())


def cnab_key_type_code(key_type: str) -> str:
    """Itaú SISPAG's code for a PIX key type: 01 phone, 02 e-mail, 03 CPF/CNPJ, 04 random key."""
    return _ITAU_KEY_TYPE_CODES[parse_key_type(key_type)]


def _cpf(key: str) -> str:
    digits = cpf.compact(key)
    if not _CPF.fullmatch(digits):
        raise PixKeyError(f"CPF key {key!r} must have 11 digits")
    return _stdnum_check("CPF", key, lambda: cpf.validate(digits))


def _cnpj(key: str) -> str:
    number = cnpj.compact(key).upper()
    if not _CNPJ.fullmatch(number):
        raise PixKeyError(f"CNPJ key {key!r} must have 14 characters: 12 digits or capital letters, then 2 digits")
    return _stdnum_check("CNPJ", key, lambda: cnpj.validate(number))


def _stdnum_check(label: str, key: str, validate: Callable[[], str]) -> str:
    try:
        return validate()
    except stdnum_exceptions.ValidationError as exc:
        raise PixKeyError(f"invalid {label} key {key!r}: {exc}") from None


def _email(key: str) -> str:
    address = key.lower()
    if len(address) > EMAIL_MAX_LENGTH:
        raise PixKeyError(f"e-mail key must have at most {EMAIL_MAX_LENGTH} characters, got {len(address)}")
    if not _EMAIL.fullmatch(address):
        raise PixKeyError(f"e-mail key {key!r} is not a valid address such as name@example.com.br")
    return address


def _phone(key: str) -> str:
    number = _phone_e164(key)
    if not _E164.fullmatch(number):
        raise PixKeyError(f"phone key {key!r} is not an E.164 number such as +5511912345678")
    if not number.startswith("+55"):
        raise PixKeyError(f"phone key {key!r} must be a Brazilian number (+55)")
    if not _BR_PHONE.fullmatch(number):
        raise PixKeyError(
            f"phone key {key!r} must be +55, a 2-digit area code and 8 digits, or 9 digits starting with 9"
            " (a landline's 8 digits start with 2 to 9)"
        )
    return number


def _phone_e164(key: str) -> str:
    """`key` as +<digits>: international input as given, national (area code + number) prefixed with +55."""
    compact = _PHONE_SEPARATORS.sub("", key)
    if compact.startswith("+"):
        return compact
    if not compact.isdigit() or not compact.isascii():
        raise PixKeyError(f"phone key {key!r} may only hold digits, spaces, ( ) - . and a leading +")
    if len(compact) in (10, 11) and compact[0] != "0":
        return "+55" + compact
    if len(compact) in (12, 13) and compact.startswith("55"):
        return "+" + compact
    raise PixKeyError(f"phone key {key!r} is ambiguous: write it as +55, area code and number")


def _evp(key: str) -> str:
    uuid = key.lower()
    if not _EVP.fullmatch(uuid):
        raise PixKeyError(f"random key {key!r} must be a UUID such as 123e4567-e89b-12d3-a456-426614174000")
    return uuid


_VALIDATORS: dict[PixKeyType, Callable[[str], str]] = {
    PixKeyType.CPF: _cpf,
    PixKeyType.CNPJ: _cnpj,
    PixKeyType.EMAIL: _email,
    PixKeyType.PHONE: _phone,
    PixKeyType.EVP: _evp,
}
