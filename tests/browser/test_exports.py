"""A partner downloads its commissions as CSV and as Excel from the portal's list and opens both: the CSV in the
page's language (`;` and decimal commas in Portuguese), the XLSX with numbers as numbers, exact to the cent.
Screenshots of the list with its export links, at desktop and phone widths, in Portuguese and English."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import sign_in
from tests.portal.conftest import PASSWORD, build_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def world(transactional_db):
    return build_world()


def download(page, name: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.locator("main .exports").get_by_role("link", name=name).click()
    got = info.value
    with open(got.path(), "rb") as handle:
        return got.suggested_filename, handle.read()


def test_a_partner_downloads_its_commissions_as_csv_and_excel_and_reads_them_back(page, screenshot, world):
    sign_in(page, world["a"].admin.username, PASSWORD)
    page.wait_for_url("**/portal/")
    page.goto("/portal/commissions/?sort=date")
    links = page.locator("main .exports")
    assert links.inner_text().split() == ["Baixar:", "CSV", "Excel"]
    screenshot(page, "portal-ledger-exports")

    name, body = download(page, "CSV")
    assert name == "commissions.csv" and body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Linha", "Data", "Mês"] and rows[0][9] == "Valor"
    assert [r[9] for r in rows[1:]] == ["1000,00", "100,00", "-100,00", "-1000,00"]

    name, body = download(page, "Excel")
    assert name == "commissions.xlsx"
    sheet = load_workbook(io.BytesIO(body)).active
    assert [c.value for c in sheet[1]] == rows[0]
    amounts = [sheet.cell(row=n, column=10) for n in range(2, 6)]
    assert all(c.data_type == "n" for c in amounts)
    assert [D(str(c.value)) for c in amounts] == [D("1000"), D("100"), D("-100"), D("-1000")]
    assert sheet["B2"].is_date

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    box = page.locator("main .exports").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    screenshot(page, "portal-ledger-exports-phone")


def test_the_export_links_in_english(browser, live_server, screenshot, world):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800}, locale="en-US",
                                  accept_downloads=True)
    page = context.new_page()
    try:
        sign_in(page, world["a"].admin.username, PASSWORD)
        page.wait_for_url("**/portal/")
        page.goto("/portal/payouts/")
        assert page.locator("main .exports").inner_text().split() == ["Download:", "CSV", "Excel"]
        screenshot(page, "portal-payouts-exports-en")
        name, body = download(page, "CSV")
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=","))
        assert name == "payouts.csv" and rows[0][:4] == ["Payout", "Month", "Currency", "Gross"]
        assert rows[1][3:7] == ["1000.00", "15.00", "8045", "985.00"]
        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        screenshot(page, "portal-payouts-exports-en-phone")
    finally:
        context.close()
