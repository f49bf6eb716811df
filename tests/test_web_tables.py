"""Shared table helper: sorting by allowed columns only, paging, and the table exports (CSV and XLSX in the reader's
language, with the formula guard), each opened back as a spreadsheet would."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal as D

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext as _
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from parceria.partners.models import Partner
from parceria.web.tables import build_table, export_response
from tests.factories import SP, make_partner

HEADER = ["Line", "Date", "Amount", "Customer", "Late"]
ROWS = [
    [7, datetime(2026, 3, 5, 13, 30, tzinfo=SP), D("1234.5600"), "Padaria São João", False],
    [8, date(2026, 3, 31), D("-305.3225"), "=HYPERLINK(\"http://x\",\"y\")", True],
    [9, None, D("0.0000"), "+55 11 9999-0000", None],
]


def _export(language: str, fmt: str, header=HEADER, rows=ROWS):
    request = RequestFactory().get("/", {"export": fmt})
    with translation.override(language):
        return export_response(request, "lines", [_(h) for h in header], rows)


def _csv_back(response, delimiter: str) -> list[list[str]]:
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads the accents right
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))


def _xlsx_back(response):
    return load_workbook(io.BytesIO(response.content)).active


@pytest.mark.django_db
def test_sorting_is_limited_to_the_declared_columns_and_pages_hold_25_rows():
    for n in range(30):
        make_partner(name=f"P{n:02d}")
    factory = RequestFactory()
    table = build_table(factory.get("/?sort=-name&page=2"), Partner.objects.all(), sortable={"name": "name"},
                        default_sort="name")
    assert [p.name for p in table.page.object_list] == ["P04", "P03", "P02", "P01", "P00"]
    assert table.sort_link("name") == "?sort=name"
    assert table.page_link(1) == "?sort=-name&page=1"
    assert table.export_link() == "?sort=-name&export=csv"
    assert table.export_link("xlsx") == "?sort=-name&export=xlsx"
    sneaky = build_table(factory.get("/?sort=tax_id"), Partner.objects.all(), sortable={"name": "name"},
                         default_sort="name")
    assert sneaky.sort == "name"


def test_csv_export_guards_against_spreadsheet_formulas():
    response = _export("en", "csv", ["a", "b"], [["=HYPERLINK(1)", "-12.50"], ["@SUM", "ok"]])
    assert response["Content-Disposition"] == 'attachment; filename="lines.csv"'
    assert response.content.decode() == "\ufeffa,b\r\n'=HYPERLINK(1),-12.50\r\n'@SUM,ok\r\n"


def test_csv_in_portuguese_has_semicolons_decimal_commas_day_first_dates_and_translated_headers():
    response = _export("pt-br", "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv_back(response, ";")
    assert rows == [
        ["Linha", "Data", "Valor", "Cliente", "Atrasado"],
        ["7", "05/03/2026 13:30", "1234,56", "Padaria São João", "Não"],
        ["8", "31/03/2026", "-305,3225", "'=HYPERLINK(\"http://x\",\"y\")", "Sim"],
        ["9", "", "0,00", "'+55 11 9999-0000", ""],
    ]
    # read back as a Brazilian accountant's spreadsheet does: the amounts are numbers, exact to the cent
    assert [D(r[2].replace(",", ".")) for r in rows[1:]] == [D("1234.56"), D("-305.3225"), D("0")]


def test_csv_in_spanish_is_like_portuguese_and_in_english_keeps_commas_and_points():
    assert _csv_back(_export("es", "csv"), ";")[:2] == [
        ["Línea", "Fecha", "Importe", "Cliente", "Atrasado"], ["7", "05/03/2026 13:30", "1234,56", "Padaria São João",
                                                               "No"]]
    assert _csv_back(_export("en", "csv"), ",")[:3] == [
        HEADER, ["7", "2026-03-05 13:30", "1234.56", "Padaria São João", "No"],
        ["8", "2026-03-31", "-305.3225", "'=HYPERLINK(\"http://x\",\"y\")", "Yes"]]


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_xlsx_has_a_bold_frozen_header_typed_cells_and_the_formula_guard(language):
    response = _export(language, "xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="lines.xlsx"'
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = _xlsx_back(response)
    header = [c.value for c in sheet[1]]
    assert header == (["Linha", "Data", "Valor", "Cliente", "Atrasado"] if language == "pt-br" else HEADER)
    assert all(c.font.bold for c in sheet[1]) and sheet.freeze_panes == "A2"
    line, when, amount, customer, late = sheet[2]
    assert (line.value, line.data_type) == (7, "n")
    assert when.value == datetime(2026, 3, 5, 13, 30) and when.is_date  # local time (São Paulo)
    assert when.number_format == ("dd/mm/yyyy hh:mm" if language == "pt-br" else "yyyy-mm-dd hh:mm")
    assert amount.data_type == "n" and D(str(amount.value)) == D("1234.56")
    assert amount.number_format == "#,##0.00##"
    assert customer.value == "Padaria São João"
    assert late.value == ("Não" if language == "pt-br" else "No")
    formula = sheet["D3"]
    assert (formula.value, formula.data_type) == ("'=HYPERLINK(\"http://x\",\"y\")", "s")
    assert sheet["B3"].value == datetime(2026, 3, 31) and sheet["B3"].is_date
    assert D(str(sheet["C3"].value)) == D("-305.3225")
    assert sheet["B4"].value is None and D(str(sheet["C4"].value)) == 0 and sheet["E4"].value is None
    assert sheet["D4"].value == "'+55 11 9999-0000"
    assert sheet.column_dimensions["D"].width >= len("=HYPERLINK(\"http://x\",\"y\")")


def test_xlsx_drops_the_control_characters_the_format_cannot_hold():
    sheet = _xlsx_back(_export("en", "xlsx", ["a"], [["bell\x07 and nul\x00 gone"]]))
    assert sheet["A2"].value == "bell and nul gone"


@given(st.decimals(min_value=-10**9, max_value=10**9, places=4, allow_nan=False, allow_infinity=False))
def test_every_amount_reads_back_whole_from_both_formats(amount):
    comma = _csv_back(_export("pt-br", "csv", ["x"], [[amount]]), ";")[1][0]
    point = _csv_back(_export("en", "csv", ["x"], [[amount]]), ",")[1][0]
    assert D(comma.replace(",", ".")) == amount == D(point)
    assert "." not in comma and "," not in point
    assert len(comma.split(",")[1]) in (2, 3, 4)
    cell = _xlsx_back(_export("en", "xlsx", ["x"], [[amount]]))["A2"]
    assert cell.data_type == "n" and D(str(cell.value)).quantize(D("0.0001")) == amount
