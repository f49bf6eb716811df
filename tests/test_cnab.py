"""CNAB 240 remittance of PIX transfers (Itaú SISPAG) and the bank's return file.

The written file is read back by a reader written here from independent layout facts: the positions,
pictures and fixed contents below are typed in by hand from Itaú's SISPAG manual (CNAB240 version 80,
April 2012: record layouts pp. 8-35, notes pp. 36-46) and, for what the manual predates (PIX: payment
method 45, segment A 105-119, segment B 15-16 and 33-227), from the OCA/l10n-brazil l10n_br_cnab_structure
data for Itaú 240. The reader shares no code and no data with the writer's layout JSON: every record is
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

from parceria.payouts.cnab import CnabError, LayoutError, layout_from_dict, load_layout
from parceria.payouts.cnab.returns import (
    ReturnEntry,
    ReturnFileError,
    classify,
    describe_codes,
    parse_return,
    write_return,
)
from parceria.payouts.cnab.writer import Company, RemittanceError, RemittancePayment, write_remittance

# --- An independent reader: positions are 1-based and inclusive, as the manuals print them. --------------------
# Each entry: name -> (start, end, fixed content or None). Fixed contents are what a remittance must carry.

B = " "  # one blank; fillers are checked as blanks or zeros of their width below


def blanks(start: int, end: int) -> tuple[int, int, str]:
    return start, end, B * (end - start + 1)


def zeros(start: int, end: int) -> tuple[int, int, str]:
    return start, end, "0" * (end - start + 1)


Spec = dict[str, tuple[int, int, "str | None"]]

FILE_HEADER: Spec = {  # manual p. 8
    "bank": (1, 3, "341"),
    "batch": (4, 7, "0000"),
    "record_type": (8, 8, "0"),
    "blanks_9_14": blanks(9, 14),
    "layout_version": (15, 17, "080"),  # "N DA VERSÃO DO LAYOUT DO ARQUIVO ... 080"
    "company_kind": (18, 18, None),
    "company_tax_id": (19, 32, None),
    "blanks_33_52": blanks(33, 52),
    "agency": (53, 57, None),
    "blank_58": blanks(58, 58),
    "account": (59, 70, None),
    "blank_71": blanks(71, 71),
    "account_digit": (72, 72, None),
    "company_name": (73, 102, None),
    "bank_name": (103, 132, None),
    "blanks_133_142": blanks(133, 142),
    "file_code": (143, 143, "1"),
    "generated_date": (144, 151, None),
    "generated_time": (152, 157, None),
    "zeros_158_166": zeros(158, 166),  # "ZEROS ... 158 166 9(09)": no file sequence number in SISPAG
    "density": zeros(167, 171),  # note 2: zeros when not on tape
    "blanks_172_240": blanks(172, 240),
}
BATCH_HEADER: Spec = {  # manual p. 9; payment method 45 from OCA
    "bank": (1, 3, "341"),
    "batch": (4, 7, "0001"),
    "record_type": (8, 8, "1"),
    "operation": (9, 9, "C"),
    "service_type": (10, 11, "20"),  # note 4: 20 = fornecedores
    "payment_method": (12, 13, "45"),  # OCA cnab.payment.way: 45 = PIX TRANSFERÊNCIA
    "batch_layout": (14, 16, "040"),
    "blank_17": blanks(17, 17),
    "company_kind": (18, 18, None),
    "company_tax_id": (19, 32, None),
    "entry_identification": blanks(33, 36),  # note 13: blank unless agreed
    "blanks_37_52": blanks(37, 52),
    "agency": (53, 57, None),
    "blank_58": blanks(58, 58),
    "account": (59, 70, None),
    "blank_71": blanks(71, 71),
    "account_digit": (72, 72, None),
    "company_name": (73, 102, None),
    "batch_purpose": blanks(103, 132),  # note 6: blank unless agreed in the contract
    "account_history": blanks(133, 142),  # note 7: blank unless agreed
    "address": (143, 172, None),
    "address_number": (173, 177, None),
    "address_complement": (178, 192, None),
    "city": (193, 212, None),
    "zip_code": (213, 220, None),
    "state": (221, 222, None),
    "blanks_223_230": blanks(223, 230),
    "occurrences": blanks(231, 240),
}
DETAIL: Spec = {"bank": (1, 3, "341"), "batch": (4, 7, "0001"), "record_type": (8, 8, "3"), "sequence": (9, 13, None)}
SEGMENT_A: Spec = {  # manual p. 10; 18-20, 105-119 and 178-197 as OCA has them for PIX
    **DETAIL,
    "segment": (14, 14, "A"),
    "movement": (15, 17, "000"),  # note 10: inclusão
    "clearing": (18, 20, "009"),  # OCA: câmara 009 for payment method 45
    "payee_bank": zeros(21, 23),
    "payee_account": zeros(24, 43),  # OCA: "preenchida com zeros quando for chave PIX"
    "payee_name": (44, 73, None),
    "reference": (74, 93, None),
    "payment_date": (94, 101, None),
    "currency": (102, 104, "REA"),
    "ispb": zeros(105, 112),
    "transfer_identification": (113, 114, "04"),  # OCA cnab.pix.transfer.type: 04 = Chave Pix
    "zeros_115_119": zeros(115, 119),
    "amount": (120, 134, None),
    "bank_reference": blanks(135, 149),  # note 12: blank on inclusion
    "blanks_150_154": blanks(150, 154),
    "effective_date": zeros(155, 162),
    "effective_amount": zeros(163, 177),
    "purpose_detail": blanks(178, 197),  # note 13
    "document_number": zeros(198, 203),
    "payee_tax_id": (204, 217, None),  # note 15
    "doc_purpose": blanks(218, 219),
    "ted_purpose": blanks(220, 224),
    "blanks_225_229": blanks(225, 229),
    "notice": (230, 230, "0"),  # note 16: 0 = no notice
    "occurrences": blanks(231, 240),
}
SEGMENT_B: Spec = {  # OCA segment B for PIX; 17-32 and 228-240 as in the manual's segment B (p. 11)
    **DETAIL,
    "segment": (14, 14, "B"),
    "key_type": (15, 16, None),  # OCA cnab.pix.key.type: 01 phone, 02 e-mail, 03 CPF/CNPJ, 04 random
    "blank_17": blanks(17, 17),
    "payee_kind": (18, 18, None),
    "payee_tax_id": (19, 32, None),  # note 15
    "blanks_33_62": blanks(33, 62),
    "message": (63, 127, None),
    "pix_key": (128, 227, None),
    "blanks_228_230": blanks(228, 230),
    "occurrences": blanks(231, 240),
}
BATCH_TRAILER: Spec = {  # manual p. 24
    "bank": (1, 3, "341"),
    "batch": (4, 7, "0001"),
    "record_type": (8, 8, "5"),
    "blanks_9_17": blanks(9, 17),
    "record_count": (18, 23, None),
    "amount_sum": (24, 41, None),
    "zeros_42_59": zeros(42, 59),
    "blanks_60_230": blanks(60, 230),
    "occurrences": blanks(231, 240),
}
FILE_TRAILER: Spec = {  # manual p. 35
    "bank": (1, 3, "341"),
    "batch": (4, 7, "9999"),
    "record_type": (8, 8, "9"),
    "blanks_9_17": blanks(9, 17),
    "batch_count": (18, 23, None),
    "record_count": (24, 29, None),
    "blanks_30_240": blanks(30, 240),
}
RECORDS = {
    "file header": FILE_HEADER,
    "batch header": BATCH_HEADER,
    "segment A": SEGMENT_A,
    "segment B": SEGMENT_B,
    "batch trailer": BATCH_TRAILER,
    "file trailer": FILE_TRAILER,
}


@pytest.mark.parametrize("name", list(RECORDS))
def test_the_independent_positions_cover_every_position_once(name: str) -> None:
    spans = sorted((start, end) for start, end, _ in RECORDS[name].values())
    assert spans[0][0] == 1 and spans[-1][1] == 240
    assert all(end + 1 == following for (_, end), (following, _) in pairwise(spans))
    assert all(fixed is None or len(fixed) == end - start + 1 for start, end, fixed in RECORDS[name].values())


def read_record(line: str, spec: Spec, what: str) -> dict[str, str]:
    """Every field of `line`; the fixed ones must hold their fixed content."""
    fields = {name: line[start - 1 : end] for name, (start, end, _) in spec.items()}
    wrong = {name: fields[name] for name, (_, _, fixed) in spec.items() if fixed is not None and fields[name] != fixed}
    assert not wrong, f"{what}: fields with other content than the layout's: {wrong}"
    return {name: value for name, value in fields.items() if spec[name][2] is None}


def put(line: str, start: int, end: int, value: str) -> str:
    """`line` with positions start..end replaced by `value` (which must have that width)."""
    assert len(value) == end - start + 1
    return line[: start - 1] + value + line[end:]


@dataclass
class ReadFile:
    header: dict[str, str]
    batch_header: dict[str, str]
    payments: list[tuple[dict[str, str], dict[str, str]]]  # (segment A, segment B) per payment
    batch_trailer: dict[str, str]
    file_trailer: dict[str, str]
    lines: list[str]


def read_remittance(text: str) -> ReadFile:
    """Parse a remittance the way the bank would, asserting the structure and every fixed field on the way."""
    text.encode("ascii")
    assert text.endswith("\r\n")
    lines = text[:-2].split("\r\n")
    assert all(len(line) == 240 and "\n" not in line and "\r" not in line for line in lines)
    kinds = "".join(line[7] for line in lines)
    assert kinds == "01" + "3" * (len(lines) - 4) + "59"
    details = lines[2:-2]
    assert len(details) % 2 == 0
    assert [line[13] for line in details] == ["A", "B"] * (len(details) // 2)
    # Note 9: one sequence number per payment, from 00001; its segment B repeats its segment A's.
    assert [int(line[8:13]) for line in details] == [n for n in range(1, len(details) // 2 + 1) for _ in "AB"]
    pairs = [
        (read_record(a, SEGMENT_A, "segment A"), read_record(b, SEGMENT_B, "segment B"))
        for a, b in zip(details[::2], details[1::2], strict=True)
    ]
    return ReadFile(
        header=read_record(lines[0], FILE_HEADER, "file header"),
        batch_header=read_record(lines[1], BATCH_HEADER, "batch header"),
        payments=pairs,
        batch_trailer=read_record(lines[-2], BATCH_TRAILER, "batch trailer"),
        file_trailer=read_record(lines[-1], FILE_TRAILER, "file trailer"),
        lines=lines,
    )


def make_return(remittance: str, codes: dict[str, str], paid_on: date = date(2026, 2, 10)) -> str:
    """The bank's answer to `remittance`: file code 2, each segment A's occurrence codes from `codes` (by our
    reference) and, for those paid (00), the effective date and amount."""
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
    RemittancePayment("P-1", "José Conceição", "529.982.247-25", "cpf", "529.982.247-25", Decimal("1500.00"), PAY_DAY),
    RemittancePayment(
        "P-2", "Acme Integrações Ltda", "12ABC34501DE35", "email", "Fin@Acme.com.br", Decimal("0.01"), PAY_DAY
    ),
    RemittancePayment("P-3", "Maria Souza", "11144477735", "phone", "(11) 91234-5678", Decimal("987654.32"), PAY_DAY),
    RemittancePayment(
        "P-4", "Beta Serviços", "11222333000181", "evp", "123E4567-E89B-12D3-A456-426614174000", Decimal("10"), PAY_DAY
    ),
    RemittancePayment("P-5", "Gama", "11.444.777/0001-61", "cnpj", "11444777000161", Decimal("22.5"), PAY_DAY),
]


def write(payments: list[RemittancePayment] = PAYMENTS, company: Company = COMPANY, sequence: int = 42) -> str:
    return write_remittance(company=company, payments=payments, file_sequence=sequence, generated_at=GENERATED)


def cents(amount: Decimal, width: int) -> str:
    return f"{int(amount * 100):0{width}d}"


# --- The remittance ------------------------------------------------------------------------------------------------


def test_file_header_fields() -> None:
    header = read_remittance(write()).header
    assert header == {
        "company_kind": "2",
        "company_tax_id": "11222333000181",
        "agency": "00123",
        "account": "000000045678",
        "account_digit": "9",
        "company_name": "AGENCIA SAO JOAO COMISSOES    ",
        "bank_name": "BANCO ITAU SA".ljust(30),
        "generated_date": "03022026",
        "generated_time": "140509",
    }


def test_the_remittance_number_is_not_written_itau_has_zeros_there() -> None:
    assert read_remittance(write(sequence=42)).lines[0][157:166] == "0" * 9
    assert write(sequence=1) == write(sequence=1_000_000)


def test_batch_header_is_a_pix_credit_batch() -> None:
    batch = read_remittance(write()).batch_header
    assert batch == {
        "company_kind": "2",
        "company_tax_id": "11222333000181",
        "agency": "00123",
        "account": "000000045678",
        "account_digit": "9",
        "company_name": "AGENCIA SAO JOAO COMISSOES    ",
        "address": " " * 30,
        "address_number": "00000",
        "address_complement": " " * 15,
        "city": "SAO PAULO".ljust(20),
        "zip_code": "00000000",
        "state": "SP",
    }


def test_a_company_with_an_alphanumeric_cnpj_is_written_with_its_letters() -> None:
    read = read_remittance(write(company=replace(COMPANY, tax_id="12.abc.345/01de-35")))
    assert read.header["company_tax_id"] == read.batch_header["company_tax_id"] == "12ABC34501DE35"


def test_each_payment_reads_back_field_by_field() -> None:
    read = read_remittance(write())
    # Note 15: a CPF in 11 positions and 3 blanks, a CNPJ in 14; the alphanumeric CNPJ keeps its letters.
    expected = [
        ("P-1", "JOSE CONCEICAO", "52998224725   ", "1", "03", "52998224725", "000000000150000"),
        ("P-2", "ACME INTEGRACOES LTDA", "12ABC34501DE35", "2", "02", "fin@acme.com.br", "000000000000001"),
        ("P-3", "MARIA SOUZA", "11144477735   ", "1", "01", "+5511912345678", "000000098765432"),
        ("P-4", "BETA SERVICOS", "11222333000181", "2", "04", "123e4567-e89b-12d3-a456-426614174000", "1000".zfill(15)),
        ("P-5", "GAMA", "11444777000161", "2", "03", "11444777000161", "000000000002250"),
    ]
    assert len(read.payments) == len(expected)
    for number, ((a, b), row) in enumerate(zip(read.payments, expected, strict=True), start=1):
        reference, name, tax_id, kind, key_type, key, amount = row
        assert a == {
            "sequence": f"{number:05d}",
            "payee_name": name.ljust(30),
            "reference": reference.ljust(20),
            "payment_date": "10022026",
            "amount": amount,
            "payee_tax_id": tax_id,
        }
        assert b == {
            "sequence": f"{number:05d}",
            "key_type": key_type,
            "payee_kind": kind,
            "payee_tax_id": tax_id,
            "message": " " * 65,
            "pix_key": key.ljust(100),
        }


def test_a_transfer_to_a_pix_key_is_identified_as_such_at_113_114() -> None:
    for line in read_remittance(write()).lines[2:-2:2]:
        assert line[112:114] == "04"  # 04 = chave PIX; 00 is no transfer identification at all


def test_trailers_count_records_and_sum_amounts() -> None:
    read = read_remittance(write())
    total = sum((p.amount for p in PAYMENTS), Decimal(0))
    assert read.batch_trailer == {"record_count": f"{2 * len(PAYMENTS) + 2:06d}", "amount_sum": cents(total, 18)}
    assert sum(int(a["amount"]) for a, _ in read.payments) == int(read.batch_trailer["amount_sum"])
    assert read.file_trailer == {"batch_count": "000001", "record_count": f"{len(read.lines):06d}"}


def test_accents_are_stripped_and_the_file_is_ascii() -> None:
    payment = replace(PAYMENTS[0], payee_name="Conceição & Irmãos – Ltda")
    company = replace(COMPANY, name="Agência São João")
    read = read_remittance(write([payment], company))
    assert read.header["company_name"] == "AGENCIA SAO JOAO".ljust(30)
    assert read.payments[0][0]["payee_name"] == "CONCEICAO & IRMAOS LTDA".ljust(30)


def test_long_names_are_truncated_to_their_positions() -> None:
    long_name = "Comercial de Peças e Acessórios Automotivos do Brasil"
    read = read_remittance(write([replace(PAYMENTS[0], payee_name=long_name)], replace(COMPANY, name=long_name)))
    assert read.payments[0][0]["payee_name"] == "COMERCIAL DE PECAS E ACESSORIO"
    assert read.header["company_name"] == "COMERCIAL DE PECAS E ACESSORIO"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"amount": Decimal("0")}, "greater than zero"),
        ({"amount": Decimal("-10.00")}, "greater than zero"),
        ({"amount": Decimal("10.005")}, "fractions of a cent"),
        ({"amount": Decimal("NaN")}, "must be a Decimal"),
        ({"amount": 10.5}, "must be a Decimal"),
        ({"amount": Decimal("10000000000000.00")}, "does not fit in 15 positions"),
        ({"pix_key_type": "email", "pix_key": "fulano@"}, "not a valid address"),
        ({"pix_key_type": "iban"}, "unknown PIX key type"),
        ({"pix_key_type": "evp"}, "random key '529.982.247-25' must be a UUID"),
        ({"pix_key": "529.982.247-24"}, "invalid CPF key"),
        ({"pix_key": "111.111.111-11"}, "invalid CPF key .*one repeated digit"),
        ({"payee_tax_id": "999.999.999-99"}, "invalid CPF .*one repeated digit"),
        ({"pix_key_type": "cnpj", "pix_key": "12.ABC.345/01DE-35"}, "alphanumeric CNPJ, which DICT does not accept"),
        ({"pix_key_type": "phone", "pix_key": "(11) 3456-7890"}, "must be a mobile number"),
        ({"payee_tax_id": "52998224724"}, "invalid CPF"),
        ({"payee_name": "  "}, "payee name is required"),
        ({"payee_name": "\u0301\x1b–"}, "payee name is required"),
        ({"reference": "p-1"}, "must be digits, capital letters"),
        ({"reference": "P 1"}, "must be digits, capital letters"),
        ({"reference": "P-1\n"}, "must be digits, capital letters"),
        ({"payment_date": GENERATED}, "must be a date"),
        ({"reference": "P" * 21}, "longer than 20 characters"),
        ({"payment_date": date(2026, 2, 2)}, "before the file's date"),
    ],
)
def test_bad_payments_are_refused(change: dict[str, object], message: str) -> None:
    payment = replace(PAYMENTS[0], **change)  # type: ignore[arg-type]
    with pytest.raises(RemittanceError, match=message):
        write([PAYMENTS[1], payment])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"bank_code": "237"}, "is for bank 341"),
        ({"tax_id": "11222333000182"}, "invalid CNPJ"),
        ({"agency": "123456"}, "company_agency: '123456' does not fit in 5 positions"),
        ({"account": "12-3"}, "company_account: '12-3' is not a non-negative whole number"),
        ({"account_digit": "12"}, "does not fit in 1 positions"),
        ({"name": " "}, "company name is required"),
    ],
)
def test_bad_company_is_refused(change: dict[str, str], message: str) -> None:
    with pytest.raises(RemittanceError, match=message):
        write(company=replace(COMPANY, **change))


def test_file_level_refusals() -> None:
    with pytest.raises(RemittanceError, match="at least one payment"):
        write([])
    with pytest.raises(RemittanceError, match="appears twice"):
        write([PAYMENTS[0], replace(PAYMENTS[1], reference=PAYMENTS[0].reference)])
    with pytest.raises(RemittanceError, match="file_sequence"):
        write(sequence=0)


def test_the_largest_amount_that_fits() -> None:
    read = read_remittance(write([replace(PAYMENTS[0], amount=Decimal("9999999999999.99"))]))
    assert read.payments[0][0]["amount"] == "9" * 15
    assert read.batch_trailer["amount_sum"] == "000" + "9" * 15


def test_remittance_error_is_a_422() -> None:
    with pytest.raises(ValueError) as caught:
        write([])
    assert isinstance(caught.value, RemittanceError) and caught.value.status == 422


# --- The return file -------------------------------------------------------------------------------------------


def test_round_trip_through_a_return_file() -> None:
    remittance = write()
    codes = {"P-1": "00", "P-2": "BD", "P-3": "RJ", "P-4": "AMAN", "P-5": "00"}
    entries = parse_return(make_return(remittance, codes))
    assert entries == [
        ReturnEntry("P-1", "paid", ["00"], Decimal("1500.00"), date(2026, 2, 10)),
        ReturnEntry("P-2", "pending", ["BD"], Decimal("0.01"), None, "not final yet: BD: Pagamento agendado"),
        ReturnEntry("P-3", "failed", ["RJ"], Decimal("987654.32"), None),
        ReturnEntry("P-4", "failed", ["AM", "AN"], Decimal("10.00"), None),
        ReturnEntry("P-5", "paid", ["00"], Decimal("22.50"), date(2026, 2, 10)),
    ]


def test_the_return_writer_answers_a_remittance_from_the_layout() -> None:
    remittance = write()
    codes = {"P-1": "00", "P-2": "BD", "P-3": "RJ", "P-4": "AMAN"}  # P-5 not named: paid
    written = write_return(remittance, codes, paid_on=date(2026, 2, 10))
    assert written == make_return(remittance, {**codes, "P-5": "00"})
    assert [e.status for e in parse_return(written)] == ["paid", "pending", "failed", "failed", "paid"]
    with pytest.raises(CnabError, match="not in the itau_sispag_pix return table"):
        write_return(remittance, {"P-1": "PJ"}, paid_on=date(2026, 2, 10))


@pytest.mark.parametrize(
    ("codes", "status"),
    [
        (["00"], "paid"),
        (["FC"], "paid"),  # paid through Compror financing
        (["00", "AE"], "paid"),  # paid, on an altered date
        (["BD"], "pending"),  # scheduled: not paid yet, and it may still fail
        (["PD"], "pending"),  # Itaú: "aquisição confirmada", not a rejection
        (["BD", "CI"], "pending"),  # accepted with a warning on the payee's CPF/CNPJ (note 8 (C))
        (["AM", "AN"], "failed"),
        (["SS"], "failed"),  # not enough balance
        (["PJ"], "review"),  # Santander's "chave não cadastrada no DICT": not an Itaú code
        (["ZZ"], "review"),
        (["00", "ZZ"], "review"),  # never paid on a code we cannot read
        (["00", "CE"], "review"),  # paid and cancelled at once
    ],
)
def test_each_bank_layouts_return_table_decides_the_status(codes: list[str], status: str) -> None:
    assert classify(codes)[0] == status


def test_an_unknown_code_is_never_counted_as_paid_and_says_why() -> None:
    (entry,) = parse_return(make_return(write(PAYMENTS[:1]), {"P-1": "PA"}))
    assert (entry.status, entry.date) == ("review", None)
    assert entry.note == (
        "unknown return code PA: left pending for review (PA: not in the itau_sispag_pix return table)"
    )


def test_return_as_latin1_bytes_with_lf_line_ends() -> None:
    text = make_return(write(PAYMENTS[:1]), {"P-1": "00"}).replace("\r\n", "\n")
    assert parse_return(text.encode("latin-1")) == [ReturnEntry("P-1", "paid", ["00"], Decimal("1500.00"), PAY_DAY)]


def test_occurrence_codes_are_described_from_the_layout() -> None:
    assert describe_codes(["00", "PD", "PJ"]) == [
        "00: Pagamento efetuado",
        "PD: Aquisição confirmada (equivale à ocorrência 02 no layout de risco sacado)",
        "PJ: not in the itau_sispag_pix return table",
    ]


def test_the_itau_return_table_has_itaus_codes_only() -> None:
    table = load_layout("itau_sispag_pix").return_codes
    assert {code for code, spec in table.items() if spec.status == "paid"} == {"00", "FC", "FD"}
    assert not {"PA", "PB", "PC", "PE", "PF", "PG", "PH", "PI", "PJ", "PK", "PL", "PM", "PN"} & set(table)
    assert (table["PD"].status, table["BD"].status, table["RJ"].status) == ("pending", "pending", "failed")


def test_a_segment_the_layout_ignores_is_counted_and_skipped() -> None:
    lines = make_return(write(PAYMENTS[:2]), {"P-1": "00", "P-2": "00"})[:-2].split("\r\n")
    lines.insert(4, put(lines[3], 14, 14, "Z"))  # an authentication segment Z after P-1's segment B
    for sequence, index in enumerate(range(2, 7), start=1):
        lines[index] = put(lines[index], 9, 13, f"{sequence:05d}")
    lines[-2] = put(lines[-2], 18, 23, "000007")
    lines[-1] = put(lines[-1], 24, 29, "000009")
    entries = parse_return("\r\n".join(lines) + "\r\n")
    assert [(e.reference, e.status) for e in entries] == [("P-1", "paid"), ("P-2", "paid")]


def _return_lines() -> list[str]:
    return make_return(write(PAYMENTS[:2]), {"P-1": "00", "P-2": "RJ"})[:-2].split("\r\n")


def _broken(line_index: int, start: int, end: int, value: str) -> str:
    lines = _return_lines()
    lines[line_index] = put(lines[line_index], start, end, value)
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (_broken(2, 1, 3, "237"), 3, "bank code '237', expected 341"),
        (
            "\r\n".join(line[:239] if i == 2 else line for i, line in enumerate(_return_lines())),
            3,
            "has 239 characters",
        ),
        (_broken(3, 8, 8, "7"), 4, "unknown record type '7'"),
        (_broken(3, 14, 14, "C"), 4, "unknown detail segment 'C'"),
        (_broken(4, 4, 7, "0002"), 5, "batch number 0002, expected 0001"),
        (_broken(6, 18, 23, "000005"), 7, "batch trailer record count is 5, but the file holds 6"),
        (_broken(6, 24, 41, "0" * 17 + "1"), 7, "batch trailer amount sum is 0.01, but the file holds 1500.01"),
        (_broken(7, 18, 23, "000002"), 8, "file trailer batch count is 2, but the file holds 1"),
        (_broken(7, 24, 29, "000009"), 8, "file trailer record count is 9, but the file holds 8"),
        (_broken(2, 155, 162, "31022026"), 3, "effective_date '31022026' is not a date"),
        (_broken(2, 120, 134, "00000000000001X"), 3, "amount '00000000000001X' is not a number"),
        (_broken(2, 231, 240, " " * 10), 3, "payment P-1 has no occurrence code"),
        ("\r\n".join(_return_lines()[:-1]), 7, "ends without a file trailer"),
        ("\r\n".join([*_return_lines(), _return_lines()[-1]]), 9, "after the file trailer"),
        ("\r\n".join([_return_lines()[0], *_return_lines()]), 2, "a second file header"),
        ("\r\n".join(_return_lines()[1:]), 1, "must start with a file header"),
        ("\r\n".join(line for i, line in enumerate(_return_lines()) if i != 1), 2, "outside a batch"),
        ("\r\n".join(line for i, line in enumerate(_return_lines()) if i != 6), 7, "before the batch trailer"),
        ("\r\n\r\n", 1, "the file is empty"),
    ],
)
def test_bad_return_files_name_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(ReturnFileError, match=message) as caught:
        parse_return(text)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"line {line}: ")


def test_a_remittance_is_not_a_return() -> None:
    with pytest.raises(ReturnFileError, match="line 3: payment P-1 has no occurrence code"):
        parse_return(write())


# --- Layouts as data -----------------------------------------------------------------------------------------------


def _itau_layout_data() -> dict[str, object]:
    text = resources.files("parceria.payouts.cnab").joinpath("layouts", "itau_sispag_pix.json").read_text("utf-8")
    data: dict[str, object] = json.loads(text)
    return data


def test_unknown_layouts_are_refused() -> None:
    for name in ("bradesco_multipag", "../itau_sispag_pix", "ITAU_SISPAG_PIX"):
        with pytest.raises(LayoutError, match="unknown CNAB layout"):
            load_layout(name)
    with pytest.raises(LayoutError, match="unknown CNAB layout"):
        write_remittance(layout="nope", company=COMPANY, payments=PAYMENTS, file_sequence=1, generated_at=GENERATED)


def test_a_layout_with_a_gap_is_refused() -> None:
    data = _itau_layout_data()
    fields = data["records"]["segment_b"]["fields"]  # type: ignore[index]
    fields[5]["end"] = 15
    with pytest.raises(LayoutError, match="record segment_b: field cnab_017 starts at 17, expected 16"):
        layout_from_dict("broken", data)


def test_a_layout_without_field_docs_is_refused() -> None:
    data = _itau_layout_data()
    data["records"]["file_trailer"]["fields"][0]["doc"] = ""  # type: ignore[index]
    with pytest.raises(LayoutError, match=r"needs a type .* and a doc"):
        layout_from_dict("broken", data)


def test_the_writer_is_generic_a_second_bank_is_a_second_layout() -> None:
    data = _itau_layout_data()
    data["bank_code"] = "237"
    data["detail_sequence"] = "per_record"  # FEBRABAN's numbering: every detail record
    batch_fields = data["records"]["batch_header"]["fields"]  # type: ignore[index]
    next(f for f in batch_fields if f["name"] == "payment_method")["value"] = "41"
    other = layout_from_dict("other_bank", data)
    text = write_remittance(
        layout=other,
        company=replace(COMPANY, bank_code="237"),
        payments=PAYMENTS[:2],
        file_sequence=1,
        generated_at=GENERATED,
    )
    lines = text[:-2].split("\r\n")
    assert {line[:3] for line in lines} == {"237"}
    assert lines[1][11:13] == "41"
    assert [line[8:13] for line in lines[2:-2]] == ["00001", "00002", "00003", "00004"]
    returned = make_return(text, {"P-1": "00", "P-2": "00"})
    assert parse_return(returned, layout=other)[0].status == "paid"
    with pytest.raises(ReturnFileError, match="bank code '237', expected 341"):
        parse_return(returned)


def test_a_layout_field_without_a_known_source_is_refused() -> None:
    data = _itau_layout_data()
    data["records"]["segment_a"]["fields"][14]["source"] = ["hearsay"]  # type: ignore[index]
    with pytest.raises(LayoutError, match="field transfer_identification needs a source among"):
        layout_from_dict("broken", data)


def test_a_layout_citing_an_unlisted_source_is_refused() -> None:
    data = _itau_layout_data()
    data["return"]["sources"] = ["santander_manual"]  # type: ignore[index]
    with pytest.raises(LayoutError, match="a source is cited that 'sources' does not list"):
        layout_from_dict("broken", data)


def test_a_return_code_without_a_known_status_is_refused() -> None:
    data = _itau_layout_data()
    data["return"]["codes"]["PD"]["status"] = "rejected"  # type: ignore[index]
    with pytest.raises(LayoutError, match="return code 'PD' needs 2 characters, a meaning and a status"):
        layout_from_dict("broken", data)


def test_every_field_of_the_itau_layout_names_its_source() -> None:
    layout = load_layout("itau_sispag_pix")
    fields = [field for record in layout.records.values() for field in record.fields]
    assert fields and all(field.source and set(field.source) <= set(layout.sources) for field in fields)
    segment_a = layout.record("segment_a")
    assert (segment_a.field("transfer_identification").start, segment_a.constant("transfer_identification")) == (
        113,
        "04",
    )


# --- Property -----------------------------------------------------------------------------------------------------

KEYS = [
    ("cpf", "52998224725", "52998224725"),
    ("cnpj", "11222333000181", "11222333000181"),
    ("email", "11144477735", "pix@example.com"),
    ("phone", "11144477735", "+5521987654321"),
    ("evp", "12ABC34501DE35", "123e4567-e89b-12d3-a456-426614174000"),
]
payment_strategy = st.builds(
    lambda key, amount_cents, name: (key, Decimal(amount_cents).scaleb(-2), name),
    st.sampled_from(KEYS),
    st.integers(min_value=1, max_value=10**13),
    st.text(min_size=1, max_size=50).filter(lambda s: any(c.isascii() and c.isalnum() for c in normalize("NFKD", s))),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(payment_strategy, min_size=1, max_size=25))
def test_property_lines_are_240_and_the_trailer_sums_the_payments(
    drawn: list[tuple[tuple[str, str, str], Decimal, str]],
) -> None:
    payments = [
        RemittancePayment(f"R{i}", name, tax_id, key_type, key, amount, PAY_DAY)
        for i, ((key_type, tax_id, key), amount, name) in enumerate(drawn)
    ]
    text = write(payments)
    read = read_remittance(text)  # asserts every line is 240 characters, CRLF, ASCII, in order
    total = sum((p.amount for p in payments), Decimal(0))
    assert int(read.batch_trailer["amount_sum"]) == int(total * 100)
    assert [int(a["amount"]) for a, _ in read.payments] == [int(p.amount * 100) for p in payments]
    assert int(read.batch_trailer["record_count"]) == 2 * len(payments) + 2
    assert int(read.file_trailer["record_count"]) == 2 * len(payments) + 4
    returned = parse_return(make_return(text, {p.reference: "00" for p in payments}))
    assert [(e.reference, e.amount) for e in returned] == [(p.reference, p.amount) for p in payments]


def test_payment_dataclasses_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        PAYMENTS[0].amount = Decimal(1)  # type: ignore[misc]
