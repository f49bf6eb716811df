"""The portal's table exports opened back as an accountant opens them: CSV in the reader's language (`;` and
decimal commas in Portuguese, `,` and points in English, UTF-8 with a BOM, translated headers) and XLSX with typed
cells, exact to the cent; another partner's rows never in them."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from parceria.payouts.statements.monthly_csv import STATEMENT_CSV_HEADER
from tests.portal.conftest import build_world, client_for

pytestmark = pytest.mark.django_db


def csv_rows(response, delimiter: str) -> list[list[str]]:
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=delimiter))


def sheet_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.content)).active


def test_commissions_in_portuguese_read_back_with_semicolons_and_decimal_commas():
    world = build_world()
    response = client_for(world["a"].member).get("/portal/commissions/", {"export": "csv", "sort": "date"},
                                                 HTTP_ACCEPT_LANGUAGE="pt-br")
    assert response["Content-Disposition"] == 'attachment; filename="commissions.csv"'
    rows = csv_rows(response, ";")
    assert rows[0] == ["Linha", "Data", "Mês", "Tipo", "Regra", "Fatura", "Cliente", "Taxa", "Base", "Valor", "Moeda",
                       "Explicação"]
    assert [r[1:11] for r in rows[1:]] == [
        ["05/03/2026 10:00", "2026-03", "Comissão", "Comissão por indicação", "inv_alfa", "Padaria Alfa", "0,25",
         "4000,00", "1000,00", "BRL"],
        ["12/03/2026 10:00", "2026-03", "Comissão", "Comissão por indicação", "inv_alfa_2", "Padaria Alfa", "0,25",
         "400,00", "100,00", "BRL"],
        ["20/03/2026 10:00", "2026-03", "Estorno", "Comissão por indicação", "inv_alfa_2", "Padaria Alfa", "0,25",
         "400,00", "-100,00", "BRL"],
        ["05/04/2026 10:00", "2026-03", "Pagamento", "Pagamento", "", "", "", "1000,00", "-1000,00", "BRL"],
    ]
    # the amounts, read as numbers, add up to the balance to the cent; nothing of the other partner
    assert sum(D(r[9].replace(",", ".")) for r in rows[1:]) == D("0.00")
    assert "Bravo" not in response.content.decode("utf-8-sig")


def test_payouts_in_english_keep_commas_and_points_and_the_xlsx_has_numbers_and_dates():
    world = build_world()
    client = client_for(world["a"].admin)
    rows = csv_rows(client.get("/portal/payouts/", {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="en"), ",")
    assert rows == [["Payout", "Month", "Currency", "Gross", "Withheld", "Tax codes", "Net", "Due date", "Status",
                     "Late"],
                    [str(world["a"].payout.pk), "2026-03", "BRL", "1000.00", "15.00", "8045", "985.00", "2026-04-30",
                     "Pending", "Yes"]]
    response = client.get("/portal/payouts/", {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="pt-br")
    assert response["Content-Disposition"] == 'attachment; filename="payouts.xlsx"'
    sheet = sheet_of(response)
    assert [c.value for c in sheet[1]] == ["Pagamento", "Mês", "Moeda", "Bruto", "Retido", "Códigos de retenção",
                                           "Líquido", "Vencimento", "Situação", "Atrasado"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    payout, _month, _currency, gross, withheld, _codes, net, due, status, late = sheet[2]
    assert payout.value == world["a"].payout.pk and payout.data_type == "n"
    assert [(c.data_type, D(str(c.value))) for c in (gross, withheld, net)] == [
        ("n", D("1000.00")), ("n", D("15.00")), ("n", D("985.00"))]
    assert gross.number_format == "#,##0.00##"
    assert due.is_date and due.value == datetime(2026, 4, 30) and due.number_format == "dd/mm/yyyy"
    assert (status.value, late.value) == ("Pendente", "Sim")
    assert sheet.max_row == 2


def test_a_customer_name_that_looks_like_a_formula_is_text_in_both_formats():
    world = build_world()
    customer = world["a"].customer
    customer.name = '=HYPERLINK("http://evil.example","click")'
    customer.save(update_fields=["name"])
    client = client_for(world["a"].admin)
    rows = csv_rows(client.get("/portal/customers/", {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="pt-br"), ";")
    assert rows[0] == ["Código do cliente", "Nome", "Situação", "Cliente desde", "Moeda", "Receita"]
    assert rows[1][1] == "'" + customer.name and rows[1][5] == "4400,00"
    sheet = sheet_of(client.get("/portal/customers/", {"export": "xlsx"}))
    assert (sheet["B2"].value, sheet["B2"].data_type) == ("'" + customer.name, "s")
    assert D(str(sheet["F2"].value)) == D("4400.00") and sheet["F2"].data_type == "n"


def test_every_portal_list_answers_both_formats_with_only_its_partners_rows():
    world = build_world()
    client = client_for(world["a"].admin)
    for url in ("/portal/commissions/", "/portal/payouts/", "/portal/customers/", "/portal/disputes/"):
        for language in ("pt-br", "es", "en"):
            text = csv_rows(client.get(url, {"export": "csv"}, HTTP_ACCEPT_LANGUAGE=language),
                            "," if language == "en" else ";")
            assert len(text) >= 2, url
            sheet = sheet_of(client.get(url, {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE=language))
            assert [c.value for c in sheet[1]] == text[0], (url, language)
            assert sheet.max_row == len(text), url
            flat = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
            assert not any(secret in flat for secret in world["b"].secrets), url
    assert csv_rows(client.get("/portal/disputes/", {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="es"), ";")[0] == [
        "Disputa", "Abierta el", "Asunto", "Estado", "Se refiere a", "Descripción"]


def test_the_statement_and_informe_csvs_keep_their_documented_layout_in_every_language():
    """Interchange formats (docs/payouts.md): the same bytes whatever the reader's language, `,` and points."""
    world = build_world()
    client = client_for(world["a"].admin)
    for url in ("/portal/statements/2026-03.csv", "/portal/income-statements/2026.csv"):
        english, portuguese = (client.get(url, HTTP_ACCEPT_LANGUAGE=language).content for language in ("en", "pt-br"))
        assert english == portuguese and not english.startswith(b"\xef\xbb\xbf"), url
    lines = client.get("/portal/statements/2026-03.csv", HTTP_ACCEPT_LANGUAGE="pt-br").content.decode().splitlines()
    assert lines[0] == ",".join(STATEMENT_CSV_HEADER)
    assert lines[1].split(",")[8] == "1000.0000"
