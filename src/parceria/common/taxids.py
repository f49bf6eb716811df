"""Tax identifiers per country, validated with python-stdnum.

BR: CNPJ (14 characters, numeric or the alphanumeric form from July 2026) or CPF (11 digits);
MX: RFC with check digits (12 characters for companies, 13 for people); CO: NIT; AR: CUIT; CL: RUT.
Other countries: stored as given (trimmed, at most 40 characters), since no validator is configured.
"""

from __future__ import annotations

from dataclasses import dataclass

from stdnum import exceptions as stdnum_exceptions
from stdnum.ar import cuit
from stdnum.br import cnpj, cpf
from stdnum.cl import rut
from stdnum.co import nit
from stdnum.mx import rfc


class TaxIdError(ValueError):
    """A tax id that is not valid for its country."""


@dataclass(frozen=True)
class TaxId:
    country: str
    kind: str
    compact: str
    formatted: str


def _br(value: str) -> TaxId:
    digits = cnpj.compact(value).upper()
    if len(digits) == 11:
        try:
            number = cpf.validate(digits)
        except stdnum_exceptions.ValidationError as exc:
            raise TaxIdError(f"invalid CPF {value!r}: {exc.message}") from None
        return TaxId("BR", "cpf", number, cpf.format(number))
    try:
        number = cnpj.validate(digits)
    except stdnum_exceptions.ValidationError as exc:
        raise TaxIdError(f"invalid CNPJ {value!r}: {exc.message}") from None
    return TaxId("BR", "cnpj", number, cnpj.format(number))


def _mx(value: str) -> TaxId:
    compact = rfc.compact(value)
    if len(compact) not in (12, 13):
        raise TaxIdError(f"invalid RFC {value!r}: must have 12 (company) or 13 (person) characters")
    try:
        number = rfc.validate(compact, validate_check_digits=True)
    except stdnum_exceptions.ValidationError as exc:
        raise TaxIdError(f"invalid RFC {value!r}: {exc.message}") from None
    return TaxId("MX", "rfc", number, rfc.format(number))


def _simple(country: str, kind: str, module: object) -> object:
    def check(value: str) -> TaxId:
        try:
            number = module.validate(value)  # type: ignore[attr-defined]
        except stdnum_exceptions.ValidationError as exc:
            raise TaxIdError(f"invalid {kind.upper()} {value!r}: {exc.message}") from None
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
