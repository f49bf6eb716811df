"""Every table of the console exports as CSV and XLSX from the same header and rows, in the reader's language."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from parceria.common.audit import Actor
from parceria.disputes.adjustments import adjustment_request
from tests.factories import staff_client
from tests.portal.conftest import build_world

pytestmark = pytest.mark.django_db

LISTS = ["/console/partners/", "/console/agreements/", "/console/disputes/?status=all", "/console/adjustments/",
         "/console/payouts/", "/console/intake/", "/console/tiers/", "/console/enablement/"]


def test_every_console_table_exports_the_same_rows_as_csv_and_xlsx_in_each_language():
    world = build_world()
    adjustment_request(partner=world["a"].partner, amount=D("-12.34"), reason="=cmd|' /C calc'!A0",
                       actor=Actor.system("tests"))
    client = staff_client("fin", "finance")
    for url in LISTS:
        for language, delimiter in (("pt-br", ";"), ("es", ";"), ("en", ",")):
            response = client.get(url + ("&" if "?" in url else "?") + "export=csv", HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf"), url
            rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=delimiter))
            response = client.get(url + ("&" if "?" in url else "?") + "export=xlsx", HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, url
            sheet = load_workbook(io.BytesIO(response.content)).active
            assert [c.value for c in sheet[1]] == rows[0], (url, language)
            assert sheet.max_row == len(rows) and len(rows[0]) > 3, url


def test_console_payouts_and_adjustments_in_portuguese_are_exact_to_the_cent():
    world = build_world()
    adjustment_request(partner=world["a"].partner, amount=D("-12.34"), reason="=cmd|' /C calc'!A0",
                       actor=Actor.system("tests"))
    client = staff_client("fin", "finance")
    response = client.get("/console/payouts/?export=csv&sort=id", HTTP_ACCEPT_LANGUAGE="pt-br")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Pagamento", "Mês", "Código do parceiro", "Moeda", "Bruto", "Líquido", "Vencimento",
                       "Situação", "Atrasado"]
    assert sorted((r[4], r[5]) for r in rows[1:]) == [("1000,00", "985,00"), ("1000,00", "985,00")]
    sheet = load_workbook(io.BytesIO(client.get("/console/adjustments/?status=all&export=xlsx",
                                                HTTP_ACCEPT_LANGUAGE="pt-br").content)).active
    assert [c.value for c in sheet[1]][:6] == ["Ajuste", "Parceiro", "Valor", "Moeda", "Situação", "Motivo"]
    assert sheet["C2"].data_type == "n" and D(str(sheet["C2"].value)) == D("-12.34")
    assert (sheet["F2"].value, sheet["F2"].data_type) == ("'=cmd|' /C calc'!A0", "s")
