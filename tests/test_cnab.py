"""CNAB 240 remittance of PIX transfers (Itaú SISPAG) and the bank's return file.

The written file is read back by a reader written here, from the FEBRABAN CNAB 240 and Itaú SISPAG
positions typed in by hand below: it shares no code and no data with the writer's layout JSON.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from importlib import resources
from unicodedata import normalize

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parceria.payouts.cnab import LayoutError, layout_from_dict, load_layout
from parceria.payouts.cnab.returns import ReturnEntry, ReturnFileError, describe_codes, parse_return
from parceria.payouts.cnab.writer import Company, RemittanceError, RemittancePayment, write_remittance

# --- An independent reader: positions are 1-based and inclusive, as the FEBRABAN manuals print them. ------------

COMMON = {"bank": (1, 3), "batch": (4, 7), "record_type": (8, 8)}
FILE_HEADER = {
    **COMMON,
    "company_kind": (18, 18),
    "company_tax_id": (19, 32),
    "agency": (53, 57),
    "account": (59, 70),
    "account_digit": (72, 72),
    "company_name": (73, 102),
    "bank_name": (103, 132),
    "file_code": (143, 143),
    "generated_date": (144, 151),
    "generated_time": (152, 157),
    "file_sequence": (158, 163),
}
BATCH_HEADER = {
    **COMMON,
    "operation": (9, 9),
    "service_type": (10, 11),
    "payment_method": (12, 13),
    "company_kind": (18, 18),
    "company_tax_id": (19, 32),
    "agency": (53, 57),
    "account": (59, 70),
    "company_name": (73, 102),
}
DETAIL = {**COMMON, "sequence": (9, 13), "segment": (14, 14)}
SEGMENT_A = {
    **DETAIL,
    "movement": (15, 17),
    "payee_bank": (21, 23),
    "payee_account": (24, 43),
    "payee_name": (44, 73),
    "reference": (74, 93),
    "payment_date": (94, 101),
    "currency": (102, 104),
    "amount": (120, 134),
    "effective_date": (155, 162),
    "effective_amount": (163, 177),
    "payee_tax_id": (204, 217),
    "occurrences": (231, 240),
}
SEGMENT_B = {**DETAIL, "key_type": (15, 16), "payee_kind": (18, 18), "payee_tax_id": (19, 32), "pix_key": (128, 227)}
BATCH_TRAILER = {**COMMON, "record_count": (18, 23), "amount_sum": (24, 41), "currency_quantity": (42, 59)}
FILE_TRAILER = {**COMMON, "batch_count": (18, 23), "record_count": (24, 29)}


def cut(line: str, positions: dict[str, tuple[int, int]]) -> dict[str, str]:
    return {name: line[start - 1 : end] for name, (start, end) in positions.items()}


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
    """Parse a remittance the way a bank would, asserting the structure on the way."""
    text.encode("ascii")
    assert text.endswith("\r\n")
    lines = text[:-2].split("\r\n")
    assert all(len(line) == 240 and "\n" not in line and "\r" not in line for line in lines)
    kinds = "".join(line[7] for line in lines)
    assert kinds == "01" + "3" * (len(lines) - 4) + "59"
    details = lines[2:-2]
    assert len(details) % 2 == 0
    segments = [cut(line, DETAIL) for line in details]
    assert [s["segment"] for s in segments] == ["A", "B"] * (len(details) // 2)
    assert [int(s["sequence"]) for s in segments] == list(range(1, len(details) + 1))
    assert [line[3:7] for line in lines] == ["0000"] + ["0001"] * (len(lines) - 2) + ["9999"]
    pairs = [(cut(a, SEGMENT_A), cut(b, SEGMENT_B)) for a, b in zip(details[::2], details[1::2], strict=True)]
    return ReadFile(
        header=cut(lines[0], FILE_HEADER),
        batch_header=cut(lines[1], BATCH_HEADER),
        payments=pairs,
        batch_trailer=cut(lines[-2], BATCH_TRAILER),
        file_trailer=cut(lines[-1], FILE_TRAILER),
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
    RemittancePayment("P-5", "Gama", "12.ABC.345/01DE-35", "cnpj", "12abc34501de35", Decimal("22.5"), PAY_DAY),
]


def write(payments: list[RemittancePayment] = PAYMENTS, company: Company = COMPANY, sequence: int = 42) -> str:
    return write_remittance(company=company, payments=payments, file_sequence=sequence, generated_at=GENERATED)


def cents(amount: Decimal, width: int) -> str:
    return f"{int(amount * 100):0{width}d}"


# --- The remittance ------------------------------------------------------------------------------------------------


def test_file_header_fields() -> None:
    header = read_remittance(write()).header
    assert header == {
        "bank": "341",
        "batch": "0000",
        "record_type": "0",
        "company_kind": "2",
        "company_tax_id": "11222333000181",
        "agency": "00123",
        "account": "000000045678",
        "account_digit": "9",
        "company_name": "AGENCIA SAO JOAO COMISSOES    ",
        "bank_name": "BANCO ITAU SA".ljust(30),
        "file_code": "1",
        "generated_date": "03022026",
        "generated_time": "140509",
        "file_sequence": "000042",
    }


def test_batch_header_is_a_pix_credit_batch() -> None:
    batch = read_remittance(write()).batch_header
    assert batch == {
        "bank": "341",
        "batch": "0001",
        "record_type": "1",
        "operation": "C",
        "service_type": "20",
        "payment_method": "45",
        "company_kind": "2",
        "company_tax_id": "11222333000181",
        "agency": "00123",
        "account": "000000045678",
        "company_name": "AGENCIA SAO JOAO COMISSOES    ",
    }


def test_each_payment_reads_back_field_by_field() -> None:
    read = read_remittance(write())
    expected = [
        ("P-1", "JOSE CONCEICAO", "00052998224725", "1", "03", "52998224725", "000000000150000"),
        ("P-2", "ACME INTEGRACOES LTDA", "12ABC34501DE35", "2", "02", "fin@acme.com.br", "000000000000001"),
        ("P-3", "MARIA SOUZA", "00011144477735", "1", "01", "+5511912345678", "000000098765432"),
        (
            "P-4",
            "BETA SERVICOS",
            "11222333000181",
            "2",
            "04",
            "123e4567-e89b-12d3-a456-426614174000",
            "000000000001000",
        ),
        ("P-5", "GAMA", "12ABC34501DE35", "2", "03", "12ABC34501DE35", "000000000002250"),
    ]
    assert len(read.payments) == len(expected)
    for (a, b), (reference, name, tax_id, kind, key_type, key, amount) in zip(read.payments, expected, strict=True):
        assert a["reference"] == reference.ljust(20)
        assert a["payee_name"] == name.ljust(30)
        assert a["amount"] == amount
        assert a["payment_date"] == "10022026"
        assert a["currency"] == "REA"
        assert a["movement"] == "000"
        assert a["payee_bank"] == "000" and a["payee_account"] == "0" * 20  # paying to a key: no account
        assert a["payee_tax_id"] == tax_id
        assert a["effective_date"] == "0" * 8 and a["effective_amount"] == "0" * 15
        assert a["occurrences"] == " " * 10
        assert (b["key_type"], b["payee_kind"], b["payee_tax_id"]) == (key_type, kind, tax_id)
        assert b["pix_key"] == key.ljust(100)


def test_trailers_count_records_and_sum_amounts() -> None:
    read = read_remittance(write())
    total = sum((p.amount for p in PAYMENTS), Decimal(0))
    assert read.batch_trailer == {
        "bank": "341",
        "batch": "0001",
        "record_type": "5",
        "record_count": f"{2 * len(PAYMENTS) + 2:06d}",
        "amount_sum": cents(total, 18),
        "currency_quantity": "0" * 18,
    }
    assert sum(int(a["amount"]) for a, _ in read.payments) == int(read.batch_trailer["amount_sum"])
    assert read.file_trailer == {
        "bank": "341",
        "batch": "9999",
        "record_type": "9",
        "batch_count": "000001",
        "record_count": f"{len(read.lines):06d}",
    }


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
    with pytest.raises(RemittanceError, match="does not fit in 6 positions"):
        write(sequence=1_000_000)


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
    codes = {"P-1": "00", "P-2": "BD", "P-3": "PJ", "P-4": "AMAN", "P-5": "00"}
    entries = parse_return(make_return(remittance, codes))
    assert entries == [
        ReturnEntry("P-1", "paid", ["00"], Decimal("1500.00"), date(2026, 2, 10)),
        ReturnEntry("P-2", "paid", ["BD"], Decimal("0.01"), None),
        ReturnEntry("P-3", "failed", ["PJ"], Decimal("987654.32"), None),
        ReturnEntry("P-4", "failed", ["AM", "AN"], Decimal("10.00"), None),
        ReturnEntry("P-5", "paid", ["00"], Decimal("22.50"), date(2026, 2, 10)),
    ]


def test_return_as_latin1_bytes_with_lf_line_ends() -> None:
    text = make_return(write(PAYMENTS[:1]), {"P-1": "00"}).replace("\r\n", "\n")
    assert parse_return(text.encode("latin-1")) == [ReturnEntry("P-1", "paid", ["00"], Decimal("1500.00"), PAY_DAY)]


def test_occurrence_codes_are_described_from_the_layout() -> None:
    assert describe_codes(["00", "PJ", "ZZ"]) == [
        "00: Pagamento efetuado",
        "PJ: Chave PIX não cadastrada no DICT [verify]",
        "ZZ: code not in the layout table",
    ]


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
    return make_return(write(PAYMENTS[:2]), {"P-1": "00", "P-2": "PJ"})[:-2].split("\r\n")


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
    batch_fields = data["records"]["batch_header"]["fields"]  # type: ignore[index]
    next(f for f in batch_fields if f["name"] == "payment_method")["value"] = "41"
    other = layout_from_dict("other_bank", data)
    text = write_remittance(
        layout=other,
        company=replace(COMPANY, bank_code="237"),
        payments=PAYMENTS[:1],
        file_sequence=1,
        generated_at=GENERATED,
    )
    read = read_remittance(text)
    assert {line[:3] for line in read.lines} == {"237"}
    assert read.batch_header["payment_method"] == "41"
    returned = make_return(text, {"P-1": "00"})
    assert parse_return(returned, layout=other)[0].status == "paid"
    with pytest.raises(ReturnFileError, match="bank code '237', expected 341"):
        parse_return(returned)


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
