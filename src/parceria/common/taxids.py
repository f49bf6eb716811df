"""Tax identifiers per country, validated with python-stdnum.

BR: CNPJ (14 characters, numeric or the alphanumeric form from July 2026) or CPF (11 digits);
python-stdnum checks the format and the check digits. On top of it, a number made of one repeated
character is refused, though its check digits are right: a CPF of eleven equal digits (111.111.111-11 …
999.999.999-99; stdnum already refuses 000.000.000-00) and a CNPJ whose root (its first 8 characters, the
company) is one repeated digit or letter (11.111.111/… , AA.AAA.AAA/…). The Receita Federal assigns no
such number; they are what people type to get past a form. The root 00000000 is not refused: it is Banco do
Brasil's (00.000.000/0001-91). `validate_cpf` and `validate_cnpj` are the one owner of these rules; PIX
keys of type CPF or CNPJ are checked with them too.
MX: RFC with check digits (12 characters for companies, 13 for people); CO: NIT; AR: CUIT; CL: RUT.
Other countries: stored as given (trimmed, at most 40 characters), since no validator is configured.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from stdnum import exceptions as stdnum_exceptions
from stdnum.ar import cuit
from stdnum.br import cnpj, cpf
from stdnum.cl import rut
from stdnum.co import nit
from stdnum.mx import rfc


class TaxIdError(ValueError):
    """A tax id that is not valid for its country. The message is English (logs, the API's detail); `reason` says
    why without the number, translated lazily (into the language active where it is shown: this module is also used
    before Django is set up, by the demo's and the benchmarks' synthetic tax ids)."""

    def __init__(self, message: str, reason: str | Promise = "") -> None:
        super().__init__(message)
        # A lazy reason is kept unevaluated (its truth value would translate it now).
        self.reason: str | Promise = reason if isinstance(reason, Promise) or reason else message


#: What python-stdnum's errors mean, in the reader's language (its own messages are English only).
_REASONS = (
    (stdnum_exceptions.InvalidChecksum, gettext_lazy("its check digits do not match the number")),
    (stdnum_exceptions.InvalidLength, gettext_lazy("it has the wrong number of characters")),
    (stdnum_exceptions.InvalidFormat, gettext_lazy("it is not written in the number's format")),
    (stdnum_exceptions.InvalidComponent, gettext_lazy("a part of it is not a valid value")),
)


_REPEATED_CPF = "a CPF of one repeated digit is not issued"
_REPEATED_CNPJ_ROOT = "a CNPJ root (its first 8 characters) of one repeated character is not issued"
_RFC_LENGTH = "an RFC has 12 characters (a company) or 13 (a person)"
#: Our own reasons, in the reader's language.
_OUR_REASONS = {
    _REPEATED_CPF: gettext_lazy("a CPF of one repeated digit is not issued"),
    _REPEATED_CNPJ_ROOT: gettext_lazy("a CNPJ root (its first 8 characters) of one repeated character is not issued"),
    _RFC_LENGTH: gettext_lazy("an RFC has 12 characters (a company) or 13 (a person)"),
}


def _why(reason: object) -> str | Promise:
    """A stdnum error, or one of our sentences, as the reason shown to people (translated when shown)."""
    for kind, text in _REASONS:
        if isinstance(reason, kind):
            return text
    return _OUR_REASONS.get(str(reason), str(reason))


def _invalid(label: str, value: str, reason: object) -> TaxIdError:
    return TaxIdError(f"invalid {label} {value!r}: {reason}", _why(reason))


@dataclass(frozen=True)
class TaxId:
    country: str
    kind: str
    compact: str
    formatted: str


#: The CNPJ root kept although it is one repeated digit: Banco do Brasil's (00.000.000/0001-91).
_CNPJ_REAL_REPEATED_ROOTS = frozenset({"00000000"})


def validate_cpf(value: str) -> str:
    """The compact CPF (11 digits) in `value`, punctuation allowed; TaxIdError if it is not a real CPF."""
    number = cpf.compact(value)
    try:
        number = cpf.validate(number)
    except stdnum_exceptions.ValidationError as exc:
        raise _invalid("CPF", value, exc) from None
    if len(set(number)) == 1:
        raise _invalid("CPF", value, _REPEATED_CPF)
    return number


#: A numeric CNPJ written compact or with its usual punctuation (11.222.333/0001-81).
_PLAIN_CNPJ = re.compile(r"[0-9]{2}\.?[0-9]{3}\.?[0-9]{3}/?[0-9]{4}-?[0-9]{2}")
_CNPJ_WEIGHTS = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)


def _plain_cnpj(value: str) -> str | None:
    """The compact form of a numeric CNPJ in its usual writing whose check digits are right, by python-stdnum's
    rule (module 11 with the weights 5…2, 9…2 and then 6…2, 9…2; a root and branch of twelve zeros refused),
    computed here without stdnum's character-by-character cleaning, which dominates the time of a list of
    100,000 rows. None for anything else: it goes through stdnum, which accepts nothing this refuses
    (tests/test_money_and_taxids.py compares the two)."""
    if not _PLAIN_CNPJ.fullmatch(value):
        return None
    number = value.replace(".", "").replace("/", "").replace("-", "")
    if number.startswith("000000000000"):
        return None
    digits = [ord(c) - 48 for c in number]
    first = (11 - sum(w * d for w, d in zip(_CNPJ_WEIGHTS[1:], digits[:12], strict=True))) % 11 % 10
    second = (11 - sum(w * d for w, d in zip(_CNPJ_WEIGHTS, [*digits[:12], first], strict=True))) % 11 % 10
    return number if (digits[12], digits[13]) == (first, second) else None


def validate_cnpj(value: str) -> str:
    """The compact CNPJ (14 characters, numeric or alphanumeric, upper case) in `value`, punctuation and lower
    case allowed; TaxIdError if it is not a real CNPJ."""
    number = _plain_cnpj(value) or ""
    if not number:
        number = cnpj.compact(value).upper()
        try:
            number = cnpj.validate(number)
        except stdnum_exceptions.ValidationError as exc:
            raise _invalid("CNPJ", value, exc) from None
    root = number[:8]
    if len(set(root)) == 1 and root not in _CNPJ_REAL_REPEATED_ROOTS:
        raise _invalid("CNPJ", value, _REPEATED_CNPJ_ROOT)
    return number


def _br(value: str) -> TaxId:
    if _PLAIN_CNPJ.fullmatch(value):  # the common case, without stdnum's slower compacting
        number = validate_cnpj(value)
        return TaxId("BR", "cnpj", number, f"{number[:2]}.{number[2:5]}.{number[5:8]}/{number[8:12]}-{number[12:]}")
    if len(cnpj.compact(value)) == 11:
        number = validate_cpf(value)
        return TaxId("BR", "cpf", number, cpf.format(number))
    number = validate_cnpj(value)
    return TaxId("BR", "cnpj", number, cnpj.format(number))


def _mx(value: str) -> TaxId:
    compact = rfc.compact(value)
    if len(compact) not in (12, 13):
        raise TaxIdError(f"invalid RFC {value!r}: must have 12 (company) or 13 (person) characters",
                         _why(_RFC_LENGTH))
    try:
        number = rfc.validate(compact, validate_check_digits=True)
    except stdnum_exceptions.ValidationError as exc:
        raise TaxIdError(f"invalid RFC {value!r}: {exc}", _why(exc)) from None
    return TaxId("MX", "rfc", number, rfc.format(number))


def _simple(country: str, kind: str, module: object) -> object:
    def check(value: str) -> TaxId:
        try:
            number = module.validate(value)  # type: ignore[attr-defined]
        except stdnum_exceptions.ValidationError as exc:
            raise TaxIdError(f"invalid {kind.upper()} {value!r}: {exc}", _why(exc)) from None
        return TaxId(country, kind, number, module.format(number))  # type: ignore[attr-defined]

    return check


_VALIDATORS = {
    "BR": _br,
    "MX": _mx,
    "CO": _simple("CO", "nit", nit),
    "AR": _simple("AR", "cuit", cuit),
    "CL": _simple("CL", "rut", rut),
}

VALIDATED_COUNTRIES = tuple(_VALIDATORS)


def validate_tax_id(country: str, value: str) -> TaxId:
    """Validate `value` as a tax id of `country` (ISO 3166 alpha-2) and return its compact form."""
    if not isinstance(value, str) or not value.strip():
        raise TaxIdError("tax id is required")
    validator = _VALIDATORS.get(country.upper())
    if validator is None:
        compact = value.strip()
        if len(compact) > 40:
            raise TaxIdError("tax id must have at most 40 characters")
        return TaxId(country.upper(), "other", compact, compact)
    return validator(value.strip())  # type: ignore[operator]


def _cpf_check_digits(base: str) -> str:
    digits = [int(c) for c in base]
    for weight_start in (10, 11):
        total = sum(d * w for d, w in zip(digits, range(weight_start, 1, -1), strict=False))
        digits.append((total * 10 % 11) % 10)
    return "".join(str(d) for d in digits[-2:])


def synthetic_tax_id(country: str, n: int, *, person: bool = False) -> str:
    """A valid, made-up tax id for demo data and tests, deterministic in `n` (0 ≤ n < 10**6)."""
    country = country.upper()
    for k in range(n * 7, n * 7 + 7):  # a few candidates: some bases have no valid check digit
        candidate = _synthetic(country, k, person)
        try:
            return validate_tax_id(country, candidate).compact
        except TaxIdError:
            continue
    raise TaxIdError(f"could not make a synthetic tax id for {country} from {n}")


def _synthetic(country: str, k: int, person: bool) -> str:
    if country == "BR" and person:
        base = f"{k + 100_000_000:09d}"[-9:]
        return base + _cpf_check_digits(base)
    if country == "BR":
        base = f"{k + 10_000_000:08d}"[-8:] + "0001"
        return base + cnpj.calc_check_digits(base)
    if country == "MX":
        letters = "".join(chr(ord("A") + (k // 26**i) % 26) for i in range(3))
        body = f"{letters}{90 + k % 10:02d}{(k % 12) + 1:02d}{(k % 28) + 1:02d}A{k % 10}"
        return body + rfc.calc_check_digit(body)
    if country == "AR":
        base = f"30{k + 50_000_000:08d}"[-10:]
        return base + cuit.calc_check_digit(base)
    if country == "CL":
        base = str(k + 76_000_000)
        return base + rut.calc_check_digit(base)
    if country == "CO":
        base = str(k + 800_000_000)
        return base + nit.calc_check_digit(base)
    return f"TAX{k:08d}"


#: CUIT prefixes of individuals (20, 23, 24, 27); companies have 30, 33 and 34.
_CUIT_PERSON_PREFIXES = ("20", "23", "24", "27")


def is_person(*, tax_regime: str = "", tax_id_kind: str = "", tax_id: str = "") -> bool:
    """Whether a partner or payee with this tax regime and tax id is a natural person: a `pf` regime or a CPF; per
    country by the tax id's form (a 13-character RFC, a CUIT of 20/23/24/27, a RUT below 50 million, a NIT not
    starting with 8 or 9); a tax id that tells nothing counts as a person's. The sharing log asks it."""
    kind, number = (tax_id_kind or "").lower(), "".join(c for c in (tax_id or "") if c.isalnum())
    if tax_regime == "pf" or kind == "cpf":
        return True
    if kind == "cnpj" or tax_regime in ("pj", "pj_simples"):
        return False
    if not kind and number.isdigit():
        return len(number) == 11  # a Brazilian tax id without its kind: a CPF has 11 digits, a CNPJ 14
    if kind == "rfc":
        return len(number) == 13
    if kind == "cuit":
        return number.startswith(_CUIT_PERSON_PREFIXES)
    if kind == "rut":
        digits = number[:-1]  # the last character is the check digit (0-9 or K)
        return digits.isdigit() and int(digits) < 50_000_000
    if kind == "nit":
        return not number.startswith(("8", "9"))
    return True  # a tax id that tells nothing: counted as a person's
