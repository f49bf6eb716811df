"""Bank account numbers for paying partners outside a PIX key (issue: international payouts), each checked by a
maintained validator where one exists, by the published rule otherwise. The one owner of these checks.

- Mexico, CLABE (SPEI): 18 digits, bank (3) + plaza (3) + account (11) + a check digit. The check digit is
  (10 − (Σ (dᵢ × wᵢ mod 10)) mod 10) mod 10 over the first 17 digits with weights 3, 7, 1 repeated (Asociación de
  Bancos de México's standard, as described in Wikipedia's "CLABE" article, section "Dígito control"; python-stdnum
  has no CLABE module). The bank is the first three digits.
- Argentina, CBU and CVU: 22 digits with two check digits; python-stdnum's `ar.cbu` (a CVU, the virtual account of
  a payment provider, has the same layout and check digits: BCRA Comunicación "A" 6510 [verify]).
- International transfers: IBAN with python-stdnum's `iban`, only for a country in the IBAN registry that
  python-stdnum carries (Mexico, Argentina, Colombia and Chile are not in it), and SWIFT/BIC with `bic`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from stdnum import bic, iban, numdb
from stdnum import exceptions as stdnum_exceptions
from stdnum.ar import cbu

#: The weights of the CLABE check digit, repeated over its first 17 digits.
CLABE_WEIGHTS = (3, 7, 1) * 6


class BankAccountError(ValueError):
    """A bank account number that is not valid, with the reason in the active language."""


@dataclass(frozen=True)
class Clabe:
    number: str
    bank_code: str
    plaza: str
    account: str


def _digits(value: str, length: int, label: str) -> str:
    compact = "".join(value.split()).replace("-", "")
    if not compact.isdigit() or len(compact) != length:
        raise BankAccountError(_("a %(number)s has %(n)s digits") % {"number": label, "n": length})
    return compact


def clabe_check_digit(first17: str) -> str:
    """The check digit of a CLABE from its first 17 digits."""
    total = sum(int(d) * w % 10 for d, w in zip(first17, CLABE_WEIGHTS, strict=False))
    return str((10 - total % 10) % 10)


def validate_clabe(value: str) -> Clabe:
    """A CLABE, compact, with its bank, plaza and account; BankAccountError when the length or check digit is wrong."""
    number = _digits(value, 18, "CLABE")
    if clabe_check_digit(number[:17]) != number[17]:
        raise BankAccountError(_("the CLABE's check digit does not match"))
    return Clabe(number=number, bank_code=number[:3], plaza=number[3:6], account=number[6:17])


def validate_cbu(value: str) -> str:
    """An Argentine CBU or CVU, compact (22 digits, both check digits verified by python-stdnum)."""
    number = _digits(value, 22, "CBU or CVU")
    try:
        return str(cbu.validate(number))
    except stdnum_exceptions.ValidationError:
        raise BankAccountError(_("the CBU's check digits do not match")) from None


def uses_iban(country: str) -> bool:
    """Whether `country` (ISO 3166 alpha-2) is in the IBAN registry as python-stdnum carries it."""
    info = numdb.get("iban").info(country.upper()[:2])
    return bool(info) and "country" in info[0][1]


def validate_iban(value: str) -> str:
    """An IBAN, compact, for a country that uses IBAN; BankAccountError otherwise."""
    number = iban.compact(value)
    country = number[:2].upper()
    if not uses_iban(country):
        raise BankAccountError(
            _("%(country)s does not use IBAN: give the bank account instead") % {"country": country or "?"}
        )
    try:
        return str(iban.validate(number))
    except stdnum_exceptions.ValidationError:
        raise BankAccountError(_("the IBAN's length or check digits are wrong")) from None


def validate_bic(value: str) -> str:
    """A SWIFT/BIC code (8 or 11 characters), compact and upper case."""
    try:
        return str(bic.validate(value))
    except stdnum_exceptions.ValidationError:
        raise BankAccountError(_("not a SWIFT/BIC code (8 or 11 letters and digits)")) from None
