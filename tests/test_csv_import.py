"""CSV import of events, uploaded through the console (/console/intake/import/) as staff would.

A CSV row becomes the same event payload as a JSON event and passes the same validation (the NUL and length rules
included). Bad lines are reported with their line, column and message while the good lines are ingested, as the
API does for the events of a batch; a file that cannot be split into rows (its encoding, its header, a quote that
never closes) is refused whole and stores nothing.
"""

from __future__ import annotations

import codecs
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parceria.commissions.intake import Rejection
from parceria.commissions.intake_csv import UPLOAD_MAX_BYTES, CsvFileError, CsvRow, EventsCsv
from parceria.commissions.models import LedgerLine
from parceria.customers.event_schemas import EventInvalid, parse_event
from parceria.customers.models import CsatScore, Event, EventBatch, EventSource, Invoice
from tests.factories import make_customer, make_partner

pytestmark = pytest.mark.django_db

URL = "/console/intake/import/"
HEADER = "id,type,occurred_at,customer,invoice_id,amount,currency,period_start,period_end,score"
AT = "2026-03-31T12:00:00-03:00"


def paid_row(event_id: str, amount: str, customer: str = "cus_csv", invoice: str | None = None) -> str:
    return f"{event_id},invoice.paid,{AT},{customer},{invoice or 'inv_' + event_id},{amount},BRL,2026-03-01,2026-03-31,"


def csat_row(event_id: str, score: str = "5", customer: str = "cus_csv") -> str:
    return f"{event_id},customer.csat,{AT},{customer},,,,,,{score}"


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\n".join([header, *rows, ""]).encode(encoding)


def upload(client: Client, data: bytes, name: str = "events.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def stored() -> dict[str, Any]:
    """Everything an import may store."""
    return {
        "events": sorted(Event.objects.values_list("event_id", flat=True)),
        "batches": EventBatch.objects.count(),
        "invoices": Invoice.objects.count(),
        "csat": CsatScore.objects.count(),
        "ledger": sorted(LedgerLine.objects.values_list("event_id", "amount")),
    }


@pytest.fixture
def customer(db):
    """A customer of an active partner without a tier: the entry rate, 20 %, accrues on its invoices."""
    return make_customer(make_partner(status="active"), external_id="cus_csv")


# --- accepted files ---------------------------------------------------------------------------------------------------


def test_a_good_file_is_imported_with_its_exact_accruals(finance, customer):
    data = csv_bytes(paid_row("e1", "400.00"), csat_row("e2"), paid_row("e3", "0.05"))

    response = upload(finance, data)

    assert response.status_code == 200, response.content
    assert stored()["events"] == ["e1", "e2", "e3"]
    assert stored()["ledger"] == [("e1", Decimal("80.0000")), ("e3", Decimal("0.0100"))]
    batch = EventBatch.objects.get()
    assert (batch.source, batch.received, batch.accepted, batch.duplicates, batch.rejected) == (
        EventSource.CSV, 3, 3, 0, [])
    assert batch.submitted_by == "user:fin (events.csv)"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
     ("utf-16-be", codecs.BOM_UTF16_BE)],
    ids=["utf-8", "utf-8 with BOM", "utf-16-le with BOM", "utf-16-be with BOM"],
)
def test_utf8_and_utf16_with_its_byte_order_mark_are_read(finance, db, encoding, prefix):
    make_customer(make_partner(status="active"), external_id="cus_açaí")
    data = prefix + csv_bytes(paid_row("e1", "123.45", customer="cus_açaí"), encoding=encoding)

    response = upload(finance, data)

    assert response.status_code == 200, response.content
    assert stored()["ledger"] == [("e1", Decimal("24.6900"))]


def test_a_semicolon_separated_file_from_a_spreadsheet_is_read(finance, customer):
    data = csv_bytes(paid_row("e1", "10.00").replace(",", ";"), header=HEADER.replace(",", ";"))

    assert upload(finance, data).status_code == 200
    assert stored()["ledger"] == [("e1", Decimal("2.0000"))]


def test_importing_the_same_file_again_changes_nothing(finance, customer):
    data = csv_bytes(paid_row("e1", "400.00"), csat_row("e2"))
    assert upload(finance, data).status_code == 200
    before = stored()

    response = upload(finance, data)

    assert response.status_code == 200
    assert EventBatch.objects.order_by("-id").values_list("accepted", "duplicates").first() == (0, 2)
    assert {k: v for k, v in stored().items() if k != "batches"} == {k: v for k, v in before.items() if k != "batches"}


# --- bad lines: reported one by one, the good lines kept -------------------------------------------------------------


def test_each_bad_line_is_reported_with_its_line_and_column_and_the_good_lines_are_kept(finance, customer):
    rows = [
        paid_row("e1", "400.00"),                                # line 2: good
        csat_row("e_nul", customer="cus\x00csv"),                # line 3: a NUL, refused by the API too
        paid_row("e_big", "9" * 131_073),                        # line 4: a cell over the reader's default limit
        csat_row("e_wide") + ",extra,cells",                     # line 5: cells beyond the header
        'e_quote,"customer.csat"x,' + AT + ",cus_csv,,,,,,5",    # line 6: text after a closing quote
        csat_row("e_who", customer="cus_nobody"),                # line 7: unknown customer
        paid_row("e_neg", "-1.00"),                              # line 8: a bad amount
        csat_row("e8", score="4"),                               # line 9: good
    ]

    response = upload(finance, csv_bytes(*rows))

    assert response.status_code == 200, response.content
    assert stored()["events"] == ["e1", "e8"]
    assert stored()["ledger"] == [("e1", Decimal("80.0000"))]
    assert CsatScore.objects.get().score == 4
    batch = EventBatch.objects.get()
    assert (batch.received, batch.accepted, batch.duplicates) == (8, 2, 0)
    assert [(r["index"], r["id"], r["field"], r["code"]) for r in batch.rejected] == [
        (3, "e_nul", "customer", "invalid_event"),
        (4, "e_big", "amount", "invalid_event"),
        (5, "e_wide", "11", "too_many_cells"),
        (6, None, None, "malformed_line"),
        (7, "e_who", "customer", "unknown_customer"),
        (8, "e_neg", "amount", "invalid_event"),
    ]
    errors = {r["index"]: r["error"] for r in batch.rejected}
    assert errors[3] == "customer: text may not contain NUL (\\x00) characters"
    assert errors[4] == "amount: text of at most 200 characters is allowed; this one has 131,073"
    assert errors[5].startswith("the line has 12 cells but the header has 10 columns")
    assert errors[6].startswith("a quoted cell must be followed by a comma or the end of the line")
    page = response.content.decode()
    for error in errors.values():
        assert error.replace('"', "&quot;").replace("'", "&#x27;") in page


def test_a_huge_id_is_reported_without_its_text(finance, customer):
    response = upload(finance, csv_bytes(csat_row("x" * 200_000), csat_row("e3")))

    assert response.status_code == 200
    assert stored()["events"] == ["e3"]
    [rejection] = EventBatch.objects.get().rejected
    assert (rejection["index"], rejection["id"], rejection["field"]) == (2, None, "id")
    assert rejection["error"] == "id: text of at most 200 characters is allowed; this one has 200,000"


def test_a_file_of_only_bad_lines_is_422_and_stores_only_the_record_of_its_rejections(finance, customer):
    before = stored()

    response = upload(finance, csv_bytes(csat_row("e1", score="9"), csat_row("e2") + ",x"))

    assert response.status_code == 422
    after = stored()
    assert {k: v for k, v in after.items() if k != "batches"} == {k: v for k, v in before.items() if k != "batches"}
    batch = EventBatch.objects.get()
    assert (batch.received, batch.accepted) == (2, 0)
    assert [(r["index"], r["code"]) for r in batch.rejected] == [(2, "invalid_event"), (3, "too_many_cells")]


def test_a_file_of_more_than_one_batch_reports_the_lines_of_the_file(finance, customer):
    rows = [csat_row(f"e{n}", score=str(1 + n % 5)) for n in range(2, 1_006)]
    rows[1_001 - 2] = csat_row("e_bad", score="0")  # line 1,001: the last row of the first batch of 1,000
    rows[1_003 - 2] = csat_row("e_bad2", score="6")  # line 1,003: in the second batch

    response = upload(finance, csv_bytes(*rows))

    assert response.status_code == 200
    batches = list(EventBatch.objects.order_by("id").values_list("received", "accepted", "rejected"))
    assert [(received, accepted) for received, accepted, _ in batches] == [(1_000, 999), (4, 3)]
    assert [[(r["index"], r["id"]) for r in rejected] for _, _, rejected in batches] == [
        [(1_001, "e_bad")], [(1_003, "e_bad2")]]
    assert CsatScore.objects.count() == 1_002


# --- refused files: nothing stored -----------------------------------------------------------------------------------


REFUSED: list[tuple[str, bytes, str]] = [
    ("latin-1", csv_bytes(csat_row("e1"), csat_row("e2", customer="cus_são"), encoding="latin-1"),
     "line 3: the file is not UTF-8 text: byte 0xE3 cannot be read as UTF-8 (a Latin-1 or Windows-1252 file"),
    ("windows-1252", csv_bytes(csat_row("e1"), csat_row("e2"), paid_row("e3", "1.00", customer="cus_“x”"),
                               encoding="cp1252"),
     "line 4: the file is not UTF-8 text: byte 0x93"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "line 1: the file is not UTF-8 text: byte 0x89"),
    ("utf-16 without its byte-order mark", csv_bytes(csat_row("e1"), encoding="utf-16-le"),
     "line 1: the header holds NUL characters"),
    ("utf-16 cut in the middle of a character", codecs.BOM_UTF16_LE + csv_bytes(csat_row("e1"), encoding="utf-16-le")
     + b"x", "line 3: the file is not UTF-16 text"),
    ("utf-32", codecs.BOM_UTF32_LE + csv_bytes(csat_row("e1"), encoding="utf-32-le"), "line 1: the file is UTF-32"),
    ("a quote never closed", csv_bytes(csat_row("e1"), 'e2,"customer.csat,' + AT + ",cus_csv,,,,,,5", csat_row("e3"),
                                       csat_row("e4")),
     "line 3: a quote opened on this line is never closed"),
    ("a quote never closed after a quoted cell over two lines",
     csv_bytes(csat_row("e1"), 'e2,customer.csat,"2026-03-31\nT12:00",cus_csv,,,,,,"5', csat_row("e3")),
     "line 4: a quote opened on this line is never closed"),
    ("an empty file", b"", "The submitted file is empty"),
    ("blank lines", b"\r\n\r\n", "line 1: the first line must be the header"),
    ("no header", csv_bytes(csat_row("e2"), header=csat_row("e1")), "line 1: the CSV header lacks the column(s): id"),
    ("a column missing", csv_bytes("e1,customer.csat,cus_csv", header="id,type,customer"),
     "line 1: the CSV header lacks the column(s): occurred_at"),
    ("an unknown column", csv_bytes(csat_row("e1") + ",x", header=HEADER + ",notes"),
     "line 1: the header names unknown column(s): 'notes'"),
    ("a column twice", csv_bytes(csat_row("e1") + ",4", header=HEADER + ",score"),
     "line 1: the header names a column more than once: score"),
]


@pytest.mark.parametrize(("data", "words"), [case[1:] for case in REFUSED], ids=[case[0] for case in REFUSED])
def test_a_file_that_cannot_be_read_is_refused_whole_and_stores_nothing(finance, customer, data, words):
    before = stored()

    response = upload(finance, data)

    assert response.status_code == 422, response.content
    assert words.replace("'", "&#x27;") in response.content.decode()
    assert stored() == before


def test_a_file_over_the_upload_limit_is_refused(finance, customer):
    data = csv_bytes(csat_row("e1")) + b"\n" * (UPLOAD_MAX_BYTES + 1)
    before = stored()

    response = upload(finance, data)

    assert response.status_code == 422
    assert "at most 10 MB" in response.content.decode()
    assert stored() == before


@pytest.mark.parametrize("client", ["analyst", "manager"])
def test_only_finance_imports_events(request, customer, client):
    before = stored()

    response = upload(request.getfixturevalue(client), csv_bytes(paid_row("e1", "400.00")))

    assert response.status_code == 403
    assert stored() == before


def test_the_intake_page_offers_the_import_to_finance(finance, analyst):
    assert URL in finance.get(reverse("commissions_console:intake")).content.decode()
    assert URL not in analyst.get(reverse("commissions_console:intake")).content.decode()
    assert finance.get(URL).status_code == 200
    assert "Importar eventos de um arquivo CSV" in finance.get(URL, HTTP_ACCEPT_LANGUAGE="pt-BR").content.decode()
    assert "Importar eventos desde un archivo CSV" in finance.get(URL, HTTP_ACCEPT_LANGUAGE="es").content.decode()


# --- the parser never fails on any input -----------------------------------------------------------------------------


def _parse(data: bytes) -> list[CsvRow | Rejection]:
    events_csv = EventsCsv(data)
    rows = events_csv.check()
    items = list(events_csv.rows())
    assert len(items) == rows
    return items


def _assert_rows_or_line_errors(data: bytes) -> None:
    try:
        items = _parse(data)
    except CsvFileError as exc:
        assert exc.line >= 1 and exc.message.startswith(f"line {exc.line}: ")
        return
    lines = [item.line if isinstance(item, CsvRow) else item.index for item in items]
    assert lines == sorted(set(lines)) and all(line >= 2 for line in lines)
    for item in items:
        if isinstance(item, Rejection):
            assert item.error and item.code in ("malformed_line", "too_many_cells")
            continue
        assert all(isinstance(v, str | int) for v in item.event.values())
        try:
            parse_event(item.event)
        except EventInvalid as exc:
            assert str(exc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_any_bytes_give_rows_or_line_errors(data):
    _assert_rows_or_line_errors(data)


_CSV_TEXT = st.text(alphabet=st.sampled_from([*'ab9-.:,;"\t\r\n \x00çã€\U0001f600³T', "\ufeff"]), max_size=300)


@settings(max_examples=500, deadline=None)
@given(_CSV_TEXT, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
def test_any_text_after_a_good_header_gives_rows_or_line_errors(text, encoding):
    try:
        data = (HEADER + "\n" + text).encode(encoding)
    except UnicodeEncodeError:
        data = (HEADER + "\n" + text).encode("utf-8")
    _assert_rows_or_line_errors(data)
