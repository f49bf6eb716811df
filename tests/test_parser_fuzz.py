"""Every file Parceria reads from outside answers a correct result or its own clear error, never another exception.

Fuzzed here (the events CSV, the Stripe signature header and Stripe objects, and the program figures' row parser
have their own hypothesis tests elsewhere): the CNAB 240 return files of both layouts (`parse_return`) and their
import (`return_file_import`, which picks the layout), the Banco Central PTAX CSV (`fx_import_ptax`), the partner's
customer list for account mapping (`mapping.upload.parse`), the opportunities CSV (`read_table` then
`opportunities_import`) and the program figures CSV (`read_table` then `figures_from_csv`). Each gets arbitrary
input and mutations of a valid file: characters flipped, inserted or deleted, a line cut short, dropped or repeated,
one field of a line replaced."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from parceria.analytics.imports import FIGURE_COLUMNS, FIGURE_REQUIRED, FIGURES_MAX_ROWS, figures_from_csv
from parceria.analytics.models import ProgramFigure
from parceria.common.csvfile import read_table
from parceria.common.errors import ParceriaError
from parceria.common.fx import fx_import_ptax
from parceria.common.models import FxRate
from parceria.deals import uploads
from parceria.deals.models import Opportunity
from parceria.mapping.upload import parse as parse_customer_list
from parceria.payouts.bank_files import return_file_import
from parceria.payouts.cnab import load_layout
from parceria.payouts.cnab.returns import ReturnEntry, ReturnFileError, parse_return, write_return
from parceria.payouts.cnab.writer import BankAccount, Company, RemittancePayment, write_remittance
from tests.factories import ACTOR

FUZZ = settings(max_examples=80, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
DB_FUZZ = settings(FUZZ, max_examples=60)

# Characters a damaged file may hold: digits, letters, blanks, separators, line ends, accents, a superscript digit
# (a "digit" for str.isdigit that int() refuses), a NUL, a byte-order mark and an emoji.
_CHARS = st.sampled_from([*"0123456789AZaz ;,.-/\"\t\r\n\x00\x1aéç²³", "\ufeff", "\U0001f600"])


# --- mutations of a valid file ------------------------------------------------------------------------------------


def _mutate(draw: st.DrawFn, text: str, *, fields: Callable[[str], list[tuple[int, int]]] | None = None) -> str:
    """`text` with one to four changes: a character flipped, inserted or deleted, a line cut short, dropped or
    repeated, or (with `fields`, the 1-based (start, end) of a line's fields) one field replaced."""
    for _ in range(draw(st.integers(1, 4))):
        lines = text.split("\n")
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "drop", "repeat", "field"]))
        if kind in ("flip", "insert", "delete") and text:
            at = draw(st.integers(0, len(text) - 1))
            new = draw(_CHARS)
            text = {"flip": text[:at] + new + text[at + 1 :], "insert": text[:at] + new + text[at:],
                    "delete": text[:at] + text[at + 1 :]}[kind]
            continue
        n = draw(st.integers(0, len(lines) - 1))
        line = lines[n]
        if kind == "truncate":
            lines[n] = line[: draw(st.integers(0, max(len(line) - 1, 0)))]
        elif kind == "drop":
            del lines[n]
        elif kind == "repeat":
            lines.insert(n, line)
        elif kind == "field" and fields is not None and fields(line):
            start, end = draw(st.sampled_from(fields(line)))
            value = draw(st.text(_CHARS.filter(lambda c: c not in "\r\n"), min_size=end - start + 1,
                                 max_size=end - start + 1))
            lines[n] = line[: start - 1] + value + line[end:]
        elif kind == "field":  # a CSV line: one ;- or ,-separated cell replaced
            sep = ";" if ";" in line else ","
            cells = line.split(sep)
            cells[draw(st.integers(0, len(cells) - 1))] = draw(st.text(_CHARS, max_size=12))
            lines[n] = sep.join(cells)
        text = "\n".join(lines)
    return text


def _encoded(draw: st.DrawFn, text: str) -> bytes:
    return text.encode(draw(st.sampled_from(["utf-8", "latin-1", "utf-16"])), errors="replace")


# --- CNAB 240 return files ------------------------------------------------------------------------------------------

COMPANY = Company(name="Agência São João Comissões", tax_id="11.222.333/0001-81", bank_code="341", agency="0123",
                  account="45678", account_digit="9", city="São Paulo", state="SP")
GENERATED = datetime(2026, 2, 3, 14, 5, 9)
PAY_DAY = date(2026, 2, 10)
PIX_PAYMENTS = [
    RemittancePayment("101", "José Conceição", "529.982.247-25", "cpf", "529.982.247-25", Decimal("1500.00"), PAY_DAY),
    RemittancePayment("102", "Acme Integrações Ltda", "11.444.777/0001-61", "email", "fin@acme.com.br",
                      Decimal("0.01"), PAY_DAY),
    RemittancePayment("103", "Maria Souza", "11144477735", "phone", "(11) 91234-5678", Decimal("987654.32"), PAY_DAY),
]
TED_PAYMENTS = [
    replace(PIX_PAYMENTS[0], pix_key_type="", pix_key="", account=BankAccount("001", "1234", "98765", "x")),
    replace(PIX_PAYMENTS[1], pix_key_type="", pix_key="", account=BankAccount("237", "0456", "0012345", "7")),
    replace(PIX_PAYMENTS[2], pix_key_type="", pix_key="",
            account=BankAccount("104", "1", "123456789012", "0", "savings")),
]
ANSWERS = {"102": "AN", "103": "BD"}
LAYOUTS = {"itau_sispag_pix": PIX_PAYMENTS, "itau_sispag_ted": TED_PAYMENTS}


def _return_file(layout: str) -> str:
    remittance = write_remittance(layout=layout, company=COMPANY, payments=LAYOUTS[layout], file_sequence=3,
                                  generated_at=GENERATED)
    return write_return(remittance, ANSWERS, paid_on=PAY_DAY, layout=layout)


RETURNS = {layout: _return_file(layout) for layout in LAYOUTS}
EXPECTED = [
    ReturnEntry("101", "paid", ["00"], Decimal("1500.00"), PAY_DAY),
    ReturnEntry("102", "failed", ["AN"], Decimal("0.01"), None),
    ReturnEntry("103", "pending", ["BD"], Decimal("987654.32"), None, "not final yet: BD: Pagamento agendado"),
]


def _cnab_fields(layout: str) -> Callable[[str], list[tuple[int, int]]]:
    spec = load_layout(layout)

    def fields(line: str) -> list[tuple[int, int]]:
        record = spec.identify(line.removesuffix("\r")) if len(line.removesuffix("\r")) == spec.line_length else None
        return [(f.start, f.end) for f in record.fields] if record is not None else []

    return fields


@st.composite
def damaged_returns(draw: st.DrawFn) -> tuple[str, str | bytes]:
    layout = draw(st.sampled_from(sorted(LAYOUTS)))
    text = _mutate(draw, RETURNS[layout], fields=_cnab_fields(layout))
    return layout, _encoded(draw, text) if draw(st.booleans()) else text


def _check_entries(entries: list[ReturnEntry]) -> None:
    for entry in entries:
        assert entry.reference and entry.reference == entry.reference.strip()
        assert entry.status in ("paid", "failed", "pending", "review") and entry.codes
        assert entry.amount.is_finite() and entry.amount >= 0 and entry.amount == entry.amount.quantize(Decimal("0.01"))
        assert entry.date is None or isinstance(entry.date, date)


def _check_return(text: str | bytes, layout: str) -> list[ReturnEntry] | None:
    lines = len((text.decode("latin-1") if isinstance(text, bytes) else text).split("\n"))
    try:
        entries = parse_return(text, layout=layout)
    except ReturnFileError as exc:
        assert exc.message.startswith(f"line {exc.line}: ") and len(exc.message) > len(f"line {exc.line}: ")
        assert 1 <= exc.line <= lines and exc.details == {"line": exc.line}
        return None
    _check_entries(entries)
    return entries


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_the_valid_return_files_read_back_exactly(layout: str) -> None:
    assert parse_return(RETURNS[layout], layout=layout) == EXPECTED
    assert parse_return(RETURNS[layout].encode("latin-1"), layout=layout) == EXPECTED


@FUZZ
@given(st.sampled_from(sorted(LAYOUTS)), st.binary(max_size=600) | st.text(_CHARS, max_size=600))
def test_any_input_is_a_return_file_error_or_entries(layout: str, data: str | bytes) -> None:
    _check_return(data, layout)


@FUZZ
@given(damaged_returns())
def test_a_damaged_return_file_is_a_return_file_error_or_entries(damaged: tuple[str, str | bytes]) -> None:
    layout, text = damaged
    entries = _check_return(text, layout)
    if text in (RETURNS[layout], RETURNS[layout].encode("latin-1")):
        assert entries == EXPECTED


def _with_reference(layout: str, reference: str) -> str:
    """The valid return file with the first payment's reference replaced (same width)."""
    spec = load_layout(layout)
    lines = RETURNS[layout].split("\r\n")
    field = spec.record(spec.detail_records[0]).field("reference")
    lines[2] = lines[2][: field.start - 1] + reference.ljust(field.width) + lines[2][field.end :]
    return "\r\n".join(lines)


@pytest.mark.django_db
@DB_FUZZ
@given(damaged_returns() | st.tuples(st.sampled_from(sorted(LAYOUTS)), st.binary(max_size=600)))
@example(("itau_sispag_pix", _with_reference("itau_sispag_pix", "²")))  # a digit for isdigit() that int() refuses
@example(("itau_sispag_ted", _with_reference("itau_sispag_ted", "9" * 20)))  # beyond any payout id
def test_importing_any_return_file_is_a_clear_error_or_a_report(damaged: tuple[str, str | bytes]) -> None:
    _layout, text = damaged
    try:
        report = return_file_import(text=text, filename="retorno.ret", actor=ACTOR)
    except ParceriaError as exc:
        assert exc.code == "invalid_return_file" and exc.message.startswith("retorno.ret: line ")
        return
    # No payout exists: every payment the file names is a problem, none applied.
    assert report.paid == report.failed == report.unchanged == []
    assert all(problem["error"] for problem in report.problems)


# --- Banco Central PTAX CSV ----------------------------------------------------------------------------------------

PTAX = """\
02012026;220;A;USD;5,4321;5,4327;1,0000;1,0000
02012026;978;B;EUR;6,3512;6,3540;1,1692;1,1696
02012026;706;A;ARS;0,003761;0,003762;1443,9000;1444,4000
02012026;061;A;AUD;3,6100;3,6120;0,6650;0,6660
05012026;220;A;USD;5,4402;5,4408;1,0000;1,0000
"""


def _check_ptax(text: str) -> dict[tuple[str, str, date], Decimal] | None:
    """Import `text` in a savepoint rolled back afterwards; the rates stored, or None for a refused file."""
    lines = text.removeprefix("\ufeff").splitlines()
    with transaction.atomic():
        try:
            report = fx_import_ptax(text=text)
        except ParceriaError as exc:
            assert exc.message and not FxRate.objects.exists()
            assert exc.code == "empty_file" and not any(line.strip() for line in lines)
            return None
        stored = {(r.base, r.quote, r.on_date): r.rate for r in FxRate.objects.all()}
        transaction.set_rollback(True)
    assert report.lines == report.imported + report.duplicates + report.skipped + len(report.rejected)
    assert report.rates_stored == len(stored) == 2 * report.imported
    for problem in report.rejected:  # a bad line is reported by its number and kept out; the good ones are stored
        assert problem.error and problem.code in ("invalid", "conflict")
        assert problem.text == lines[problem.line - 1].strip()[:200]
    for (base, quote, day), rate in stored.items():  # a line is all or nothing: each rate with its inverse
        assert rate > 0 and (quote, base, day) in stored
    return stored


PTAX_RATES = {  # EUR and AUD are not currencies Parceria pays in: skipped. Inverses: 1 / rate, half-even, 10 places.
    ("USD", "BRL", date(2026, 1, 2)): Decimal("5.4327"),
    ("BRL", "USD", date(2026, 1, 2)): Decimal("0.1840705358"),
    ("ARS", "BRL", date(2026, 1, 2)): Decimal("0.003762"),
    ("BRL", "ARS", date(2026, 1, 2)): Decimal("265.8160552897"),
    ("USD", "BRL", date(2026, 1, 5)): Decimal("5.4408"),
    ("BRL", "USD", date(2026, 1, 5)): Decimal("0.1837965005"),
}


@pytest.mark.django_db
def test_the_valid_ptax_file_stores_its_rates_exactly() -> None:
    assert _check_ptax(PTAX) == PTAX_RATES


@pytest.mark.django_db
@DB_FUZZ
@given(st.text(max_size=300) | st.text(_CHARS, max_size=300))
def test_any_ptax_text_is_refused_as_empty_or_reported_line_by_line(text: str) -> None:
    _check_ptax(text)


@st.composite
def damaged_ptax(draw: st.DrawFn) -> str:
    return _mutate(draw, PTAX)


@pytest.mark.django_db
@DB_FUZZ
@given(damaged_ptax())
def test_a_damaged_ptax_file_keeps_its_good_lines_and_reports_the_bad(text: str) -> None:
    stored = _check_ptax(text)
    assert stored is not None
    if text == PTAX:
        assert stored == PTAX_RATES


# --- account mapping: a partner's customer list -----------------------------------------------------------------------

CUSTOMERS = "tax_id,domain,segment,country\n11.222.333/0001-81,acme.com.br,customer,BR\n,beta.mx,prospect,MX\n"


@pytest.mark.django_db
def test_the_valid_customer_list_maps_its_two_accounts() -> None:
    parsed = parse_customer_list(CUSTOMERS.encode(), default_country="BR")
    assert (parsed.rows, len(parsed.accounts), parsed.issues) == (2, 2, [])
    assert [(a.line, a.segment, bool(a.tax), bool(a.domain)) for a in parsed.accounts] == [
        (2, "customer", True, True), (3, "prospect", False, True)]


@st.composite
def damaged_customer_lists(draw: st.DrawFn) -> bytes:
    return _encoded(draw, _mutate(draw, CUSTOMERS))


@pytest.mark.django_db
@FUZZ
@given(st.binary(max_size=400) | damaged_customer_lists())
def test_any_customer_list_is_a_clear_error_or_accounts_and_issues(data: bytes) -> None:
    try:
        parsed = parse_customer_list(data, default_country="BR")
    except ParceriaError as exc:
        assert exc.message and exc.code in ("invalid_csv", "invalid_header", "no_accounts", "too_many_rows")
        return
    assert parsed.accounts and parsed.rows >= len(parsed.accounts)
    assert all(a.tax or a.domain for a in parsed.accounts)
    assert all(issue["line"] >= 2 and issue["code"] for issue in parsed.issues)  # type: ignore[operator]


# --- opportunities and program figures: CSV tables imported all or nothing --------------------------------------------

OPPORTUNITIES = ("external_id,company_name,country,tax_id,domain,stage,owner,amount,currency,expected_close_on\n"
                 "crm-1,Padaria São João Ltda,BR,11.444.777/0001-61,padariasj.com.br,open,Ana Souza,48000.00,BRL,"
                 "2027-03-31\n"
                 "crm-2,Acme Comercio SA de CV,MX,,acme.mx,,Luis,,,\n")
FIGURES = ("key,month,partner_id,value,currency,source\n"
           "partner_program_cost,2026-03,,42000.00,BRL,finance report March\n"
           "direct_cac,2026-03,,1234,5,BRL,\n".replace("1234,5", '"1234,5"'))


def _import_table(data: bytes, kind: str) -> Any:
    """Read `data` as the `kind` table and import it in a savepoint rolled back afterwards: the result, or None
    when the file is refused (then nothing is stored)."""
    columns, required, max_rows, model = {
        "opportunities": (uploads.OPPORTUNITY_COLUMNS, uploads.OPPORTUNITY_REQUIRED, uploads.OPPORTUNITY_MAX_ROWS,
                          Opportunity),
        "figures": (FIGURE_COLUMNS, FIGURE_REQUIRED, FIGURES_MAX_ROWS, ProgramFigure),
    }[kind]
    with transaction.atomic():
        try:
            rows = read_table(data, columns=columns, required=required, max_rows=max_rows)
            if kind == "opportunities":
                result: Any = uploads.opportunities_import(rows=rows, actor=ACTOR)
            else:
                result = figures_from_csv(rows, actor=ACTOR, source="figures.csv")
        except ParceriaError as exc:
            assert exc.message and not model._default_manager.exists()  # all or nothing
            return None
        transaction.set_rollback(True)
    return result


@pytest.mark.django_db
def test_the_valid_tables_import_every_row() -> None:
    result = _import_table(OPPORTUNITIES.encode(), "opportunities")
    assert result.as_dict() == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0}
    assert [o.external_id for o in result.created] == ["crm-1", "crm-2"]
    figures = _import_table(FIGURES.encode(), "figures")
    assert (figures.created, figures.updated, figures.unchanged) == (2, 0, 0)


@st.composite
def damaged_tables(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["opportunities", "figures"]))
    if draw(st.integers(0, 4)) == 0:
        return kind, draw(st.binary(max_size=300))
    return kind, _encoded(draw, _mutate(draw, OPPORTUNITIES if kind == "opportunities" else FIGURES))


@pytest.mark.django_db
@DB_FUZZ
@given(damaged_tables())
def test_a_damaged_table_is_refused_whole_or_imported(table: tuple[str, bytes]) -> None:
    kind, data = table
    result = _import_table(data, kind)
    if result is not None and kind == "opportunities":
        assert result.as_dict()["rows"] >= 1 and not result.updated and not result.unchanged
    elif result is not None:
        assert result.created >= 1 and result.updated == result.unchanged == 0
