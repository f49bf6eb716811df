"""Shared table helper: sorting by allowed columns only, paging, CSV export with formula guard."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from parceria.partners.models import Partner
from parceria.web.tables import build_table, csv_response
from tests.factories import make_partner


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
    sneaky = build_table(factory.get("/?sort=tax_id"), Partner.objects.all(), sortable={"name": "name"},
                         default_sort="name")
    assert sneaky.sort == "name"


def test_csv_export_guards_against_spreadsheet_formulas():
    response = csv_response("x.csv", ["a", "b"], [["=HYPERLINK(1)", "-12.50"], ["@SUM", "ok"]])
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert response.content.decode() == "a,b\r\n'=HYPERLINK(1),-12.50\r\n'@SUM,ok\r\n"
