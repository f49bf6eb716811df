"""PIX keys (DICT formats): validation and normalisation per key type.

The rules and their sources are data, in ``common/data/pix_keys.json`` (the Banco Central's DICT API
key formats, the Regulamento Pix, ANATEL's area codes, RFC 5321). In short:

* ``cpf``   11 digits, a real CPF (check digits, and not one repeated digit): the tax-id rule of
  ``parceria.common.taxids.validate_cpf``; punctuation accepted on input ("529.982.247-25").
* ``cnpj``  14 digits, a real CNPJ (``taxids.validate_cnpj``); punctuation and lower case accepted. DICT's
  key format is numeric (``^[0-9]{14}$``): the alphanumeric CNPJ (from July 2026) is refused as a key while
  ``cnpj.alphanumeric_keys`` is false in the data.
* ``email`` lower case, at most 77 characters, a local part (before the @) of at most 64, no ``%``, ASCII
  ``local@domain.tld``.
* ``phone`` a Brazilian mobile number in E.164: ``+55``, an area code (DDD) in use, 9 digits starting with
  9. National input such as "(11) 91234-5678" is accepted and becomes "+5511912345678"; input that cannot
  be read unambiguously (a leading 0 trunk or carrier code, letters, another country) is refused, and so
  is a landline (8 digits): DICT keys are mobile numbers.
* ``evp``   the random key: a lower-case UUID; upper-case input is accepted and lower-cased.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources

from stdnum.br import cnpj, cpf

from parceria.common.errors import InvalidInput
from parceria.common.taxids import TaxIdError, validate_cnpj, validate_cpf


class PixKeyType(StrEnum):
    CPF = "cpf"
    CNPJ = "cnpj"
    EMAIL = "email"
    PHONE = "phone"
    EVP = "evp"


class PixKeyError(InvalidInput, ValueError):
    """A PIX key that is not valid for its type (an HTTP 422 when it reaches the API)."""

    code = "invalid_pix_key"


@dataclass(frozen=True)
class KeyRules:
    """The DICT rules from ``common/data/pix_keys.json``."""

    country_code: str
    area_codes: frozenset[str]
    email_max_length: int
    email_local_max_length: int
    email_forbidden: str
    cnpj_alphanumeric_keys: bool


@lru_cache(maxsize=1)
def key_rules() -> KeyRules:
    text = resources.files("parceria.common").joinpath("data", "pix_keys.json").read_text(encoding="utf-8")
    data = json.loads(text)
    return KeyRules(
        country_code=str(data["phone"]["country_code"]),
        area_codes=frozenset(str(code) for code in data["phone"]["area_codes"]),
        email_max_length=int(data["email"]["max_length"]),
        email_local_max_length=int(data["email"]["local_part_max_length"]),
        email_forbidden=str(data["email"]["forbidden_characters"]),
        cnpj_alphanumeric_keys=bool(data["cnpj"]["alphanumeric_keys"]),
    )


_CPF = re.compile(r"^[0-9]{11}$")
_CNPJ = re.compile(r"^[0-9A-Z]{12}[0-9]{2}$")
_NUMERIC_CNPJ = re.compile(r"^[0-9]{14}$")
_EMAIL = re.compile(
    r"^[a-z0-9!#$&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$&'*+/=?^_`{|}~-]+)*"
    r"@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$"
)
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_MOBILE = re.compile(r"^9[0-9]{8}$")
_PHONE_SEPARATORS = re.compile(r"[\s().-]")
_EVP = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

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


def _cpf(key: str) -> str:
    digits = cpf.compact(key)
    if not _CPF.fullmatch(digits):
        raise PixKeyError(f"CPF key {key!r} must have 11 digits")
    return _tax_id_check("CPF", key, validate_cpf)


def _cnpj(key: str) -> str:
    number = cnpj.compact(key).upper()
    if not _CNPJ.fullmatch(number):
        raise PixKeyError(f"CNPJ key {key!r} must have 14 characters: 12 digits or capital letters, then 2 digits")
    number = _tax_id_check("CNPJ", key, validate_cnpj)
    if not _NUMERIC_CNPJ.fullmatch(number) and not key_rules().cnpj_alphanumeric_keys:
        raise PixKeyError(
            f"CNPJ key {key!r} is an alphanumeric CNPJ, which DICT does not accept as a PIX key yet:"
            " use the payee's e-mail, phone or random key"
        )
    return number


def _tax_id_check(label: str, key: str, validate: Callable[[str], str]) -> str:
    try:
        return validate(key)
    except TaxIdError as exc:
        raise PixKeyError(f"invalid {label} key {key!r}: {exc.reason}") from None


def _email(key: str) -> str:
    rules = key_rules()
    address = key.lower()
    if len(address) > rules.email_max_length:
        raise PixKeyError(f"e-mail key must have at most {rules.email_max_length} characters, got {len(address)}")
    forbidden = sorted({c for c in address if c in rules.email_forbidden})
    if forbidden:
        raise PixKeyError(f"e-mail key {key!r} may not contain {' '.join(forbidden)} (DICT refuses it)")
    local = address.rpartition("@")[0]
    if len(local) > rules.email_local_max_length:
        raise PixKeyError(
            f"e-mail key {key!r}: the part before the @ must have at most {rules.email_local_max_length}"
            f" characters, got {len(local)}"
        )
    if not _EMAIL.fullmatch(address):
        raise PixKeyError(f"e-mail key {key!r} is not a valid address such as name@example.com.br")
    return address


def _phone(key: str) -> str:
    rules = key_rules()
    number = _phone_e164(key)
    if not _E164.fullmatch(number):
        raise PixKeyError(f"phone key {key!r} is not an E.164 number such as +5511912345678")
    prefix = "+" + rules.country_code
    if not number.startswith(prefix):
        raise PixKeyError(f"phone key {key!r} must be a Brazilian number ({prefix})")
    area, subscriber = number[len(prefix) : len(prefix) + 2], number[len(prefix) + 2 :]
    if area not in rules.area_codes:
        raise PixKeyError(f"phone key {key!r}: {area!r} is not a Brazilian area code (DDD) in use")
    if not _MOBILE.fullmatch(subscriber):
        raise PixKeyError(
            f"phone key {key!r} must be a mobile number: {prefix}, the area code and 9 digits starting with 9"
            " (DICT does not take landlines)"
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


def masked_pix_key(key: str) -> str:
    """All but the last 4 characters of a PIX key masked (a key of 4 characters or fewer is shown as is)."""
    return key if len(key) <= 4 else "•" * (len(key) - 4) + key[-4:]
