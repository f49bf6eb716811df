"""Bank directories (common/banks.py, common/data/banks.json) and Brazilian account check digits (common/brbank.py).

The directory values asserted here are those of the sources banks.json cites (the Banco Central's STR participants
for Brazil). The account examples are published test vectors, read for the facts only:
- Icatu Seguros, "Regras de Validação de dígito verificador de agência e conta corrente" (2016), the worked example of
  each bank (read in github.com/herbertscruz/br-bank-account-validator, doc/Regras Validacao Conta Corrente VI_EPS.pdf).
- moip's bank-account-validator (github.com/wirecardBrasil/bank-account-validator-js, spec/*.spec.js): its valid
  accounts and the ones its specs refuse.
- filwaitman/bank-account-validator (tests/data.py): valid_combinations, invalid_combinations and Banrisul's branch
  control numbers (taken there from Banrisul's branch locator).
"""

from __future__ import annotations

import json
import unicodedata
from importlib import resources

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from parceria.common.bankaccounts import validate_cbu, validate_clabe
from parceria.common.banks import Bank, bank, banks, countries
from parceria.common.brbank import (
    FIELDS,
    BrAccount,
    BrAccountError,
    check_digit_verified,
    check_digits,
    validate_br_account,
)


def _data() -> dict:
    return json.loads(resources.files("parceria.common").joinpath("data", "banks.json").read_text(encoding="utf-8"))


# Directories


@pytest.mark.parametrize(("code", "name", "ispb"), [
    ("001", "Banco do Brasil", "00000000"),
    ("104", "Caixa Econômica Federal", "00360305"),
    ("237", "Bradesco", "60746948"),
    ("341", "Itaú Unibanco", "60701190"),
    ("033", "Santander", "90400888"),
    ("260", "Nubank (Nu Pagamentos)", "18236120"),
    ("070", "BRB - Banco de Brasília", "00000208"),
    ("536", "Neon", "20855875"),
    ("756", "Sicoob", "02038232"),
])
def test_brazilian_banks_with_their_ispb(code, name, ispb):
    assert bank("BR", code) == Bank(country="BR", code=code, name=name, ispb=ispb)


@pytest.mark.parametrize(("country", "code", "name"), [
    ("MX", "002", "Banamex"), ("MX", "012", "BBVA México"), ("MX", "072", "Banorte"), ("MX", "646", "STP"),
    ("MX", "638", "Nu México"),
    ("CO", "1007", "Bancolombia"), ("CO", "1051", "Davivienda"), ("CO", "1001", "Banco de Bogotá"),
    ("CO", "1507", "Nequi"),
    ("CL", "001", "Banco de Chile"), ("CL", "012", "BancoEstado"), ("CL", "037", "Banco Santander Chile"),
    ("AR", "007", "Banco Galicia"), ("AR", "011", "Banco de la Nación Argentina"), ("AR", "285", "Banco Macro"),
])
def test_banks_of_the_other_countries(country, code, name):
    found = bank(country, code)
    assert found == Bank(country=country, code=code, name=name)


def test_lookups_take_a_code_without_its_zeros_and_a_country_in_any_case():
    assert bank("br", " 1 ") == bank("BR", "001")
    assert bank("mx", "12") == bank("MX", "012")
    assert bank("BR", "999") is None
    assert bank("BR", "abc") is None
    assert bank("US", "001") is None and banks("US") == []
    assert bank("AR", "000") is None  # a CVU's prefix names no bank


def test_the_directories_agree_with_the_account_validators():
    assert bank("MX", validate_clabe("002010077777777771").bank_code) == Bank("MX", "002", "Banamex")
    assert bank("AR", validate_cbu("2850590940090418135201")[:3]) == Bank("AR", "285", "Banco Macro")


def test_codes_and_names_are_unique_per_country_and_of_the_countrys_length():
    data = _data()
    assert countries() == ["AR", "BR", "CL", "CO", "MX"]
    for country in countries():
        rows = banks(country)
        length = data["countries"][country]["code_length"]
        assert rows and all(row.country == country and len(row.code) == length and row.code.isdigit() for row in rows)
        assert len({row.code for row in rows}) == len(rows)
        assert len({row.name for row in rows}) == len(rows)
        assert all(bank(country, row.code) == row for row in rows)


def test_every_brazilian_bank_has_its_eight_digit_ispb_and_no_other_country_has_one():
    rows = banks("BR")
    assert len(rows) == 50
    assert all(len(row.ispb) == 8 and row.ispb.isdigit() for row in rows)
    assert len({row.ispb for row in rows}) == len(rows)
    assert all(row.ispb == "" for country in ("MX", "CO", "CL", "AR") for row in banks(country))


def test_choices_are_sorted_by_name_ignoring_accents_and_case():
    assert [row.name for row in banks("MX")][:6] == ["Actinver", "Afirme", "albo", "Arcus", "Banamex", "BanBajío"]
    for country in countries():
        names = [row.name for row in banks(country)]
        plain = ["".join(c for c in unicodedata.normalize("NFKD", n) if not unicodedata.combining(c)).casefold()
                 for n in names]
        assert plain == sorted(plain)


def test_every_directory_cites_its_sources():
    data = _data()
    for country, entry in data["countries"].items():
        cited = [key for key in data["sources"] if key in entry["source"]]
        assert cited, country
        for row in entry["banks"]:
            assert any(key in row.get("source", entry["source"]) for key in data["sources"]), (country, row)
    assert all("Read 2026-12-04" in text for key, text in data["sources"].items() if key != "banxico")


# Brazilian accounts: published examples


VALID = [
    # Banco do Brasil: Icatu p. 2 and moip; filwaitman (X for 10 in branch and account, upper or lower case).
    ("001", "1584", "9", "00210169", "6"),
    ("001", "0229", "1", "12351", "x"),
    ("001", "4556", "X", "5159", "4"),
    ("001", "3049", "x", "17110", "7"),
    ("001", "2795", "2", "84800", "X"),
    ("001", "3599", "8", "2", "7"),
    # Bradesco: Icatu p. 7 (1425-7, 0238069-2) and moip; moip's 8212-0 with 0301357-P, and 8221 whose P is written 0;
    # filwaitman.
    ("237", "1425", "7", "0238069", "2"),
    ("237", "1584", "9", "0210169", "6"),
    ("237", "8212", "0", "0301357", "P"),
    ("237", "8212", "0", "0301357", "0"),
    ("237", "8221", "0", "0210169", "6"),
    ("237", "8221", "P", "0500778", "0"),
    ("237", "2377", "9", "0002158", "0"),
    ("237", "1838", "4", "383", "2"),
    # Itaú: Icatu p. 9 and moip (2545 / 02366-1); moip (1874 / 10009-0); filwaitman.
    ("341", "2545", "", "02366", "1"),
    ("341", "1874", "", "10009", "0"),
    ("341", "4122", "", "08781", "2"),
    ("341", "0164", "", "83940", "9"),
    # Santander: Icatu p. 3 (0189 / 01017417-9); filwaitman, with accounts given in 9 and 7 digits.
    ("033", "0189", "", "01017417", "9"),
    ("033", "2006", "", "01008407", "4"),
    ("033", "0445", "", "001009300", "2"),
    ("033", "3004", "", "1004420", "8"),
    ("033", "0001", "", "02006073", "1"),
    # Caixa: Icatu p. 6 (2004 / 001 00000448-6); filwaitman.
    ("104", "2004", "", "00100000448", "6"),
    ("104", "3009", "", "00100022679", "9"),
    ("104", "2712", "", "01300030597", "7"),
    ("104", "0097", "", "00100024764", "0"),
    # Banrisul: Icatu p. 4-5 (2664-18, 35.850767.0-6); moip's accounts (remainders 0 and 1); filwaitman's branches.
    ("041", "2664", "18", "358507670", "6"),
    ("041", "1234", "", "358507671", "8"),
    ("041", "1234", "", "358507675", "0"),
    ("041", "0196", "66", "358507670", "6"),
    ("041", "1009", "00", "358507670", "6"),
    ("041", "0043", "08", "358507670", "6"),
    # Citibank: Icatu p. 12 (0075 / 0007500465-8).
    ("745", "0075", "", "0007500465", "8"),
]


@pytest.mark.parametrize(("bank_code", "branch", "branch_digit", "account", "account_digit"), VALID)
def test_published_accounts_are_valid_and_verified(bank_code, branch, branch_digit, account, account_digit):
    result = validate_br_account(bank_code, branch, branch_digit, account, account_digit)
    assert result.verified
    assert (result.bank_code, result.branch_digit, result.account_digit) == (
        bank_code, branch_digit.upper(), account_digit.upper(),
    )
    assert result.branch == branch.zfill(4) and int(result.account) == int(account)


def test_an_account_is_given_back_compact():
    assert validate_br_account("1", "395", "6", "45.939", "9") == BrAccount(
        bank_code="001", branch="0395", branch_digit="6", account="00045939", account_digit="9", verified=True,
    )
    assert validate_br_account(" 104 ", "2004", "", "001.00000448", "6").account == "00100000448"
    assert validate_br_account("041", "2664", "1-8", "35.850767.0", "6").account == "358507670"


INVALID = [
    # filwaitman's invalid_combinations.
    ("001", "0395", "6", "45939", "3", "account_digit"),
    ("001", "0742", "0", "8116529", "1", "account_digit"),
    ("033", "3003", "", "01000491", "5", "account_digit"),
    ("033", "3415", "", "01089302", "6", "account_digit"),
    ("104", "3009", "", "00100022679", "6", "account_digit"),
    ("104", "4716", "", "00100020483", "3", "account_digit"),
    ("237", "2377", "9", "0002158", "1", "account_digit"),
    ("237", "0105", "8", "0243332", "1", "account_digit"),
    ("341", "4122", "", "08781", "5", "account_digit"),
    ("341", "3038", "", "30462", "3", "account_digit"),
    # moip's specs: a wrong branch digit, a wrong account digit.
    ("001", "1584", "3", "00210169", "6", "branch_digit"),
    ("001", "1584", "9", "00210169", "8", "account_digit"),
    ("237", "1584", "3", "0210169", "6", "branch_digit"),
    ("237", "1584", "9", "0210169", "8", "account_digit"),
    ("341", "2545", "", "02366", "0", "account_digit"),
    ("041", "1234", "", "358507671", "0", "account_digit"),
    # Icatu's examples with one digit changed.
    ("041", "2664", "19", "358507670", "6", "branch_digit"),
    ("745", "0075", "", "0007500465", "7", "account_digit"),
    ("104", "2005", "", "00100000448", "6", "account_digit"),
]


@pytest.mark.parametrize(("bank_code", "branch", "branch_digit", "account", "account_digit", "field"), INVALID)
def test_published_wrong_digits_are_refused_with_their_field(bank_code, branch, branch_digit, account, account_digit,
                                                             field):
    with pytest.raises(BrAccountError, match="does not match") as caught:
        validate_br_account(bank_code, branch, branch_digit, account, account_digit)
    assert caught.value.field == field


@pytest.mark.parametrize(("args", "field", "message"), [
    (("999", "1584", "", "123", "1"), "bank_code", "999 is not a bank in the Brazilian bank directory"),
    (("12a", "1584", "", "123", "1"), "bank_code", "a bank code has 3 digits"),
    (("260", "123456", "", "123", "1"), "branch", "a branch has 1 to 5 digits"),
    (("260", "", "", "123", "1"), "branch", "a branch has 1 to 5 digits"),
    (("001", "15840", "9", "00210169", "6"), "branch", "Banco do Brasil branches have 4 digits"),
    (("341", "2545", "1", "02366", "1"), "branch_digit", "Itaú branches have no check digit: leave it empty"),
    (("001", "1584", "91", "00210169", "6"), "branch_digit", "a Banco do Brasil branch check digit is one digit or X"),
    (("001", "1584", "P", "00210169", "6"), "branch_digit", "a Banco do Brasil branch check digit is one digit or X"),
    (("041", "2664", "1", "358507670", "6"), "branch_digit", "a Banrisul branch check digit is 2 digits"),
    (("260", "0001", "P", "123", "1"), "branch_digit", "a branch check digit is one digit or X"),
    (("260", "0001", "", "", "1"), "account", "an account has 1 to 13 digits"),
    (("260", "0001", "", "0000", "1"), "account", "an account number is not all zeros"),
    (("260", "0001", "", "12345678901234", "1"), "account", "an account has 1 to 13 digits"),
    (("341", "2545", "", "123456", "1"), "account", "Itaú accounts have at most 5 digits"),
    (("104", "2004", "", "1234567890123", "1"), "account", "Caixa accounts have at most 12 digits"),
    (("260", "0001", "", "123", ""), "account_digit", "an account check digit is one digit or X"),
    (("260", "0001", "", "123", "12"), "account_digit", "an account check digit is one digit or X"),
    (("341", "2545", "", "02366", "X"), "account_digit", "an account check digit is one digit"),
    (("001", "1584", "9", "00210169", "P"), "account_digit", "an account check digit is one digit or X"),
])
def test_format_errors_name_their_field(args, field, message):
    with pytest.raises(BrAccountError) as caught:
        validate_br_account(*args)
    assert caught.value.field == field and str(caught.value) == message
    assert isinstance(caught.value, ValueError) and caught.value.field in FIELDS


def test_banks_without_a_published_rule_are_checked_for_format_only():
    for code in ("260", "077", "336", "756", "748", "323", "290"):
        assert not check_digit_verified(code)
        assert check_digits(code, "0001", "1234567") is None
        assert validate_br_account(code, "1", "", "1234567", "3") == BrAccount(
            bank_code=code, branch="0001", branch_digit="", account="1234567", account_digit="3", verified=False,
        )
    assert [code for code in ("001", "033", "041", "104", "237", "341", "745") if check_digit_verified(code)] == [
        "001", "033", "041", "104", "237", "341", "745",
    ]
    assert check_digit_verified("1") and not check_digit_verified("x")


def test_caixa_accounts_with_a_four_digit_operation_are_checked_for_format_only():
    result = validate_br_account("104", "2004", "", "128800001234", "5")
    assert result.account == "128800001234" and not result.verified
    assert check_digits("104", "2004", "128800001234") is None


def test_check_digits_of_the_published_examples():
    assert check_digits("001", "1584", "210169") == ("9", "6")
    assert check_digits("237", "8212", "301357") == ("0", "P")
    assert check_digits("041", "2664", "358507670") == ("18", "6")
    assert check_digits("341", "2545", "2366") == ("", "1")
    assert check_digits("745", "75", "7500465") == ("", "8")


# Brazilian accounts: properties

RULE_BANKS = ("001", "237", "341", "033", "104", "041", "745")
ACCOUNT_LENGTH = {"001": 8, "237": 7, "341": 5, "033": 8, "104": 11, "041": 9, "745": 10}
#: Where one changed digit always changes the check digit: weights coprime to the modulus and a one-to-one map from
#: remainder to digit (Bradesco writes P or 0 for two remainders, Caixa 0 for two, Banrisul 6 for two; Citibank's
#: first weight, 11, is 0 modulo 11).
SINGLE_CHANGE_CAUGHT = ("001", "341", "033")


def _expected(code: str, branch: str, account: str) -> tuple[str, str]:
    digits = check_digits(code, branch, account)
    assert digits is not None
    return digits


def _digits(min_size, max_size=None):
    return st.text(alphabet="0123456789", min_size=min_size, max_size=max_size or min_size)


@st.composite
def _accounts(draw, codes=RULE_BANKS):
    code = draw(st.sampled_from(codes))
    branch = draw(_digits(4))
    account = draw(_digits(ACCOUNT_LENGTH[code]))
    assume(account.strip("0"))
    return code, branch, account


@given(_accounts())
def test_computed_digits_round_trip(drawn):
    code, branch, account = drawn
    branch_digit, account_digit = _expected(code, branch, account)
    result = validate_br_account(code, branch, branch_digit, account, account_digit)
    assert result == BrAccount(code, branch, branch_digit, account, account_digit, verified=True)
    # The branch digit is optional: leaving it out still verifies the account.
    assert validate_br_account(code, branch, "", account, account_digit).verified


@given(_accounts(SINGLE_CHANGE_CAUGHT), st.data())
def test_any_one_changed_digit_is_refused_where_the_rule_guarantees_it(drawn, data):
    code, branch, account = drawn
    branch_digit, account_digit = _expected(code, branch, account)
    # Itaú and Santander's account digit covers the branch too; Banco do Brasil's branch has its own digit.
    number = branch + account
    position = data.draw(st.integers(0, len(number) - 1))
    changed = str((int(number[position]) + data.draw(st.integers(1, 9))) % 10)
    wrong = number[:position] + changed + number[position + 1:]
    assume(wrong[4:].strip("0"))
    field = "branch_digit" if code == "001" and position < 4 else "account_digit"
    with pytest.raises(BrAccountError, match="does not match") as caught:
        validate_br_account(code, wrong[:4], branch_digit, wrong[4:], account_digit)
    assert caught.value.field == field


@given(_accounts(), st.data())
def test_a_changed_number_is_refused_whenever_its_rule_gives_another_digit(drawn, data):
    code, branch, account = drawn
    _branch_digit, account_digit = _expected(code, branch, account)
    position = data.draw(st.integers(0, len(account) - 1))
    wrong = account[:position] + str((int(account[position]) + data.draw(st.integers(1, 9))) % 10) + account[
        position + 1:]
    assume(wrong.strip("0"))
    expected = _expected(code, branch, wrong)[1]
    # At Bradesco a 0 also stands for the P of remainder 1 (a P never stands for 0).
    same = expected == account_digit or (code == "237" and account_digit == "0" and expected == "P")
    if same:
        assert validate_br_account(code, branch, "", wrong, account_digit).verified
    else:
        with pytest.raises(BrAccountError, match="does not match") as caught:
            validate_br_account(code, branch, "", wrong, account_digit)
        assert caught.value.field == "account_digit"


@given(_accounts(), st.sampled_from("0123456789XP"))
def test_any_other_account_digit_is_refused(drawn, other):
    code, branch, account = drawn
    _branch_digit, account_digit = _expected(code, branch, account)
    assume(other != account_digit and not (code == "237" and other == "0" and account_digit == "P"))
    with pytest.raises(BrAccountError) as caught:
        validate_br_account(code, branch, "", account, other)
    assert caught.value.field == "account_digit"
