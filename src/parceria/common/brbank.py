"""Brazilian bank accounts for payouts by TED or a bank file: the bank, the branch (agência) and the account (conta),
each with its check digit (dígito verificador). The one owner of these checks.

Every bank gets the format checks: the bank is in the Brazilian directory (``common.banks``); the branch has 1 to 5
digits (4 at most banks, shorter input is left-padded to 4); its check digit, when the bank has one, is optional and
one character; the account has 1 to 13 digits, not all zeros; its check digit is one character, a digit, or X (or P)
where the bank uses it.

The banks below also have their check digits computed, by the rules published in "Regras de Validação de dígito
verificador de agência e conta corrente" (Icatu Seguros, 2016; read in
github.com/herbertscruz/br-bank-account-validator, doc/Regras Validacao Conta Corrente VI_EPS.pdf) and implemented
alike by independent validators read for the facts:
github.com/filwaitman/bank-account-validator (MIT; bank_account_validator/core.py and the test vectors of
tests/data.py) and github.com/moip/bank-account-validator (mirrored as wirecardBrasil/bank-account-validator-js;
src/*_check_number_calculator.js and spec/). Branch and account are left-padded with zeros to the lengths below.

- 001 Banco do Brasil: branch 4 digits + digit, account 8 + digit. Each digit is mod 11 of the number weighted 5, 4,
  3, 2 (branch) or 9 to 2 (account): 11 − remainder, X for 10, 0 for 11 (Icatu p. 2; moip; filwaitman).
- 237 Bradesco: branch 4 + digit, weights 5, 4, 3, 2; account 7 + digit, weights 2, 7, 6, 5, 4, 3, 2 (2 to 7 from
  the right). 11 − remainder, P for 10, 0 for 11 (Icatu p. 7-8). A 0 is accepted where the rule gives P (moip accepts
  both; filwaitman writes 0 for it, calling the P outdated).
- 341 Itaú: branch 4, no digit; account 5 + digit: mod 10 over branch and account, weights 2, 1, 2, 1… from the left,
  a product above 9 counting as the sum of its digits; 10 − remainder, 0 for 10 (Icatu p. 9).
- 033 Santander: branch 4, no digit; account 8 (2 of account type + 6) + digit: branch, "00" and account weighted
  9, 7, 3, 1, 0, 0, 9, 7, 1, 3, 1, 9, 7, 3, keeping each product's last digit; 10 − the total's last digit, 0 for 10
  (Icatu p. 3).
- 104 Caixa: branch 4, no digit; account 11 (operation 3 + 8) + digit: branch and account weighted 8, 7, 6, 5, 4, 3,
  2, 9, 8, 7, 6, 5, 4, 3, 2, the sum times 10 modulo 11, 0 for 10 (Icatu p. 6). An account with more than 11
  significant digits (the newer accounts whose operation has four digits [verify]) is accepted on its format alone.
- 041 Banrisul: branch 4 + an optional two-digit control number (the first mod 10 with weights 1, 2, 1, 2 and digit
  sums; the second mod 11 over branch and first digit with weights 6, 5, 4, 3, 2, where remainder 1 raises the first
  digit, 9 becoming 0, and is computed again); account 9 (2 of type + 7) + digit with weights 3, 2, 4, 7, 6, 5, 4, 3,
  2: 0 for remainder 0, 6 for remainder 1, 11 − remainder otherwise (Icatu p. 4-5).
- 745 Citibank: branch 4, no digit; account 10 + digit with weights 11 to 2: 11 − remainder, 0 for remainders 0 and
  1 (Icatu p. 12; filwaitman's 7-digit form is the same with the leading zeros).

Every other bank in the directory (Nubank, Inter, C6, Sicoob, Sicredi, ...) is checked for format only: no published
rule was found for its digits. `check_digit_verified(bank_code)` tells callers which case applies, and
`BrAccount.verified` whether a given account's digits were computed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parceria.common import banks

#: The fields a BrAccountError can name.
FIELDS = ("bank_code", "branch", "branch_digit", "account", "account_digit")

_SEPARATORS = str.maketrans("", "", " .-/\t")


class BrAccountError(ValueError):
    """A Brazilian bank account that is not valid, with the reason in the active language and the `field` to show it
    beside (one of FIELDS)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class BrAccount:
    """A valid account, compact: branch of 4 digits (5 if given so), digits upper case; at a bank with a published
    rule the account is left-padded to the bank's length and `verified` says its check digits were computed."""

    bank_code: str
    branch: str
    branch_digit: str
    account: str
    account_digit: str
    verified: bool = False


def _mod11(number: str, weights: Iterable[int], ten: str) -> str:
    """11 − (Σ digit × weight mod 11), with `ten` for 10 and 0 for 11."""
    remainder = sum(int(d) * w for d, w in zip(number, weights, strict=True)) % 11
    if remainder == 0:
        return "0"
    return ten if remainder == 1 else str(11 - remainder)


def _digit_sum(value: int) -> int:
    return sum(int(c) for c in str(value))


def _bb(number: str) -> str:
    return _mod11(number, range(len(number) + 1, 1, -1), "X")


def _itau(branch: str, account: str) -> str:
    total = sum(_digit_sum(int(d) * w) for d, w in zip(branch + account, (2, 1) * 5, strict=False))
    return str((10 - total % 10) % 10)


def _santander(branch: str, account: str) -> str:
    weights = (9, 7, 3, 1, 9, 7, 1, 3, 1, 9, 7, 3)  # branch, then account: the "00" between them weighs 0
    total = sum(int(d) * w % 10 for d, w in zip(branch + account, weights, strict=True))
    return str((10 - total % 10) % 10)


def _caixa(branch: str, account: str) -> str:
    weights = (8, 7, 6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
    remainder = sum(int(d) * w for d, w in zip(branch + account, weights, strict=True)) * 10 % 11
    return "0" if remainder == 10 else str(remainder)


def _banrisul_branch(branch: str) -> str:
    first = (10 - sum(_digit_sum(int(d) * w) for d, w in zip(branch, (1, 2, 1, 2), strict=True)) % 10) % 10
    while True:
        remainder = (sum(int(d) * w for d, w in zip(branch, (6, 5, 4, 3), strict=True)) + first * 2) % 11
        if remainder != 1:
            return f"{first}{0 if remainder == 0 else 11 - remainder}"
        # Raising the first digit moves the remainder by 2 (by 4 when 9 becomes 0): this runs at most twice.
        first = 0 if first == 9 else first + 1


@dataclass(frozen=True)
class _Rule:
    name: str
    account_length: int
    #: The account's check digit from the padded branch and account.
    account_digit: Callable[[str, str], str]
    #: The branch's check digit(s) from the padded branch; None where branches carry none.
    branch_digit: Callable[[str], str] | None = None
    #: The letter the bank writes for 10, and that a payee may write as 0 ("P" at Bradesco).
    zero_may_stand_for: str = ""
    #: Letters the bank's digits may be.
    letters: str = ""
    #: Longer accounts (up to this many significant digits) are accepted on their format alone.
    unverified_up_to: int = 0


_RULES: dict[str, _Rule] = {
    "001": _Rule("Banco do Brasil", 8, lambda _b, a: _bb(a), branch_digit=_bb, letters="X"),
    "237": _Rule(
        "Bradesco", 7, lambda _b, a: _mod11(a, (2, 7, 6, 5, 4, 3, 2), "P"),
        branch_digit=lambda b: _mod11(b, (5, 4, 3, 2), "P"), zero_may_stand_for="P", letters="P",
    ),
    "341": _Rule("Itaú", 5, _itau),
    "033": _Rule("Santander", 8, _santander),
    "104": _Rule("Caixa", 11, _caixa, unverified_up_to=12),
    "041": _Rule(
        "Banrisul", 9, lambda _b, a: _mod11(a, (3, 2, 4, 7, 6, 5, 4, 3, 2), "6"), branch_digit=_banrisul_branch,
    ),
    "745": _Rule("Citibank", 10, lambda _b, a: _mod11(a, range(11, 1, -1), "0")),
}

_BRANCH_LENGTH = 4
_BRANCH_MAX = 5
_ACCOUNT_MAX = 13


def _compact(value: object) -> str:
    return str(value or "").translate(_SEPARATORS).upper()


def _bank_code(value: object) -> str:
    code = _compact(value)
    if not code.isdigit() or len(code.lstrip("0")) > 3:
        raise BrAccountError("bank_code", _("a bank code has 3 digits"))
    code = code.lstrip("0").zfill(3)
    if banks.bank("BR", code) is None:
        raise BrAccountError("bank_code", _("%(code)s is not a bank in the Brazilian bank directory") % {"code": code})
    return code


def check_digit_verified(bank_code: str) -> bool:
    """Whether validate_br_account computes the check digits of this bank's accounts (a published rule), rather than
    checking their format only (at Caixa, accounts of more than 11 digits are still checked for format only)."""
    code = _compact(bank_code)
    return code.isdigit() and code.lstrip("0").zfill(3) in _RULES


def _branch(value: object, rule: _Rule | None) -> str:
    branch = _compact(value)
    if not branch.isdigit() or len(branch) > _BRANCH_MAX:
        raise BrAccountError("branch", _("a branch has 1 to %(n)s digits") % {"n": _BRANCH_MAX})
    if rule is not None:
        significant = branch.lstrip("0")
        if len(significant) > _BRANCH_LENGTH:
            raise BrAccountError(
                "branch", _("%(bank)s branches have %(n)s digits") % {"bank": rule.name, "n": _BRANCH_LENGTH}
            )
        return significant.zfill(_BRANCH_LENGTH)
    return branch.zfill(_BRANCH_LENGTH)


def _branch_digit(value: object, rule: _Rule | None) -> str:
    digit = _compact(value)
    if not digit:
        return ""
    if rule is None:
        if len(digit) != 1 or digit not in "0123456789X":
            raise BrAccountError("branch_digit", _("a branch check digit is one digit or X"))
        return digit
    if rule.branch_digit is None:
        raise BrAccountError(
            "branch_digit", _("%(bank)s branches have no check digit: leave it empty") % {"bank": rule.name}
        )
    length = len(rule.branch_digit("0000"))
    allowed = "0123456789" + rule.letters
    if len(digit) != length or any(c not in allowed for c in digit):
        facts = {"bank": rule.name, "n": length, "letters": rule.letters}
        if rule.letters:
            raise BrAccountError("branch_digit", ngettext(
                "a %(bank)s branch check digit is one digit or %(letters)s",
                "a %(bank)s branch check digit is %(n)s digits or %(letters)s", length) % facts)
        raise BrAccountError("branch_digit", ngettext(
            "a %(bank)s branch check digit is one digit", "a %(bank)s branch check digit is %(n)s digits", length
        ) % facts)
    return digit


def _account(value: object, rule: _Rule | None) -> tuple[str, bool]:
    """The compact account and whether its digit can be computed."""
    account = _compact(value)
    if not account.isdigit() or len(account) > _ACCOUNT_MAX:
        raise BrAccountError("account", _("an account has 1 to %(n)s digits") % {"n": _ACCOUNT_MAX})
    significant = account.lstrip("0")
    if not significant:
        raise BrAccountError("account", _("an account number is not all zeros"))
    if rule is None:
        return account, False
    if len(significant) <= rule.account_length:
        return significant.zfill(rule.account_length), True
    if len(significant) <= rule.unverified_up_to:
        return significant, False
    longest = max(rule.account_length, rule.unverified_up_to)
    raise BrAccountError(
        "account", _("%(bank)s accounts have at most %(n)s digits") % {"bank": rule.name, "n": longest}
    )


def _account_digit(value: object, rule: _Rule | None) -> str:
    digit = _compact(value)
    letters = "X" if rule is None else rule.letters
    if len(digit) != 1 or digit not in "0123456789" + letters:
        if letters:
            raise BrAccountError("account_digit", _("an account check digit is one digit or %(letters)s")
                                 % {"letters": letters})
        raise BrAccountError("account_digit", _("an account check digit is one digit"))
    return digit


def _matches(given: str, expected: str, rule: _Rule) -> bool:
    return given == expected or (given == "0" and bool(rule.zero_may_stand_for) and expected == rule.zero_may_stand_for)


def check_digits(bank_code: str, branch: str, account: str) -> tuple[str, str] | None:
    """The check digits of a branch and account by the bank's published rule: (branch digit, "" where the bank's
    branches have none, account digit). None for a bank without a published rule, or an account of a form the rule
    does not cover. BrAccountError when a field's format is wrong."""
    code = _bank_code(bank_code)
    rule = _RULES.get(code)
    if rule is None:
        return None
    padded_branch = _branch(branch, rule)
    padded_account, computable = _account(account, rule)
    if not computable:
        return None
    branch_digit = rule.branch_digit(padded_branch) if rule.branch_digit else ""
    return branch_digit, rule.account_digit(padded_branch, padded_account)


def validate_br_account(
    bank_code: str, branch: str, branch_digit: str, account: str, account_digit: str
) -> BrAccount:
    """A Brazilian account, compact, or BrAccountError naming the first wrong field. At the banks listed in this
    module's docstring the check digits are computed (a branch digit only when given); at any other bank of the
    directory only the format is checked (`check_digit_verified` tells which)."""
    code = _bank_code(bank_code)
    rule = _RULES.get(code)
    compact_branch = _branch(branch, rule)
    compact_branch_digit = _branch_digit(branch_digit, rule)
    compact_account, computable = _account(account, rule)
    compact_account_digit = _account_digit(account_digit, rule)
    verified = False
    if rule is not None:
        expected = rule.branch_digit(compact_branch) if rule.branch_digit else ""
        if compact_branch_digit and not _matches(compact_branch_digit, expected, rule):
            raise BrAccountError("branch_digit", _("the branch check digit does not match the branch"))
        if computable:
            if not _matches(compact_account_digit, rule.account_digit(compact_branch, compact_account), rule):
                raise BrAccountError(
                    "account_digit", _("the account check digit does not match the branch and account")
                )
            verified = True
    return BrAccount(
        bank_code=code,
        branch=compact_branch,
        branch_digit=compact_branch_digit,
        account=compact_account,
        account_digit=compact_account_digit,
        verified=verified,
    )
