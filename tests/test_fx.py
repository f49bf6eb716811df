"""FX rates (SPEC §15): the Banco Central PTAX import, look-ups, conversion in the intake, the API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parceria.commissions.models import LedgerLine
from parceria.common.errors import InvalidInput
from parceria.common.fx import FxBook, fx_import_ptax, fx_quote
from parceria.common.models import FxRate
from tests.conftest import ApiClient
from tests.factories import ingest, make_customer, make_key, make_partner, paid

# A PTAX "closing rates" extract: date;code;type;symbol;buy;sell;buy parity;sell parity (decimal comma).
PTAX = """\
02012026;220;A;USD;5,4321;5,4327;1,0000;1,0000
02012026;978;B;EUR;6,3512;6,3540;1,1692;1,1696
02012026;706;A;ARS;0,003761;0,003762;1443,9000;1444,4000
02012026;715;A;CLP;0,005950;0,005951;912,7000;913,0000
05012026;220;A;USD;5,4402;5,4408;1,0000;1,0000
"""



def _rates() -> dict[tuple[str, str, date], tuple[D, str]]:
    return {(r.base, r.quote, r.on_date): (r.rate, r.source) for r in FxRate.objects.all()}


@pytest.mark.django_db
def test_ptax_import_stores_sell_rates_and_their_inverses_for_known_currencies():
    report = fx_import_ptax(text=PTAX)
    assert (report.lines, report.imported, report.duplicates, report.skipped, report.rates_stored) == (5, 4, 0, 1, 8)
    assert report.skipped_currencies == ["EUR"] and report.rejected == []
    assert _rates() == {
        ("USD", "BRL", date(2026, 1, 2)): (D("5.4327"), "BCB PTAX sell"),
        ("BRL", "USD", date(2026, 1, 2)): (D("0.1840705358"), "inverse of BCB PTAX sell"),
        ("ARS", "BRL", date(2026, 1, 2)): (D("0.003762"), "BCB PTAX sell"),
        ("BRL", "ARS", date(2026, 1, 2)): (D("265.8160552897"), "inverse of BCB PTAX sell"),
        ("CLP", "BRL", date(2026, 1, 2)): (D("0.005951"), "BCB PTAX sell"),
        ("BRL", "CLP", date(2026, 1, 2)): (D("168.0389850445"), "inverse of BCB PTAX sell"),
        ("USD", "BRL", date(2026, 1, 5)): (D("5.4408"), "BCB PTAX sell"),
        ("BRL", "USD", date(2026, 1, 5)): (D("0.1837965005"), "inverse of BCB PTAX sell"),
    }


@pytest.mark.django_db
def test_the_buy_rate_can_be_chosen():
    fx_import_ptax(text=PTAX.splitlines()[0], use="buy")
    assert _rates()[("USD", "BRL", date(2026, 1, 2))] == (D("5.4321"), "BCB PTAX buy")


@pytest.mark.django_db
def test_importing_the_same_file_again_stores_nothing_and_counts_duplicates():
    fx_import_ptax(text=PTAX)
    before = _rates()
    again = fx_import_ptax(text=PTAX)
    assert (again.imported, again.duplicates, again.skipped, again.rates_stored, again.rejected) == (0, 4, 1, 0, [])
    assert _rates() == before


@pytest.mark.django_db
def test_a_different_rate_for_a_stored_day_is_a_conflict_and_never_overwrites():
    fx_import_ptax(text=PTAX)
    text = "02012026;220;A;USD;5,5000;5,5010;1,0000;1,0000\n06012026;220;A;USD;5,4500;5,4510;1,0000;1,0000\n"
    report = fx_import_ptax(text=text)
    assert (report.imported, report.rates_stored) == (1, 2)
    (problem,) = report.rejected
    assert (problem.line, problem.code) == (1, "conflict")
    assert "USD→BRL on 2026-01-02 is already stored as 5.4327" in problem.error and "5.5010" in problem.error
    assert FxRate.objects.get(base="USD", quote="BRL", on_date=date(2026, 1, 2)).rate == D("5.4327")
    assert FxRate.objects.get(base="USD", quote="BRL", on_date=date(2026, 1, 6)).rate == D("5.4510")


@pytest.mark.django_db
def test_a_conflict_inside_one_file_is_reported_and_the_first_line_kept():
    text = "02012026;220;A;USD;5,4321;5,4327;1;1\n02012026;220;A;USD;5,4321;5,4327;1;1\n02012026;220;A;USD;5;5,9;1;1\n"
    report = fx_import_ptax(text=text)
    assert (report.imported, report.duplicates) == (1, 1)
    assert [(p.line, p.code) for p in report.rejected] == [(3, "conflict")]
    assert FxRate.objects.get(base="USD", quote="BRL").rate == D("5.4327")


@pytest.mark.django_db
def test_bad_lines_are_reported_with_their_numbers_and_good_lines_kept():
    text = (
        "Data;Cod Moeda;Tipo;Moeda;Taxa Compra;Taxa Venda;Paridade Compra;Paridade Venda\n"  # 1: a header
        "02012026;220;A;USD;5,4321;5,4327;1,0000;1,0000\n"  # 2: good
        "\n"  # 3: blank, not counted
        "32012026;220;A;USD;5,4321;5,4327;1,0000;1,0000\n"  # 4: no such day
        "02012026;220;A;USD;5.4321;5.4327;1,0000;1,0000\n"  # 5: decimal point
        "02012026;220;A;USD;5,4321\n"  # 6: too few fields
        "02012026;220;A;US$;5,4321;5,4327;1,0000;1,0000\n"  # 7: not an ISO code
        "02012026;220;A;USD;0,0000;0,0000;1,0000;1,0000\n"  # 8: zero
        "02012026;220;A;USD;5,12345678901;5,4327;1,0000;1,0000\n"  # 9: 11 decimal places
        "2012026;220;A;USD;5,4321;5,4327;1,0000;1,0000\n"  # 10: 7-digit date
    )
    report = fx_import_ptax(text=text)
    assert (report.lines, report.imported) == (9, 1)
    errors = {p.line: p.error for p in report.rejected}
    assert sorted(errors) == [1, 4, 5, 6, 7, 8, 9, 10]
    assert all(p.code == "invalid" for p in report.rejected)
    assert errors[4] == "date '32012026' is not a valid DDMMYYYY date"
    assert errors[5] == "buy rate '5.4321' is not a number with a decimal comma (such as 5,4321)"
    assert errors[6] == "expected 8 fields separated by ';', found 5"
    assert errors[7] == "currency symbol 'US$' is not a 3-letter ISO 4217 code"
    assert errors[8] == "buy rate must be greater than zero, not 0,0000"
    assert errors[10] == "date '2012026' is not in the form DDMMYYYY"
    assert set(_rates()) == {("USD", "BRL", date(2026, 1, 2)), ("BRL", "USD", date(2026, 1, 2))}


@pytest.mark.django_db
def test_an_empty_file_or_a_bad_option_is_an_error():
    with pytest.raises(InvalidInput, match="empty"):
        fx_import_ptax(text="\n \n")
    with pytest.raises(InvalidInput, match="use must be one of sell, buy"):
        fx_import_ptax(text=PTAX, use="mid")
    assert FxRate.objects.count() == 0


@pytest.mark.django_db
def test_fx_quote_takes_the_latest_rate_on_or_before_the_day_at_most_seven_days_old():
    fx_import_ptax(text=PTAX)
    assert fx_quote("USD", "BRL", date(2026, 1, 1)) is None  # before the first rate
    assert fx_quote("USD", "BRL", date(2026, 1, 2)).rate == D("5.4327")
    assert fx_quote("USD", "BRL", date(2026, 1, 4)).on_date == date(2026, 1, 2)  # the weekend uses Friday's
    quote = fx_quote("BRL", "USD", date(2026, 1, 12))  # 7 days after the 5th: still usable
    assert (quote.rate, quote.source, quote.on_date) == (
        D("0.1837965005"),
        "inverse of BCB PTAX sell",
        date(2026, 1, 5),
    )
    assert fx_quote("USD", "BRL", date(2026, 1, 13)) is None  # 8 days old: stale
    assert fx_quote("MXN", "BRL", date(2026, 1, 5)) is None  # never imported
    assert fx_quote("BRL", "BRL", date(2026, 1, 5)).rate == 1


@pytest.mark.django_db
def test_the_fx_book_answers_many_days_from_one_query(django_assert_num_queries):
    fx_import_ptax(text=PTAX)
    with django_assert_num_queries(1):
        book = FxBook.load([("USD", "BRL"), ("BRL", "USD"), ("BRL", "BRL")], date(2026, 1, 1), date(2026, 1, 31))
    assert book.quote("USD", "BRL", date(2026, 1, 3)).rate == D("5.4327")
    assert set(book.quotes_on(date(2026, 1, 6))) == {("USD", "BRL"), ("BRL", "USD")}
    assert book.quotes_on(date(2026, 1, 20)) == {}


# The intake converts at the imported rate ------------------------------------------------------------


@pytest.mark.django_db
def test_a_usd_invoice_for_a_brl_partner_converts_at_the_imported_rate_of_its_day():
    fx_import_ptax(text=PTAX)
    partner = make_partner(tier="preferred")  # BRL, 25 %
    customer = make_customer(partner)
    result = ingest(paid(customer, "100.00", currency="USD", at="2026-01-06T10:00:00-03:00", invoice_id="inv_usd"))
    assert (result.accepted, result.rejected) == (1, [])
    line = LedgerLine.objects.get(invoice_id="inv_usd")
    assert (line.amount, line.currency) == (D("136.0200"), "BRL")  # 25.00 USD × 5.4408 (the 5th's rate)
    assert (line.fx_rate, line.fx_source) == (D("5.4408"), "BCB PTAX sell 2026-01-05")


@pytest.mark.django_db
def test_a_brl_invoice_for_a_usd_partner_converts_at_the_inverse_rate():
    fx_import_ptax(text=PTAX)
    partner = make_partner(tier="certified", currency="USD")  # 20 %
    customer = make_customer(partner)
    result = ingest(paid(customer, "1000.00", at="2026-01-02T15:00:00-03:00", invoice_id="inv_brl"))
    assert result.rejected == []
    line = LedgerLine.objects.get(invoice_id="inv_brl")
    assert (line.amount, line.currency) == (D("36.8141"), "USD")  # 200.00 BRL × 0.1840705358
    assert line.fx_source == "inverse of BCB PTAX sell 2026-01-02"


@pytest.mark.django_db
def test_an_invoice_without_a_usable_rate_is_rejected_naming_currency_and_date():
    fx_import_ptax(text=PTAX)
    customer = make_customer(make_partner(tier="preferred"))
    result = ingest(paid(customer, "100.00", currency="USD", at="2026-01-20T10:00:00-03:00"))
    assert result.accepted == 0
    (rejection,) = result.rejected
    assert rejection.code == "cannot_accrue"
    assert "no FX rate from USD to BRL for 2026-01-20" in rejection.error
    assert LedgerLine.objects.count() == 0


# The command ------------------------------------------------------------------------------------------


def _run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_fx", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_import_fx_command_prints_counts_and_exits_0_when_every_line_is_good(tmp_path: Path):
    path = tmp_path / "ptax.csv"
    path.write_text(PTAX, encoding="utf-8")
    code, out, err = _run(str(path))
    assert code == 0 and err == ""
    assert out.strip() == (
        "5 lines: 4 imported (8 rates stored, inverses included), 0 duplicates, 1 skipped (EUR), 0 rejected"
    )
    code, out, _ = _run(str(path), "--use", "sell")
    assert code == 0 and "0 imported (0 rates stored, inverses included), 4 duplicates" in out


@pytest.mark.django_db
def test_import_fx_command_reads_latin1_lists_bad_lines_and_exits_2(tmp_path: Path):
    path = tmp_path / "ptax.csv"
    path.write_bytes("Cotações;x\n".encode("latin-1") + PTAX.encode("latin-1"))
    code, out, err = _run(str(path), "--use", "buy")
    assert code == 2
    assert "6 lines: 4 imported" in out and "1 rejected" in out
    assert err.strip() == "line 1: invalid: expected 8 fields separated by ';', found 2"
    assert FxRate.objects.get(base="USD", quote="BRL", on_date=date(2026, 1, 2)).source == "BCB PTAX buy"


@pytest.mark.django_db
def test_import_fx_command_refuses_a_missing_or_binary_file(tmp_path: Path):
    with pytest.raises(CommandError, match="is not a file"):
        call_command("import_fx", str(tmp_path / "missing.csv"))
    binary = tmp_path / "ptax.zip"
    binary.write_bytes(b"PK\x03\x04\x00\x00")
    with pytest.raises(CommandError, match="not a text file"):
        call_command("import_fx", str(binary))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CommandError, match="empty"):
        call_command("import_fx", str(empty))
    assert FxRate.objects.count() == 0


# The API ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_finance_imports_rates_through_the_api():
    client = ApiClient(make_key("finance"))
    response = client.post("/fx-rates/import", {"csv": PTAX + "xx\n", "use": "sell"})
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("lines", "imported", "duplicates", "skipped", "rates_stored")} == {
        "lines": 6,
        "imported": 4,
        "duplicates": 0,
        "skipped": 1,
        "rates_stored": 8,
    }
    assert body["rejected"] == [
        {"line": 6, "code": "invalid", "error": "expected 8 fields separated by ';', found 1", "text": "xx"}
    ]
    listed = client.get("/fx-rates?base=usd&quote=BRL&from=2026-01-03&to=2026-01-31").json()
    assert listed["count"] == 1
    assert listed["items"] == [
        {"base": "USD", "quote": "BRL", "on_date": "2026-01-05", "rate": "5.4408", "source": "BCB PTAX sell"}
    ]


@pytest.mark.django_db
def test_a_platform_key_may_not_import_rates_and_nothing_is_stored():
    response = ApiClient(make_key("platform")).post("/fx-rates/import", {"csv": PTAX})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden_scope"
    assert FxRate.objects.count() == 0


@pytest.mark.django_db
def test_bad_fx_requests_get_422():
    client = ApiClient(make_key("finance"))
    assert client.post("/fx-rates/import", {"csv": PTAX, "use": "mid"}).status_code == 422
    assert client.post("/fx-rates/import", {"csv": ""}).status_code == 422
    assert client.post("/fx-rates/import", {"text": PTAX}).status_code == 422
    assert client.get("/fx-rates?base=XYZ").status_code == 422
    assert client.get("/fx-rates?from=2026-02-01&to=2026-01-01").status_code == 422
    assert client.get("/fx-rates?from=yesterday").status_code == 422
    assert FxRate.objects.count() == 0
