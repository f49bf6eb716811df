"""Bank account numbers of payees outside PIX (common/bankaccounts.py): published valid examples pass, a changed digit
fails.

Examples and their sources:
- CLABE 032180000118359719: Wikipedia, "CLABE", section "Dígito control" (worked example); 002010077777777771: the
  example of the MIT-licensed clabe-validator project (center-key), read for the fact only.
- CBU 2850590940090418135201: python-stdnum's ar.cbu documentation.
- IBAN BR1800360305000010009795493C1: SWIFT's IBAN registry example for Brazil; GB82WEST12345698765432: the ECBS
  example.
- BIC AGRIFRPP882: python-stdnum's bic documentation.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parceria.common.bankaccounts import (
    BankAccountError,
    clabe_check_digit,
    validate_bic,
    validate_cbu,
    validate_clabe,
    validate_iban,
)


@pytest.mark.parametrize(("number", "bank"), [("032180000118359719", "032"), ("002 010 07777777777 1", "002")])
def test_published_clabes_are_valid_and_name_their_bank(number, bank):
    clabe = validate_clabe(number)
    assert clabe.bank_code == bank and len(clabe.number) == 18 and clabe.account == clabe.number[6:17]


@pytest.mark.parametrize(("number", "reason"), [
    ("032180000118359718", "check digit"), ("03218000011835971", "18 digits"), ("03218000011835971X", "18 digits"),
])
def test_a_clabe_with_a_wrong_check_digit_or_length_is_refused(number, reason):
    with pytest.raises(BankAccountError, match=reason):
        validate_clabe(number)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.integers(0, 16), st.integers(1, 9))
def test_changing_any_one_digit_of_a_clabe_is_caught(first17, position, delta):
    number = first17 + clabe_check_digit(first17)
    assert validate_clabe(number).number == number
    changed = str((int(number[position]) + delta) % 10)
    wrong = number[:position] + changed + number[position + 1:]
    # The weights 3, 7 and 1 are coprime to 10, so changing one digit always changes the sum modulo 10.
    with pytest.raises(BankAccountError, match="check digit"):
        validate_clabe(wrong)


def test_the_published_cbu_is_valid_and_a_changed_digit_is_not():
    assert validate_cbu("2850590940090418135201") == "2850590940090418135201"
    with pytest.raises(BankAccountError, match="check digits"):
        validate_cbu("2850590940090418135202")
    with pytest.raises(BankAccountError, match="22 digits"):
        validate_cbu("285059094009041813520")


def test_ibans_of_countries_that_use_them_and_not_of_those_that_do_not():
    assert validate_iban("BR18 0036 0305 0000 1000 9795 493C 1") == "BR1800360305000010009795493C1"
    assert validate_iban("GB82 WEST 1234 5698 7654 32") == "GB82WEST12345698765432"
    with pytest.raises(BankAccountError, match="check digits"):
        validate_iban("GB82WEST12345698765433")
    for country in ("MX", "AR", "CO", "CL"):
        with pytest.raises(BankAccountError, match=f"{country} does not use IBAN"):
            validate_iban(country + "1800360305000010009795493")


def test_bic_codes():
    assert validate_bic("agri fr pp 882") == "AGRIFRPP882"
    with pytest.raises(BankAccountError):
        validate_bic("AGRI12PP")
