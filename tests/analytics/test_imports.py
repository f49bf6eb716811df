"""Importing program figures: the console's CSV upload (template, all or nothing with every bad line, duplicates,
413 above the size limit) and PUT /api/v1/analytics/figures, both through inputs.figure_record; and the pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from parceria.analytics.imports import FIGURES_MAX_BYTES
from parceria.analytics.models import ProgramFigure
from parceria.common.models import AuditRecord
from tests.conftest import ApiClient
from tests.factories import make_key, make_partner, staff_client

pytestmark = pytest.mark.django_db


def upload(client, text: str | bytes, name: str = "figures.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(reverse("analytics_console:figures_import"), {"file": SimpleUploadedFile(name, data)})


def test_a_csv_file_is_imported_and_a_second_time_changes_nothing():
    p = make_partner()
    client = staff_client("pm", "partner_manager")
    text = ("key,month,partner_id,value,currency,source\n"
            "partner_program_cost,2026-03,,42000.00,BRL,\n"
            f"partner_satisfaction,2026-03,{p.pk},4.5,,survey\n")

    response = upload(client, text)

    assert response.status_code == 302
    rows = {(f.key, f.month, f.partner_id): (f.value, f.currency, f.source) for f in ProgramFigure.objects.all()}
    assert rows == {("partner_program_cost", date(2026, 3, 1), None): (Decimal("42000.0000"), "BRL", "figures.csv"),
                    ("partner_satisfaction", date(2026, 3, 1), p.pk): (Decimal("4.5000"), "", "survey")}
    assert AuditRecord.objects.filter(action="program_figure.recorded").count() == 2
    upload(client, text)
    assert ProgramFigure.objects.count() == 2
    assert AuditRecord.objects.filter(action="program_figure.recorded").count() == 2


def test_every_bad_row_is_listed_by_line_and_nothing_is_stored():
    client = staff_client("pm", "partner_manager")
    text = ("key,month,partner_id,value,currency\n"
            "partner_program_cost,2026-03,,100.00,BRL\n"  # good
            "no_such_figure,2026-03,,1,\n"  # line 3
            "partner_program_cost,2026-13,,1,BRL\n"  # line 4
            "partner_satisfaction,2026-03,,4,\n"  # line 5: needs a partner
            "partner_program_cost,2026-03,,200.00,BRL\n"  # line 6 repeats line 2
            "direct_cac,2026-03,,abc,BRL\n"  # line 7
            "partner_satisfaction,2026-03,999999,4,\n")  # line 8: no such partner

    response = upload(client, text)

    assert response.status_code == 422
    body = response.content.decode()
    for line in ("<td class=\"num\">3</td>", "<td class=\"num\">4</td>", "<td class=\"num\">5</td>",
                 "<td class=\"num\">6</td>", "<td class=\"num\">7</td>", "<td class=\"num\">8</td>"):
        assert line in body
    assert "repeats line 2" in body
    assert "<td class=\"num\">2</td>" not in body
    assert ProgramFigure.objects.count() == 0
    assert not AuditRecord.objects.filter(action="program_figure.recorded").exists()


def test_a_file_over_the_limit_is_a_413_and_stores_nothing():
    client = staff_client("pm", "partner_manager")
    response = upload(client, b"key,month,value\n" + b"x" * FIGURES_MAX_BYTES)
    assert response.status_code == 413
    assert ProgramFigure.objects.count() == 0


def test_the_analyst_may_not_upload():
    response = upload(staff_client("an", "analyst"), "key,month,value\npartner_program_cost,2026-03,1\n")
    assert response.status_code == 403
    assert ProgramFigure.objects.count() == 0


def test_the_template_and_the_list_with_its_filters_and_export():
    client = staff_client("pm", "partner_manager")
    template = client.get(reverse("analytics_console:figures_template"))
    assert template.content.decode().splitlines()[0] == "key,month,partner_id,value,currency,source"
    ProgramFigure.objects.create(key="direct_cac", month=date(2026, 3, 1), value=Decimal("900"), currency="BRL")
    ProgramFigure.objects.create(key="direct_cac", month=date(2026, 4, 1), value=Decimal("950"), currency="BRL")

    page = client.get(reverse("analytics_console:figures"), {"month": "2026-04"})
    assert page.status_code == 200 and "950" in page.content.decode() and "900,00" not in page.content.decode()
    assert client.get(reverse("analytics_console:figures"), {"month": "April"}).status_code == 422
    export = client.get(reverse("analytics_console:figures"), {"key": "direct_cac", "export": "csv", "sort": "month"})
    lines = export.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 3 and lines[1].startswith("direct_cac,Direct-sales CAC,2026-03,,,900.00,BRL")
    keys = client.get(reverse("analytics_console:figures"), {"table": "inputs", "export": "csv"})
    key_lines = keys.content.decode("utf-8-sig").splitlines()
    assert key_lines[0] == "Key,Figure,Unit,Per partner,What it is" and len(key_lines) == 13
    assert key_lines[1].startswith("direct_new_customers,New customers through direct sales,count,No,")


def test_the_api_puts_a_list_all_or_nothing():
    p = make_partner()
    client = ApiClient(make_key("admin"))
    good = [{"key": "direct_cac", "month": "2026-03", "value": "900.00", "currency": "BRL"},
            {"key": "joint_marketing_activities", "month": "2026-03", "partner_id": p.pk, "value": "2"}]

    response = client.request("PUT", "/analytics/figures", good)
    assert response.status_code == 200 and response.json() == {"created": 2, "updated": 0, "unchanged": 0}
    again = client.request("PUT", "/analytics/figures", [{**good[0], "value": "950.00"}, good[1]])
    assert again.json() == {"created": 0, "updated": 1, "unchanged": 1}

    bad = client.request("PUT", "/analytics/figures", [{**good[0], "value": "1.00"}, good[0],
                                                       {**good[1], "partner_id": None}])
    assert bad.status_code == 422
    errors = bad.json()["error"]["details"]["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [(2, "key"), (3, "partner_id")]
    assert ProgramFigure.objects.get(key="direct_cac").value == Decimal("950.0000")


@pytest.mark.parametrize("item", [{"key": "nope", "month": "2026-03", "value": "1"},
                                  {"key": "direct_cac", "month": "2026-3", "value": "1", "currency": "BRL"},
                                  {"key": "direct_cac", "month": "2026-03", "value": "1e5", "currency": "BRL"},
                                  {"key": "direct_cac", "month": "2026-03", "value": "1", "extra": 1}])
def test_the_api_refuses_bad_items_with_a_422(item):
    response = ApiClient(make_key("admin")).request("PUT", "/analytics/figures", [item])
    assert response.status_code == 422 and response.json()["error"]["code"]
    assert ProgramFigure.objects.count() == 0


@pytest.mark.parametrize("scope", ["analytics", "partner"])
def test_read_only_and_partner_keys_may_not_put(scope):
    key = make_key(scope, make_partner() if scope == "partner" else None)
    response = ApiClient(key).request("PUT", "/analytics/figures", [
        {"key": "direct_cac", "month": "2026-03", "value": "1", "currency": "BRL"}])
    assert response.status_code == 403
    assert ProgramFigure.objects.count() == 0


def test_the_scorecard_and_phase_pages_with_their_exports(settings):
    settings.PARCERIA = {**settings.PARCERIA, "PROGRAM_START": "2026-01"}
    client = staff_client("an", "analyst")
    page = client.get(reverse("analytics_console:scorecard"), {"period": "2026-Q1"})
    body = page.content.decode()
    assert page.status_code == 200 and "Partner channel ARR" in body
    assert 'id="nav-program"' in body and f'href="{reverse("analytics_console:scorecard")}" aria-current="page"' in body
    assert reverse("analytics_console:figures") + "?key=partner_satisfaction#import" in body
    assert client.get(reverse("analytics_console:scorecard"), {"period": "2026-Q7"}).status_code == 422
    assert client.get(reverse("analytics_console:scorecard"), {"period": "9999-12"}).status_code == 422
    export = client.get(reverse("analytics_console:scorecard"), {"period": "2026-03", "export": "csv"})
    assert len(export.content.decode("utf-8-sig").splitlines()) == 18  # the header and 17 KPIs
    trend = client.get(reverse("analytics_console:scorecard"), {"period": "2026-03", "export": "xlsx",
                                                                 "table": "trend"})
    assert trend.status_code == 200 and trend["Content-Type"].startswith("application/vnd.openxml")
    phases = client.get(reverse("analytics_console:phases"))
    assert phases.status_code == 200 and "Foundation" in phases.content.decode()
    phases_csv = client.get(reverse("analytics_console:phases"), {"export": "csv"})
    assert len(phases_csv.content.decode("utf-8-sig").splitlines()) == 10  # the header and 9 criteria


@given(st.dictionaries(st.sampled_from(["key", "month", "partner_id", "value", "currency", "source"]),
                       st.text(max_size=30)) | st.fixed_dictionaries(
    {"key": st.just("direct_cac"), "month": st.just("2026-03"), "partner_id": st.text(max_size=20),
     "value": st.text(max_size=20)}))
@example({"key": "direct_cac", "month": "2026-03", "partner_id": "²", "value": "1"})  # a digit int() cannot read
@example({"key": "direct_cac", "month": "2026-03", "value": "1e5"})
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_row_parser_answers_a_row_or_a_clear_error_for_any_cells(cells):
    from parceria.analytics.imports import _parse
    from parceria.common.errors import InvalidInput

    try:
        row = _parse(1, cells)
    except InvalidInput as exc:
        assert exc.message and isinstance(exc.details, dict) and exc.details["field"]
    else:
        assert row.key and row.month.day == 1 and row.value.is_finite()


@given(st.decimals(min_value=0, max_value=Decimal("9999999999999999.9999"), places=4, allow_nan=False),
       st.booleans())
@settings(max_examples=200, deadline=None)
def test_a_decimal_value_reads_back_exactly_with_a_point_or_a_comma(value, comma):
    from parceria.analytics.imports import _parse

    text = format(value, "f")
    row = _parse(1, {"key": "direct_cac", "month": "2026-03", "value": text.replace(".", ",") if comma else text})
    assert row.value == value


def test_the_api_refuses_more_items_than_the_limit_with_a_413():
    from parceria.analytics.imports import FIGURES_MAX_ROWS

    items = [{"key": "direct_cac", "month": f"{2000 + n // 12}-{n % 12 + 1:02d}", "value": "1", "currency": "BRL"}
             for n in range(FIGURES_MAX_ROWS + 1)]
    response = ApiClient(make_key("admin")).request("PUT", "/analytics/figures", items)
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"
    assert ProgramFigure.objects.count() == 0
