"""Bulk-payment CSV files per country (payouts/transfer_files.py): every cell read back exactly.

Account examples and their sources: CLABE 032180000118359719 (Wikipedia, "CLABE", worked example; bank 032),
CBU 2850590940090418135201 (python-stdnum's ar.cbu documentation), RUTs 76086428-5 and 12531909-2 (python-stdnum's
cl.rut documentation), NIT 2131234321 (python-stdnum's co.nit documentation), IBAN GB82WEST12345698765432 (the ECBS
example), BIC AGRIFRPP882 (python-stdnum's bic documentation). The names and other numbers are made up.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parceria.common.csvfile import safe_cell
from parceria.payouts.transfer_files import (
    ACCOUNT_KEYS,
    SPEI_CONCEPT_LENGTH,
    TRANSFER_COLUMNS,
    TransferFileError,
    TransferRow,
    cbu_csv,
    cl_bank_csv,
    co_bank_csv,
    intl_csv,
    spei_csv,
    transfer_csv,
    transfer_totals,
)

DAY = date(2026, 11, 5)

ACCOUNTS: dict[str, dict[str, str]] = {
    "mx_spei": {"clabe": "032180000118359719", "bank_code": "032", "bank_name": "IXE"},
    "ar_cbu": {"cbu": "2850590940090418135201", "account_kind": "cbu"},
    "co_bank": {"bank_code": "1007", "bank_name": "Bancolombia", "account_type": "savings",
                "account_number": "12345678901", "holder_id_kind": "nit", "holder_id": "2131234321"},
    "cl_bank": {"bank_code": "001", "bank_name": "Banco de Chile", "account_type": "checking",
                "account_number": "00123456789", "holder_rut": "760864285"},
    "intl": {"beneficiary_name": "Delta GmbH", "beneficiary_address": "Hauptstrasse 1, 10115 Berlin",
             "bank_name": "Crédit Agricole", "bank_country": "FR", "bic": "AGRIFRPP882",
             "iban": "GB82WEST12345698765432", "account_number": ""},
}
CURRENCY = {"mx_spei": "MXN", "ar_cbu": "ARS", "co_bank": "COP", "cl_bank": "CLP", "intl": "USD"}
WRITERS: dict[str, Callable[[list[TransferRow]], str]] = {
    "mx_spei": spei_csv, "ar_cbu": cbu_csv, "co_bank": co_bank_csv, "cl_bank": cl_bank_csv, "intl": intl_csv,
}


def row(method: str = "mx_spei", **changes: object) -> TransferRow:
    values: dict[str, object] = {
        "reference": "1042",
        "payee_name": "Alfa Consultores SA de CV",
        "payee_tax_id": "AAA010101AAA",
        "currency": CURRENCY[method],
        "amount": Decimal("1500.00"),
        "payment_date": DAY,
        "account": ACCOUNTS[method],
        "concept": "Parceria commissions 2026-10",
        **changes,
    }
    return TransferRow(**values)  # type: ignore[arg-type]


def read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def header(method: str) -> str:
    return ",".join(TRANSFER_COLUMNS[method]) + "\r\n"


# Each method: a small file, every cell.


def test_spei_file() -> None:
    text = spei_csv([
        row(),
        row(reference="0009876543", payee_name="Beto Ruiz, Pérez", payee_tax_id="BERU800101AB1",
            amount=Decimal("0.01"), account={"clabe": "002010077777777771", "bank_code": "002",
                                             "bank_name": "BANAMEX"}, concept=""),
    ])
    assert text.startswith(header("mx_spei")) and text.endswith("\r\n")
    assert read(text) == [
        {"reference": "1042", "numeric_reference": "1042", "beneficiary_name": "Alfa Consultores SA de CV",
         "beneficiary_rfc": "AAA010101AAA", "clabe": "032180000118359719", "bank_code": "032", "bank_name": "IXE",
         "amount": "1500.00", "currency": "MXN", "payment_date": "2026-11-05",
         "concept": "Parceria commissions 2026-10"},
        {"reference": "0009876543", "numeric_reference": "9876543", "beneficiary_name": "Beto Ruiz, Pérez",
         "beneficiary_rfc": "BERU800101AB1", "clabe": "002010077777777771", "bank_code": "002",
         "bank_name": "BANAMEX", "amount": "0.01", "currency": "MXN", "payment_date": "2026-11-05", "concept": ""},
    ]


def test_cbu_file() -> None:
    text = cbu_csv([
        row("ar_cbu", payee_tax_id="20267565393", amount=Decimal("250000.5")),
        row("ar_cbu", reference="1043", payee_name="Gaucho Pagos SRL", payee_tax_id="30500010912",
            account={"cbu": "0000003100010000000001", "account_kind": "cvu"}, concept="Octubre"),
    ])
    assert text.startswith(header("ar_cbu"))
    assert read(text) == [
        {"reference": "1042", "beneficiary_name": "Alfa Consultores SA de CV", "beneficiary_cuit": "20267565393",
         "account_kind": "CBU", "cbu_cvu": "2850590940090418135201", "amount": "250000.50", "currency": "ARS",
         "payment_date": "2026-11-05", "concept": "Parceria commissions 2026-10"},
        {"reference": "1043", "beneficiary_name": "Gaucho Pagos SRL", "beneficiary_cuit": "30500010912",
         "account_kind": "CVU", "cbu_cvu": "0000003100010000000001", "amount": "1500.00", "currency": "ARS",
         "payment_date": "2026-11-05", "concept": "Octubre"},
    ]


def test_colombia_file() -> None:
    text = co_bank_csv([
        row("co_bank", payee_tax_id="2131234321", amount=Decimal("3200000")),
        row("co_bank", reference="1044", payee_name="Camila Gómez", payee_tax_id="1020304050",
            account={**ACCOUNTS["co_bank"], "account_type": "checking", "holder_id_kind": "cc",
                     "holder_id": "1020304050", "bank_code": "1051", "bank_name": "Davivienda"}),
    ])
    assert text.startswith(header("co_bank"))
    assert read(text) == [
        {"reference": "1042", "beneficiary_name": "Alfa Consultores SA de CV", "beneficiary_tax_id": "2131234321",
         "holder_id_type": "NIT", "holder_id": "2131234321", "bank_code": "1007", "bank_name": "Bancolombia",
         "account_type": "savings", "account_number": "12345678901", "amount": "3200000.00", "currency": "COP",
         "payment_date": "2026-11-05", "concept": "Parceria commissions 2026-10"},
        {"reference": "1044", "beneficiary_name": "Camila Gómez", "beneficiary_tax_id": "1020304050",
         "holder_id_type": "CC", "holder_id": "1020304050", "bank_code": "1051", "bank_name": "Davivienda",
         "account_type": "checking", "account_number": "12345678901", "amount": "1500.00", "currency": "COP",
         "payment_date": "2026-11-05", "concept": "Parceria commissions 2026-10"},
    ]


def test_chile_file_formats_ruts_and_writes_pesos_without_decimals() -> None:
    text = cl_bank_csv([
        row("cl_bank", payee_tax_id="76086428-5", amount=Decimal("150000")),
        row("cl_bank", reference="1045", payee_name="Rodrigo Soto", payee_tax_id="12531909-2",
            amount=Decimal("89990.00"),
            account={**ACCOUNTS["cl_bank"], "account_type": "vista", "holder_rut": "12.531.909-2"}),
    ])
    assert text.startswith(header("cl_bank"))
    assert read(text) == [
        {"reference": "1042", "beneficiary_name": "Alfa Consultores SA de CV", "beneficiary_rut": "76.086.428-5",
         "holder_rut": "76.086.428-5", "bank_code": "001", "bank_name": "Banco de Chile", "account_type": "checking",
         "account_number": "00123456789", "amount": "150000", "currency": "CLP", "payment_date": "2026-11-05",
         "concept": "Parceria commissions 2026-10"},
        {"reference": "1045", "beneficiary_name": "Rodrigo Soto", "beneficiary_rut": "12.531.909-2",
         "holder_rut": "12.531.909-2", "bank_code": "001", "bank_name": "Banco de Chile", "account_type": "vista",
         "account_number": "00123456789", "amount": "89990", "currency": "CLP", "payment_date": "2026-11-05",
         "concept": "Parceria commissions 2026-10"},
    ]


def test_clp_with_a_fraction_is_refused() -> None:
    with pytest.raises(TransferFileError, match=r"payout 1042: .*smaller than the currency's minor unit 1"):
        cl_bank_csv([row("cl_bank", payee_tax_id="76086428-5", amount=Decimal("150000.50"))])


def test_international_file_with_an_iban_or_an_account_number() -> None:
    text = intl_csv([
        row("intl", payee_name="Delta Partners GmbH", payee_tax_id="DE123456789", amount=Decimal("980.10")),
        row("intl", reference="1046", payee_name="Echo LLC", payee_tax_id="12-3456789", amount=Decimal("75"),
            account={**ACCOUNTS["intl"], "beneficiary_name": "Echo LLC", "beneficiary_address": "1 Main St, Austin TX",
                     "bank_name": "Lone Star Bank", "bank_country": "US", "bic": "LSTBUS44", "iban": "",
                     "account_number": "000123456789"}, concept=""),
    ])
    assert text.startswith(header("intl"))
    assert read(text) == [
        {"reference": "1042", "payee_name": "Delta Partners GmbH", "payee_tax_id": "DE123456789",
         "beneficiary_name": "Delta GmbH", "beneficiary_address": "Hauptstrasse 1, 10115 Berlin",
         "bank_name": "Crédit Agricole", "bank_country": "FR", "bic": "AGRIFRPP882",
         "iban": "GB82WEST12345698765432", "account_number": "", "amount": "980.10", "currency": "USD",
         "payment_date": "2026-11-05", "concept": "Parceria commissions 2026-10"},
        {"reference": "1046", "payee_name": "Echo LLC", "payee_tax_id": "12-3456789", "beneficiary_name": "Echo LLC",
         "beneficiary_address": "1 Main St, Austin TX", "bank_name": "Lone Star Bank", "bank_country": "US",
         "bic": "LSTBUS44", "iban": "", "account_number": "000123456789", "amount": "75.00", "currency": "USD",
         "payment_date": "2026-11-05", "concept": ""},
    ]


def test_an_international_account_without_iban_needs_its_account_number() -> None:
    account = {key: value for key, value in ACCOUNTS["intl"].items() if key != "account_number"}
    with pytest.raises(TransferFileError, match="payout 1042: the account has no iban, so it needs account_number"):
        intl_csv([row("intl", account={**account, "iban": ""})])


def test_the_exact_text_of_a_spei_file() -> None:
    assert spei_csv([row()]) == (
        "reference,numeric_reference,beneficiary_name,beneficiary_rfc,clabe,bank_code,bank_name,amount,currency,"
        "payment_date,concept\r\n"
        "1042,1042,Alfa Consultores SA de CV,AAA010101AAA,032180000118359719,032,IXE,1500.00,MXN,2026-11-05,"
        "Parceria commissions 2026-10\r\n"
    )


@pytest.mark.parametrize("method", list(TRANSFER_COLUMNS))
def test_no_rows_is_just_the_header_and_the_dispatcher_writes_each_method(method: str) -> None:
    assert transfer_csv(method, []) == header(method)
    assert transfer_csv(method, [row(method, payee_tax_id="76086428-5")]) == WRITERS[method](
        [row(method, payee_tax_id="76086428-5")])


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown transfer method 'br_pix'; the methods are mx_spei, ar_cbu"):
        transfer_csv("br_pix", [row()])


# What every file refuses.


@pytest.mark.parametrize("method", list(TRANSFER_COLUMNS))
def test_mixed_currencies_are_refused(method: str) -> None:
    rows = [row(method, payee_tax_id="76086428-5"),
            row(method, reference="2001", payee_tax_id="76086428-5", currency="USD")]
    if method == "intl":
        rows[1] = row(method, reference="2001", currency="BRL")
    with pytest.raises(TransferFileError, match=r"payout 2001 is in \w+ but payout 1042 in \w+: a file carries one"):
        WRITERS[method](rows)
    with pytest.raises(TransferFileError, match="a file carries one currency"):
        transfer_totals(rows)


@pytest.mark.parametrize(("method", "key"), [(method, key) for method, keys in ACCOUNT_KEYS.items() for key in keys])
def test_a_missing_account_key_is_refused_naming_the_payout_and_the_key(method: str, key: str) -> None:
    account = {name: value for name, value in ACCOUNTS[method].items() if name != key}
    with pytest.raises(TransferFileError, match=f"payout 1042: the {method} account details lack '{key}'"):
        WRITERS[method]([row(method, payee_tax_id="76086428-5", account=account)])


@pytest.mark.parametrize(("method", "key", "value"), [
    ("ar_cbu", "account_kind", "alias"), ("co_bank", "account_type", "ahorros"), ("co_bank", "holder_id_kind", "ce"),
    ("cl_bank", "account_type", "rut"),
])
def test_a_value_outside_the_method_s_list_is_refused(method: str, key: str, value: str) -> None:
    with pytest.raises(TransferFileError, match=f"payout 1042: {key} '{value}' is not one of"):
        WRITERS[method]([row(method, payee_tax_id="76086428-5", account={**ACCOUNTS[method], key: value})])


@pytest.mark.parametrize(("amount", "reason"), [
    (Decimal("0"), "must be positive, not 0"), (Decimal("-10.00"), "must be positive, not -10.00"),
    (Decimal("NaN"), "must be positive, not NaN"), (Decimal("10.005"), "smaller than the currency's minor unit 0.01"),
])
def test_amounts_that_are_not_positive_or_finer_than_the_minor_unit_are_refused(amount: Decimal, reason: str) -> None:
    with pytest.raises(TransferFileError, match=f"payout 1042: .*{reason}"):
        spei_csv([row(amount=amount)])
    with pytest.raises(TransferFileError, match=reason):
        transfer_totals([row(amount=amount)])


def test_a_currency_parceria_does_not_pay_in_is_refused() -> None:
    with pytest.raises(TransferFileError, match="payout 1042: unknown currency 'XYZ'"):
        intl_csv([row("intl", currency="XYZ")])


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx"])
def test_a_name_that_looks_like_a_formula_is_guarded(name: str) -> None:
    for method, writer in WRITERS.items():
        parsed = read(writer([row(method, payee_name=name, payee_tax_id="76086428-5")]))[0]
        assert parsed["beneficiary_name" if method != "intl" else "payee_name"] == f"'{name}"


# SPEI's limits.


def test_spei_concept_is_cut_at_its_limit() -> None:
    concept = "Parceria commissions 2026-10, partner 1042 (Mexico)"
    parsed = read(spei_csv([row(concept=concept)]))[0]
    assert SPEI_CONCEPT_LENGTH == 40
    assert parsed["concept"] == "Parceria commissions 2026-10, partner 10" == concept[:40]
    assert read(spei_csv([row(concept="x" * 40)]))[0]["concept"] == "x" * 40


def test_spei_concept_stays_within_the_limit_with_the_formula_guard() -> None:
    concept = "=" + "y" * 50
    assert read(spei_csv([row(concept=concept)]))[0]["concept"] == "'" + concept[:39]


@pytest.mark.parametrize(("reference", "numeric"), [("1", "1"), ("9999999", "9999999"), ("0000042", "42")])
def test_spei_numeric_reference(reference: str, numeric: str) -> None:
    assert read(spei_csv([row(reference=reference)]))[0]["numeric_reference"] == numeric


@pytest.mark.parametrize("reference", ["10000000", "0", "PAY-12", "", "12.5", "٣٤"])
def test_a_reference_that_is_not_a_number_of_up_to_7_digits_is_refused_for_spei(reference: str) -> None:
    with pytest.raises(TransferFileError, match="SPEI's numeric reference is a number of 1 to 7 digits"):
        spei_csv([row(reference=reference)])


def test_spei_moves_pesos_only() -> None:
    with pytest.raises(TransferFileError, match="payout 1042: SPEI moves Mexican pesos only, not USD"):
        spei_csv([row(currency="USD")])


# Totals.


def test_totals_are_the_count_and_the_sum_in_the_file_s_currency() -> None:
    assert transfer_totals([]) == (0, Decimal(0))
    count, total = transfer_totals([row(amount=Decimal("1500.00")), row(amount=Decimal("0.01")),
                                    row(amount=Decimal("20"))])
    assert (count, total, str(total)) == (3, Decimal("1520.01"), "1520.01")
    assert str(transfer_totals([row("cl_bank", amount=Decimal("150000.00"))])[1]) == "150000"


# Any valid rows read back to the same references and amounts.

_MINOR = {"MXN": 2, "ARS": 2, "COP": 2, "CLP": 0, "USD": 2}
_NAMES = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
_REFERENCES = st.text("0123456789ABCdef-_/=+@ ", min_size=1, max_size=12)


@st.composite
def method_and_rows(draw: st.DrawFn) -> tuple[str, list[TransferRow]]:
    method = draw(st.sampled_from(list(TRANSFER_COLUMNS)))
    currency = CURRENCY[method] if method != "intl" else draw(st.sampled_from(list(_MINOR)))
    references = st.integers(1, 9_999_999).map(str) if method == "mx_spei" else _REFERENCES
    rows = []
    for _ in range(draw(st.integers(0, 5))):
        minor = draw(st.integers(1, 10**13))
        rows.append(row(method, reference=draw(references), payee_name=draw(_NAMES), payee_tax_id="76086428-5",
                        currency=currency, amount=Decimal(minor).scaleb(-_MINOR[currency]), concept=draw(_NAMES)))
    return method, rows


@given(method_and_rows())
def test_any_valid_rows_read_back_to_the_same_references_and_amounts(case: tuple[str, list[TransferRow]]) -> None:
    method, rows = case
    parsed = read(transfer_csv(method, rows))
    assert [line["reference"] for line in parsed] == [safe_cell(r.reference) for r in rows]
    assert [Decimal(line["amount"]) for line in parsed] == [r.amount for r in rows]
    places = [len(line["amount"].partition(".")[2]) for line in parsed]
    assert places == [_MINOR[r.currency] for r in rows]
    assert sum((Decimal(line["amount"]) for line in parsed), Decimal(0)) == sum((r.amount for r in rows), Decimal(0))
    assert transfer_totals(rows) == (len(rows), sum((r.amount for r in rows), Decimal(0)))
