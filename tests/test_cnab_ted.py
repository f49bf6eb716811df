"""CNAB 240 remittance of TED transfers to accounts at other banks (Itaú SISPAG, form 41) and its return file.

The written file is read back by a reader written here from independent layout facts: the positions, pictures
and fixed contents below are typed in by hand from Itaú's SISPAG manual (CNAB240 version 80, April 2012: file
header p. 8, batch header p. 9, segment A p. 10, batch trailer p. 18, file trailer p. 35; note 5 for form 41,
note 11 b for the payee's agency and account at another bank, note 15 for the payee's CPF/CNPJ, note 26 for the
TED's purpose) and, for what the manual predates (segment A 105-114: ISPB and the transfer identification), from
the OCA/l10n-brazil l10n_br_cnab_structure data for Itaú 240 (l10n_br_cnab.line.field.csv,
cnab.pix.transfer.type.csv). The reader shares no code and no data with the writer's layout JSON: every record is
cut into all of its fields, fillers included, and the typed positions must tile 1..240.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from importlib import resources
from itertools import pairwise
from unicodedata import normalize

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parceria.payouts.cnab import LayoutError, available_layouts, layout_from_dict, load_layout
from parceria.payouts.cnab.returns import ReturnEntry, parse_return, write_return
from parceria.payouts.cnab.writer import BankAccount, Company, RemittanceError, RemittancePayment, write_remittance
from tests.test_cnab import BATCH_TRAILER, FILE_HEADER, FILE_TRAILER, Spec, blanks, put, read_record, zeros

TED = "itau_sispag_ted"

# --- An independent reader: positions are 1-based and inclusive, as the manual prints them. ---------------------
# Each entry: name -> (start, end, fixed content or None). Fixed contents are what a remittance must carry. The
# records the TED file shares with the PIX one (file header, batch and file trailers: manual pp. 8, 18, 35) and the
# reader's helpers are tests/test_cnab.py's; the batch header and segment A of form 41 are typed below.

BATCH_HEADER: Spec = {  # manual p. 9, "pagamentos através de cheque, OP, DOC, TED e crédito em conta corrente"
    "bank": (1, 3, "341"),
    "batch": (4, 7, "0001"),
    "record_type": (8, 8, "1"),
    "operation": (9, 9, "C"),
    "service_type": (10, 11, "20"),  # note 4: 20 = fornecedores; p. 3: TED – outro titular allowed for it
    "payment_method": (12, 13, "41"),  # note 5: 41 = TED – outro titular
    "batch_layout": (14, 16, "040"),
    "blank_17": blanks(17, 17),
    "company_kind": (18, 18, None),
    "company_tax_id": (19, 32, None),
    "entry_identification": blanks(33, 36),  # note 13
    "blanks_37_52": blanks(37, 52),
    "agency": (53, 57, None),
    "blank_58": blanks(58, 58),
    "account": (59, 70, None),
    "blank_71": blanks(71, 71),
    "account_digit": (72, 72, None),
    "company_name": (73, 102, None),
    "batch_purpose": blanks(103, 132),  # note 6
    "account_history": blanks(133, 142),  # note 7
    "address": (143, 172, None),
    "address_number": (173, 177, None),
    "address_complement": (178, 192, None),
    "city": (193, 212, None),
    "zip_code": (213, 220, None),
    "state": (221, 222, None),
    "blanks_223_230": blanks(223, 230),
    "occurrences": blanks(231, 240),
}
SEGMENT_A: Spec = {  # manual p. 10 with note 11 b (pp. 42-43) at 24-43; 105-119 as OCA has them
    "bank": (1, 3, "341"),
    "batch": (4, 7, "0001"),
    "record_type": (8, 8, "3"),
    "sequence": (9, 13, None),  # note 9
    "segment": (14, 14, "A"),
    "movement": (15, 17, "000"),  # note 10: inclusão
    "zeros_18_20": zeros(18, 20),  # the manual: zeros; OCA: no câmara code for payment way 41
    "payee_bank": (21, 23, None),
    "payee_agency": (24, 28, None),  # note 11 b: 9(05)
    "blank_29": blanks(29, 29),
    "payee_account": (30, 41, None),  # note 11 b: 9(12)
    "dac_first": (42, 42, None),  # note 11 b: blank, or the first of a DAC of two characters
    "dac": (43, 43, None),  # note 11 b: X(01)
    "payee_name": (44, 73, None),
    "reference": (74, 93, None),
    "payment_date": (94, 101, None),
    "currency": (102, 104, "REA"),
    "ispb": zeros(105, 112),  # OCA: CÓDIGO ISPB
    "transfer_identification": (113, 114, None),  # OCA cnab.pix.transfer.type: 01 corrente, 03 poupança, PG
    "zeros_115_119": zeros(115, 119),
    "amount": (120, 134, None),
    "bank_reference": blanks(135, 149),  # note 12
    "blanks_150_154": blanks(150, 154),
    "effective_date": zeros(155, 162),
    "effective_amount": zeros(163, 177),
    "purpose_detail": blanks(178, 195),  # note 13
    "blanks_196_197": blanks(196, 197),
    "document_number": zeros(198, 203),  # note 14
    "payee_tax_id": (204, 217, None),  # note 15
    "doc_purpose": blanks(218, 219),  # note 30: DOC only
    "ted_purpose": (220, 224, None),  # note 26
    "blanks_225_229": blanks(225, 229),
    "notice": (230, 230, "0"),  # note 16: 0 = no notice, so no segment B is needed
    "occurrences": blanks(231, 240),
}
RECORDS = {
    "file header": FILE_HEADER,
    "batch header": BATCH_HEADER,
    "segment A": SEGMENT_A,
    "batch trailer": BATCH_TRAILER,
    "file trailer": FILE_TRAILER,
}


@pytest.mark.parametrize("name", list(RECORDS))
def test_the_independent_positions_cover_every_position_once(name: str) -> None:
    spans = sorted((start, end) for start, end, _ in RECORDS[name].values())
    assert spans[0][0] == 1 and spans[-1][1] == 240
    assert all(end + 1 == following for (_, end), (following, _) in pairwise(spans))
    assert all(fixed is None or len(fixed) == end - start + 1 for start, end, fixed in RECORDS[name].values())


@dataclass
class ReadFile:
    header: dict[str, str]
    batch_header: dict[str, str]
    payments: list[dict[str, str]]  # one segment A per payment
    batch_trailer: dict[str, str]
    file_trailer: dict[str, str]
    lines: list[str]


def read_remittance(text: str) -> ReadFile:
    """Parse a TED remittance the way the bank would, asserting the structure and every fixed field."""
    text.encode("ascii")
    assert text.endswith("\r\n")
    lines = text[:-2].split("\r\n")
    assert all(len(line) == 240 and "\n" not in line and "\r" not in line for line in lines)
    assert "".join(line[7] for line in lines) == "01" + "3" * (len(lines) - 4) + "59"
    details = lines[2:-2]
    assert [line[13] for line in details] == ["A"] * len(details)  # segment A alone: no B
    assert [int(line[8:13]) for line in details] == list(range(1, len(details) + 1))  # note 9
    return ReadFile(
        header=read_record(lines[0], FILE_HEADER, "file header"),
        batch_header=read_record(lines[1], BATCH_HEADER, "batch header"),
        payments=[read_record(line, SEGMENT_A, "segment A") for line in details],
        batch_trailer=read_record(lines[-2], BATCH_TRAILER, "batch trailer"),
        file_trailer=read_record(lines[-1], FILE_TRAILER, "file trailer"),
        lines=lines,
    )


def make_return(remittance: str, codes: dict[str, str], paid_on: date = date(2026, 2, 10)) -> str:
    """The bank's answer to `remittance`, from the manual's positions: file code 2, each segment A's codes from
    `codes` (by our reference) and, for those paid (00), the effective date and amount."""
    lines = remittance[:-2].split("\r\n")
    lines[0] = put(lines[0], 143, 143, "2")
    for i, line in enumerate(lines):
        if line[7] == "3" and line[13] == "A":
            code = codes[line[73:93].strip()]
            line = put(line, 231, 240, code.ljust(10))
            if code == "00":
                line = put(put(line, 155, 162, paid_on.strftime("%d%m%Y")), 163, 177, line[119:134])
            lines[i] = line
    return "".join(f"{line}\r\n" for line in lines)


# --- Data --------------------------------------------------------------------------------------------------------

COMPANY = Company(
    name="Agência São João Comissões",
    tax_id="11.222.333/0001-81",
    bank_code="341",
    agency="0123",
    account="45678",
    account_digit="9",
    city="São Paulo",
    state="SP",
)
GENERATED = datetime(2026, 2, 3, 14, 5, 9)
PAY_DAY = date(2026, 2, 10)
PAYMENTS = [
    RemittancePayment(  # a person (CPF), checking account at Banco do Brasil, check digit X
        "T-1", "José Conceição", "529.982.247-25", "", "", Decimal("1500.00"), PAY_DAY,
        account=BankAccount("001", "1234", "98765", "x", branch_digit="5"),
    ),
    RemittancePayment(  # a company (CNPJ), checking account at Bradesco
        "T-2", "Acme Integrações Ltda", "11.444.777/0001-61", "", "", Decimal("98765.43"), PAY_DAY,
        account=BankAccount("237", "0456", "0012345", "7", "checking"),
    ),
    RemittancePayment(  # a person, savings account at Caixa with the longest account number
        "T-3", "Maria Souza", "111.444.777-35", "", "", Decimal("0.01"), PAY_DAY,
        account=BankAccount("104", "1", "123456789012", "0", "savings"),
    ),
]


def write(payments: list[RemittancePayment] = PAYMENTS, company: Company = COMPANY) -> str:
    return write_remittance(layout=TED, company=company, payments=payments, file_sequence=7, generated_at=GENERATED)


def cents(amount: Decimal, width: int) -> str:
    return f"{int(amount * 100):0{width}d}"


# --- The remittance ------------------------------------------------------------------------------------------------


def test_the_ted_layout_is_stored_beside_the_pix_one() -> None:
    assert {"itau_sispag_pix", TED} <= set(available_layouts())


def test_lines_are_240_characters_with_crlf_ends() -> None:
    text = write()
    assert text.count("\r\n") == len(PAYMENTS) + 4 and "\n" not in text.replace("\r\n", "")
    assert [len(line) for line in text.split("\r\n")[:-1]] == [240] * (len(PAYMENTS) + 4)


def test_file_and_batch_headers() -> None:
    read = read_remittance(write())
    company = {
        "company_kind": "2",
        "company_tax_id": "11222333000181",
        "agency": "00123",
        "account": "000000045678",
        "account_digit": "9",
        "company_name": "AGENCIA SAO JOAO COMISSOES    ",
    }
    assert read.header == {
        **company,
        "bank_name": "BANCO ITAU SA".ljust(30),
        "generated_date": "03022026",
        "generated_time": "140509",
    }
    assert read.batch_header == {
        **company,
        "address": " " * 30,
        "address_number": "00000",
        "address_complement": " " * 15,
        "city": "SAO PAULO".ljust(20),
        "zip_code": "00000000",
        "state": "SP",
    }


def test_each_payment_reads_back_field_by_field() -> None:
    read = read_remittance(write())
    # Note 11 b: agency 9(05) and account 9(12) zero-filled, the DAC at 43 (42 blank); note 15: a CPF in 11
    # positions and 3 blanks, a CNPJ in 14. The agency's own check digit (T-1's 5) is not written anywhere.
    expected = [
        ("T-1", "001", "01234", "000000098765", " ", "X", "JOSE CONCEICAO", "01", "150000", "52998224725   "),
        ("T-2", "237", "00456", "000000012345", " ", "7", "ACME INTEGRACOES LTDA", "01", "9876543", "11444777000161"),
        ("T-3", "104", "00001", "123456789012", " ", "0", "MARIA SOUZA", "03", "1", "11144477735   "),
    ]
    assert len(read.payments) == len(expected)
    for number, (a, row) in enumerate(zip(read.payments, expected, strict=True), start=1):
        reference, bank, agency, account, dac_first, dac, name, kind, amount, tax_id = row
        assert a == {
            "sequence": f"{number:05d}",
            "payee_bank": bank,
            "payee_agency": agency,
            "payee_account": account,
            "dac_first": dac_first,
            "dac": dac,
            "payee_name": name.ljust(30),
            "reference": reference.ljust(20),
            "payment_date": "10022026",
            "transfer_identification": kind,
            "amount": amount.zfill(15),  # 9(13)V9(02)
            "payee_tax_id": tax_id,
            "ted_purpose": "00005",  # note 26: pagamento de fornecedores
        }


def test_trailers_count_records_and_sum_amounts_to_the_cent() -> None:
    read = read_remittance(write())
    total = sum((p.amount for p in PAYMENTS), Decimal(0))
    assert total == Decimal("100265.44")
    assert read.batch_trailer == {"record_count": "000005", "amount_sum": cents(total, 18)}
    assert read.batch_trailer["amount_sum"] == "000000000010026544"
    assert sum(int(a["amount"]) for a in read.payments) == int(read.batch_trailer["amount_sum"])
    assert read.file_trailer == {"batch_count": "000001", "record_count": "000007"}


def test_a_two_character_dac_and_a_payment_account() -> None:
    payment = replace(PAYMENTS[0], account=BankAccount("260", "00001", "12345678", "1X", "payment"))
    (a,) = read_remittance(write([payment])).payments
    # Note 11 b: "se o DAC tiver dois caracteres, coloque o primeiro na posição 042 e o segundo na posição 043".
    assert (a["dac_first"], a["dac"], a["transfer_identification"]) == ("1", "X", "PG")
    assert (a["payee_bank"], a["payee_agency"], a["payee_account"]) == ("260", "00001", "000012345678")


def test_the_pix_key_and_message_are_ignored_by_a_ted() -> None:
    keyed = replace(PAYMENTS[0], pix_key_type="email", pix_key="pix@example.com", message="Comissão de março")
    assert write([keyed]) == write([PAYMENTS[0]])


def test_a_pix_payment_carrying_an_account_still_pays_the_key() -> None:
    pix = RemittancePayment("P-1", "José", "52998224725", "cpf", "52998224725", Decimal("10"), PAY_DAY)
    texts = [
        write_remittance(company=COMPANY, payments=[payment], file_sequence=1, generated_at=GENERATED)
        for payment in (pix, replace(pix, account=PAYMENTS[0].account))
    ]
    assert texts[0] == texts[1]
    assert texts[0].split("\r\n")[3][13:16] == "B03"  # segment B with key type 03, as before


# --- Refusals ----------------------------------------------------------------------------------------------------


def _account(**change: str) -> BankAccount:
    account = PAYMENTS[1].account
    assert account is not None
    return replace(account, **change)


@pytest.mark.parametrize(
    ("account", "message"),
    [
        (None, "payment T-2: account is required: layout itau_sispag_ted pays to a bank account"),
        (_account(branch="123456"), r"payment T-2: account.branch '123456' has 6 digits, the layout has room for 5"),
        (_account(account="1" * 13), r"account.account '1111111111111' has 13 digits, the layout has room for 12"),
        (_account(branch="12-3"), r"payment T-2: account.branch '12-3' must be digits only"),
        (_account(branch=""), r"account.branch '' must be digits only"),
        (_account(account="12.345"), r"account.account '12.345' must be digits only"),
        (_account(account="１２３"), r"account.account '１２３' must be digits only"),  # full-width digits
        (_account(bank_code="33"), r"account.bank_code '33' must be a bank's 3-digit code"),
        (_account(bank_code="000"), r"account.bank_code '000' must be a bank's 3-digit code"),
        (_account(bank_code="0237"), r"account.bank_code '0237' has 4 digits, the layout has room for 3"),
        (_account(bank_code="23A"), r"account.bank_code '23A' must be digits only"),
        (_account(bank_code="341"), r"account.bank_code 341: layout itau_sispag_ted cannot pay it: .*form 01"),
        (_account(bank_code="409"), r"account.bank_code 409: layout itau_sispag_ted cannot pay it: .*Unibanco"),
        (_account(account_digit=""), r"account.account_digit '' must be 1 or 2 digits or capital letters"),
        (_account(account_digit="123"), r"account.account_digit '123' must be 1 or 2"),
        (_account(account_digit="-"), r"account.account_digit '-' must be 1 or 2"),
        (_account(branch_digit="12"), r"account.branch_digit '12' must be one digit or letter"),
        (_account(account_type="investment"), r"account.account_type 'investment' must be one of"),
    ],
)
def test_bad_accounts_are_refused_and_nothing_is_written(account: BankAccount | None, message: str) -> None:
    written: list[str] = []
    with pytest.raises(RemittanceError, match=message):
        written.append(write([PAYMENTS[0], replace(PAYMENTS[1], account=account)]))
    assert written == []


def test_a_ted_payee_still_needs_a_valid_tax_id_and_name() -> None:
    with pytest.raises(RemittanceError, match="payment T-1: invalid CPF"):
        write([replace(PAYMENTS[0], payee_tax_id="529.982.247-24")])
    with pytest.raises(RemittanceError, match="payment T-1: payee name is required"):
        write([replace(PAYMENTS[0], payee_name=" ")])


@pytest.mark.parametrize(("key_type", "key"), [("", ""), ("email", ""), ("email", "   ")])
def test_a_pix_payment_without_a_key_is_refused(key_type: str, key: str) -> None:
    payment = replace(PAYMENTS[0], pix_key_type=key_type, pix_key=key)  # it has an account, but PIX pays keys
    with pytest.raises(RemittanceError, match="payment T-1: pix_key is required: layout itau_sispag_pix pays to a PIX"):
        write_remittance(company=COMPANY, payments=[payment], file_sequence=1, generated_at=GENERATED)


# --- The return file -----------------------------------------------------------------------------------------------


def test_round_trip_through_a_return_file() -> None:
    remittance = write()
    returned = make_return(remittance, {"T-1": "00", "T-2": "AN", "T-3": "BD"})
    assert parse_return(returned, layout=TED) == [
        ReturnEntry("T-1", "paid", ["00"], Decimal("1500.00"), date(2026, 2, 10)),
        ReturnEntry("T-2", "failed", ["AN"], Decimal("98765.43"), None),
        ReturnEntry("T-3", "pending", ["BD"], Decimal("0.01"), None, "not final yet: BD: Pagamento agendado"),
    ]


def test_the_return_writer_answers_a_ted_remittance() -> None:
    remittance = write()
    written = write_return(remittance, {"T-2": "DV", "T-3": "BDCI"}, paid_on=PAY_DAY, layout=TED)
    assert written == make_return(remittance, {"T-1": "00", "T-2": "DV", "T-3": "BDCI"})
    entries = parse_return(written, layout=TED)
    assert [(e.reference, e.status, e.codes) for e in entries] == [
        ("T-1", "paid", ["00"]),
        ("T-2", "failed", ["DV"]),  # DOC/TED devolvido pelo banco favorecido
        ("T-3", "pending", ["BD", "CI"]),  # scheduled, the payee's CPF/CNPJ not confirmed (note 8 (C))
    ]


def test_both_itau_layouts_read_returns_with_the_same_table() -> None:
    pix, ted = load_layout("itau_sispag_pix"), load_layout(TED)
    assert dict(ted.return_codes) == dict(pix.return_codes)  # Itaú's note 8, one table for every form
    assert ted.ignored_return_segments == pix.ignored_return_segments


# --- The layout as data --------------------------------------------------------------------------------------------


def _ted_layout_data() -> dict[str, object]:
    text = resources.files("parceria.payouts.cnab").joinpath("layouts", f"{TED}.json").read_text("utf-8")
    data: dict[str, object] = json.loads(text)
    return data


def test_the_ted_layout_loads_without_pix_keys() -> None:
    layout = load_layout(TED)
    assert (layout.pays_to, dict(layout.pix_key_type_codes)) == ("bank_account", {})
    assert dict(layout.account_type_codes) == {"checking": "01", "savings": "03", "payment": "PG"}
    assert set(layout.excluded_payee_banks) == {"341", "409"}
    assert layout.detail_records == ("segment_a",)
    assert (layout.record("batch_header").constant("payment_method"), load_layout("itau_sispag_pix").pays_to) == (
        "41",
        "pix_key",
    )


def test_every_field_of_the_ted_layout_names_known_sources() -> None:
    layout = load_layout(TED)
    fields = [field for record in layout.records.values() for field in record.fields]
    assert fields and all(field.source and set(field.source) <= set(layout.sources) for field in fields)
    pix_sources = load_layout("itau_sispag_pix").sources
    assert layout.sources["cnpj_alnum"] == pix_sources["cnpj_alnum"]
    assert layout.sources["parceria"] == pix_sources["parceria"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pays_to": "cheque"}, "pays_to must be one of"),
        ({"account_type_codes": {}}, "paying to accounts needs account_type_codes"),
        ({"account_type_codes": {"checking": "01", "investment": "02"}}, "paying to accounts needs account_type_codes"),
        ({"excluded_payee_banks": {"34": "Itaú"}}, "excluded_payee_banks maps 3-digit bank codes"),
        ({"excluded_payee_banks": {"341": " "}}, "excluded_payee_banks maps 3-digit bank codes"),
        ({"pays_to": "pix_key"}, "a layout paying to PIX keys needs pix_key_type_codes"),
        ({"account_type_codes_source": ["hearsay"]}, "a source is cited that 'sources' does not list"),
    ],
)
def test_inconsistent_payee_settings_are_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(LayoutError, match=message):
        layout_from_dict("broken", {**_ted_layout_data(), **change})


def test_a_bank_account_layout_without_the_account_fields_fails_when_writing() -> None:
    data = _ted_layout_data()
    fields = data["records"]["segment_a"]["fields"]  # type: ignore[index]
    branch = next(f for f in fields if f["name"] == "payee_branch")
    branch["name"] = "payee_agency"
    with pytest.raises(LayoutError, match="no detail record has a field 'payee_branch'"):
        write_remittance(
            layout=layout_from_dict("broken", data),
            company=COMPANY,
            payments=PAYMENTS,
            file_sequence=1,
            generated_at=GENERATED,
        )


def test_bank_accounts_are_frozen() -> None:
    account = PAYMENTS[0].account
    assert account is not None and account.account_type == "checking" and PAYMENTS[2].account is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        account.branch = "1"  # type: ignore[misc]


# --- Property -----------------------------------------------------------------------------------------------------

ACCOUNT_TYPE_CODES = {"checking": "01", "savings": "03", "payment": "PG"}  # OCA cnab.pix.transfer.type
TAX_IDS = ["52998224725", "11144477735", "11222333000181", "11.444.777/0001-61", "12ABC34501DE35"]
accounts = st.builds(
    BankAccount,
    bank_code=st.integers(min_value=1, max_value=999).map("{:03d}".format).filter(lambda c: c not in ("341", "409")),
    branch=st.from_regex(r"[0-9]{1,5}", fullmatch=True),
    account=st.from_regex(r"[0-9]{1,12}", fullmatch=True),
    account_digit=st.from_regex(r"[0-9X]{1,2}", fullmatch=True),
    account_type=st.sampled_from(["checking", "savings", "payment"]),
)
payment_strategy = st.tuples(
    accounts,
    st.sampled_from(TAX_IDS),
    st.integers(min_value=1, max_value=10**13),
    st.text(min_size=1, max_size=50).filter(lambda s: any(c.isascii() and c.isalnum() for c in normalize("NFKD", s))),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(payment_strategy, min_size=1, max_size=25))
def test_property_lines_are_240_and_the_trailer_sums_the_payments(
    drawn: list[tuple[BankAccount, str, int, str]],
) -> None:
    payments = [
        RemittancePayment(f"R{i}", name, tax_id, "", "", Decimal(amount).scaleb(-2), PAY_DAY, account=account)
        for i, (account, tax_id, amount, name) in enumerate(drawn)
    ]
    read = read_remittance(write(payments))  # every line 240 characters, CRLF, ASCII, in order
    total = sum((p.amount for p in payments), Decimal(0))
    assert int(read.batch_trailer["amount_sum"]) == int(total * 100)
    assert int(read.batch_trailer["record_count"]) == len(payments) + 2
    assert int(read.file_trailer["record_count"]) == len(payments) + 4
    for a, (account, _, amount, _) in zip(read.payments, drawn, strict=True):
        assert int(a["amount"]) == amount
        assert (a["payee_bank"], a["payee_agency"], a["payee_account"]) == (
            account.bank_code,
            account.branch.zfill(5),
            account.account.zfill(12),
        )
        assert (a["dac_first"] + a["dac"]).strip() == account.account_digit
        assert a["transfer_identification"] == ACCOUNT_TYPE_CODES[account.account_type]
