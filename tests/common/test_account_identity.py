"""The account a payout method pays into (common.payout_methods.account_identity): one normalised text per account,
equal however the details were written (separators, case, leading zeros), different for different accounts.

Example accounts (sources in tests/test_payout_methods.py): the CLABE 002010077777777771, the CBU
2850590940090418135201, the IBAN DE89370400440532013000; the CNPJ 11.444.777/0001-61 as a PIX key.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parceria.common.payout_methods import account_identity

CLABE = "002010077777777771"
CBU = "2850590940090418135201"
IBAN = "DE89370400440532013000"
NUBANK = {"bank_code": "260", "branch": "0001", "branch_digit": "", "account": "0012345", "account_digit": "6",
          "account_type": "checking"}


@pytest.mark.parametrize(("method", "account", "identity"), [
    ("pix", {"key_type": "email", "key": " Pagamentos@Alfa.com.br "}, "pagamentos@alfa.com.br"),
    ("pix", {"key_type": "cnpj", "key": "11.444.777/0001-61"}, "11444777000161"),
    ("br_ted", NUBANK, "br:260:1:12345-6"),
    ("br_ted", {**NUBANK, "branch": "1", "branch_digit": "3", "account": "12.345", "account_type": "payment"},
     "br:260:1:12345-6"),
    ("br_ted", {"bank_code": "237", "branch": "0123", "account": "0001234", "account_digit": "p"},
     "br:237:123:1234-0"),
    ("mx_spei", {"clabe": "002 010 07777777777 1", "bank_code": "002", "bank_name": "Banamex"}, f"clabe:{CLABE}"),
    ("ar_cbu", {"cbu": CBU, "account_kind": "cbu"}, f"cbu:{CBU}"),
    ("co_bank", {"bank_code": "1007", "account_type": "savings", "account_number": "0123-456-789"},
     "co:1007:123456789"),
    ("cl_bank", {"bank_code": "012", "account_type": "vista", "account_number": "0012345678"}, "cl:12:12345678"),
    ("intl", {"bank_country": "DE", "bic": "COBADEFFXXX", "iban": "de89 3704 0044 0532 0130 00",
              "account_number": ""}, f"iban:{IBAN}"),
    ("intl", {"bank_country": "US", "bic": "chasus33xxx", "iban": "", "account_number": "0001-2345 6789"},
     "swift:CHASUS33:000123456789"),
    ("intl", {"bank_country": "US", "bic": "CHASUS33", "iban": "", "account_number": "000123456789"},
     "swift:CHASUS33:000123456789"),
    # A transfer into a Mexican or Argentine account is the account SPEI or a CBU pays.
    ("intl", {"bank_country": "MX", "bic": "BANKMXMM", "iban": "", "account_number": CLABE}, f"clabe:{CLABE}"),
    ("intl", {"bank_country": "AR", "bic": "BANKARBA", "iban": "", "account_number": CBU}, f"cbu:{CBU}"),
    ("intl", {"bank_country": "MX", "bic": "BANKMXMM", "iban": "", "account_number": "123456789"},
     "swift:BANKMXMM:123456789"),
])
def test_each_methods_account_has_one_identity(method, account, identity):
    assert account_identity(method, account) == identity


@pytest.mark.parametrize(("method", "account"), [
    ("", {}),
    ("pix", {}),
    ("pix", {"key_type": "email", "key": "  "}),
    ("wire", {"account_number": "123"}),
    ("br_ted", {"bank_code": "001", "branch": "1584"}),
    ("mx_spei", {"clabe": ""}),
    ("co_bank", {"bank_code": "1007"}),
    ("intl", {"bank_country": "US", "bic": "", "iban": "", "account_number": "123"}),
    ("intl", None),
    ("intl", ["not", "details"]),
])
def test_no_method_or_no_account_has_no_identity(method, account):
    assert account_identity(method, account) is None


def test_different_accounts_differ():
    identities = [
        account_identity("br_ted", NUBANK),
        account_identity("br_ted", {**NUBANK, "account_digit": "7"}),
        account_identity("br_ted", {**NUBANK, "branch": "0002"}),
        account_identity("br_ted", {**NUBANK, "bank_code": "077"}),
        account_identity("co_bank", {"bank_code": "1007", "account_number": "12345"}),
        account_identity("cl_bank", {"bank_code": "1007", "account_number": "12345"}),
        account_identity("co_bank", {"bank_code": "1051", "account_number": "12345"}),
        account_identity("intl", {"bic": "CHASUS33", "account_number": "12345"}),
        account_identity("intl", {"bic": "BOFAUS3N", "account_number": "12345"}),
        account_identity("mx_spei", {"clabe": CLABE}),
        account_identity("ar_cbu", {"cbu": CBU}),
        account_identity("pix", {"key_type": "cnpj", "key": "11444777000161"}),
    ]
    assert len(set(identities)) == len(identities)


def _written(draw: st.DrawFn, text: str) -> str:
    """`text` as a person may type it: separators between its characters, letters in either case."""
    out = []
    for char in text:
        out.append(draw(st.sampled_from([char, char.lower(), char.upper()])))
        out.append(draw(st.sampled_from(["", "", " ", ".", "-", "/"])))
    return "".join(out)


@st.composite
def written_iban(draw: st.DrawFn) -> str:
    return _written(draw, IBAN)


@given(written_iban())
def test_an_iban_however_written_is_one_account(text):
    assert account_identity("intl", {"bank_country": "DE", "bic": "COBADEFF", "iban": text}) == f"iban:{IBAN}"


@st.composite
def written_ted(draw: st.DrawFn) -> tuple[str, str, str]:
    branch = draw(st.integers(1, 99999))
    account = draw(st.integers(1, 10**12))
    zeros = st.integers(0, 4)
    return (_written(draw, "0" * draw(zeros) + str(branch)), _written(draw, "0" * draw(zeros) + str(account)),
            f"br:260:{branch}:{account}-6")


@given(written_ted())
def test_a_ted_account_however_written_is_one_account(case):
    branch, account, identity = case
    assert account_identity("br_ted", {**NUBANK, "branch": branch, "account": account}) == identity


@given(st.text(max_size=40), st.text(max_size=40), st.sampled_from(["", "MX", "AR"]))
def test_any_details_give_an_identity_or_none_and_never_fail(bank_code, number, country):
    details = {"bank_code": bank_code, "account_number": number, "branch": number, "account": number,
               "account_digit": bank_code, "bic": bank_code, "iban": "", "bank_country": country, "clabe": number,
               "cbu": number, "key_type": bank_code, "key": number}
    for method in ("pix", "br_ted", "mx_spei", "ar_cbu", "co_bank", "cl_bank", "intl"):
        identity = account_identity(method, details)
        assert identity is None or (isinstance(identity, str) and identity.strip() != "")
