"""Partner statements and the informe de rendimentos (SPEC §7.5): totals equal the ledger to the cent."""

from __future__ import annotations

import csv
import io
import itertools
import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from ninja import NinjaAPI
from ninja.testing import TestClient

from parceria.api.auth import ApiKeyAuth
from parceria.api.errors import install_error_handlers
from parceria.commissions.engine import Posting
from parceria.commissions.ledger import ledger_post
from parceria.commissions.models import LedgerLine
from parceria.commissions.selectors import partner_balance
from parceria.common.audit import Actor
from parceria.common.dbsum import exact_sum
from parceria.payouts.close import period_close
from parceria.payouts.models import Payout, PayoutStatus
from parceria.payouts.services import payout_mark
from parceria.payouts.statements import (
    STATEMENT_CSV_HEADER,
    format_money,
    income_statement,
    income_statement_csv,
    income_statement_pdf,
    statement_csv,
    statement_for,
    statement_pdf,
)
from parceria.payouts.statements_api import router
from tests.factories import ingest, make_customer, make_key, make_partner, paid, refunded

SP = ZoneInfo("America/Sao_Paulo")
MARCH = date(2026, 3, 1)
ACTOR = Actor.system("tests")
_seq = itertools.count(1)


def credit(partner, amount: str, *, at: str) -> None:
    """Put `amount` on a partner's balance with a manual adjustment line dated `at`."""
    posting = Posting(partner.pk, "adjustment", "manual", D(amount), partner.currency, None, None, "test credit",
                      f"test-statement:{partner.pk}:{amount}:{at}")
    ledger_post([(posting, {"occurred_at": datetime.fromisoformat(at)})], created_by="tests")


def close(month: date, now: datetime):
    return period_close(month=month, actor=ACTOR, now=now)


def build_march():
    """February: a credit of 40.00 (the opening balance of March). March: accruals of 1,250.0000 and 83.3325,
    a clawback of 25.0000, an adjustment of 12.3456; closed on 5 April: 1,360.67 paid, 20.41 IRRF withheld."""
    partner = make_partner(tier="preferred", legal_name="Agência Exemplo Ltda")
    customer = make_customer(partner, name="Padaria São João", external_id="cus_padaria")
    credit(partner, "40.00", at="2026-02-10T12:00:00-03:00")
    ingest(paid(customer, "5000.00", invoice_id="inv_st_1", at="2026-03-05T10:00:00-03:00"))
    ingest(paid(customer, "333.33", invoice_id="inv_st_2", at="2026-03-12T10:00:00-03:00"))
    ingest(refunded(customer, "inv_st_2", "100.00", at="2026-03-20T10:00:00-03:00"))
    credit(partner, "12.3456", at="2026-03-25T12:00:00-03:00")
    close(MARCH, datetime(2026, 4, 5, 10, 0, tzinfo=SP))
    return partner


# The monthly statement --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_statement_lists_every_line_of_the_month_and_its_totals_equal_the_ledger():
    partner = build_march()
    statement = statement_for(partner=partner, month=MARCH)
    ledger = LedgerLine.objects.filter(partner=partner, period=MARCH).order_by("occurred_at", "id")
    assert [(line.id, line.kind, line.amount) for line in statement.lines] == [
        (line.id, line.kind, line.amount) for line in ledger]
    assert [(line.kind, line.amount) for line in statement.lines] == [
        ("accrual", D("1250.0000")), ("accrual", D("83.3325")), ("clawback", D("-25.0000")),
        ("adjustment", D("12.3456")), ("payout", D("-1360.6700"))]
    (totals,) = statement.totals
    assert (totals.currency, totals.opening, totals.accrued, totals.clawed_back, totals.adjusted, totals.paid_out,
            totals.reversed) == ("BRL", D("40.0000"), D("1333.3325"), D("-25.0000"), D("12.3456"), D("-1360.6700"),
                                 D("0.0000"))
    assert totals.movement == sum((line.amount for line in statement.lines), D(0)) == exact_sum(ledger, "amount")
    assert totals.closing == D("0.0081") == partner_balance(partner).balance
    (payout,) = statement.payouts
    assert (payout.gross, [(w.code, w.amount) for w in payout.withholdings], payout.net, payout.status) == (
        D("1360.67"), [("8045", D("20.41"))], D("1340.26"), "pending")


@pytest.mark.django_db
def test_a_month_without_lines_gives_a_statement_with_zero_totals_and_the_balance_carried_in():
    partner = build_march()
    statement = statement_for(partner=partner, month=date(2026, 5, 1))
    (totals,) = statement.totals
    assert (statement.lines, statement.payouts) == ((), ())
    assert (totals.opening, totals.movement, totals.closing) == (D("0.0081"), D(0), D("0.0081"))
    empty = statement_for(partner=make_partner(), month=MARCH)
    assert [(t.currency, t.opening, t.closing) for t in empty.totals] == [("BRL", D(0), D(0))]


@pytest.mark.django_db
def test_statement_csv_has_one_row_per_line_then_balances_and_totals():
    partner = build_march()
    payout = Payout.objects.get(partner=partner)
    rows = list(csv.reader(io.StringIO(statement_csv(statement_for(partner=partner, month=MARCH)))))
    explanations = list(LedgerLine.objects.filter(partner=partner, period=MARCH).values_list("explanation", flat=True))
    assert rows[0] == list(STATEMENT_CSV_HEADER) == [
        "date", "kind", "rule", "invoice", "customer", "customer_name", "rate", "base", "amount", "currency",
        "explanation"]
    assert [row[:10] for row in rows[1:6]] == [
        ["2026-03-05", "accrual", "referral", "inv_st_1", "cus_padaria", "Padaria São João", "0.25", "5000.0000",
         "1250.0000", "BRL"],
        ["2026-03-12", "accrual", "referral", "inv_st_2", "cus_padaria", "Padaria São João", "0.25", "333.3300",
         "83.3325", "BRL"],
        ["2026-03-20", "clawback", "referral", "inv_st_2", "cus_padaria", "Padaria São João", "0.25",
         rows[3][7], "-25.0000", "BRL"],
        ["2026-03-25", "adjustment", "manual", "", "", "", "", "", "12.3456", "BRL"],
        ["2026-04-05", "payout", "payout", "", "", "", "", "1360.6781", "-1360.6700", "BRL"],
    ]
    assert [row[10] for row in rows[1:6]] == explanations
    assert rows[6:] == [
        ["2026-03-01", "opening_balance", "", "", "", "", "", "", "40.0000", "BRL",
         "Balance of the lines of earlier periods"],
        ["2026-03-31", "total_accrual", "", "", "", "", "", "", "1333.3325", "BRL",
         "Commissions accrued in the period"],
        ["2026-03-31", "total_clawback", "", "", "", "", "", "", "-25.0000", "BRL", "Clawed back in the period"],
        ["2026-03-31", "total_adjustment", "", "", "", "", "", "", "12.3456", "BRL", "Adjustments in the period"],
        ["2026-03-31", "total_payout", "", "", "", "", "", "", "-1360.6700", "BRL", "Paid out in the period"],
        ["2026-03-31", "total_payout_reversal", "", "", "", "", "", "", "0.0000", "BRL",
         "Failed payouts returned to the balance in the period"],
        ["2026-03-31", "closing_balance", "", "", "", "", "", "", "0.0081", "BRL",
         "Opening balance plus the lines of the period"],
        # the payout of March's close, paid on 5 April: each tax withheld by code, then the net
        ["2026-04-05", "payout_withholding", "8045", "", "", "", "", "1360.6700", "20.4100", "BRL",
         f"Payout #{payout.pk}: IRRF on commissions paid to companies (PJ)"],
        ["2026-04-05", "payout_net", "", "", "", "", "", "", "1340.2600", "BRL",
         f"Payout #{payout.pk}: gross 1360.6700 less the taxes withheld, sent to the payee"],
    ]


@pytest.mark.django_db
def test_csv_text_cells_cannot_run_as_spreadsheet_formulas():
    partner = make_partner(tier="preferred")
    customer = make_customer(partner, name="=HYPERLINK(\"http://x\")")
    ingest(paid(customer, "100.00", invoice_id="inv_formula", at="2026-03-05T10:00:00-03:00"))
    rows = list(csv.reader(io.StringIO(statement_csv(statement_for(partner=partner, month=MARCH)))))
    assert rows[1][5] == "'=HYPERLINK(\"http://x\")"
    assert rows[1][8] == "25.0000"


def test_money_is_formatted_per_locale_without_losing_a_digit():
    assert format_money(D("1234.56"), "BRL") == "R$ 1.234,56"
    assert format_money(D("1234.56"), "BRL", language="en") == "R$ 1,234.56"
    assert format_money(D("-1360.67"), "BRL") == "-R$ 1.360,67"
    assert format_money(D("1234567.0081"), "BRL", places=4) == "R$ 1.234.567,0081"
    assert format_money(D("1500"), "CLP") == "CLP$ 1.500"
    assert format_money(D("-0.0000"), "BRL", places=4) == "R$ 0,0000"


def _pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian package poppler-utils) is not installed: the PDF's text is not checked")
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


@pytest.mark.django_db
def test_statement_pdf_shows_the_partner_and_the_totals_in_brazilian_portuguese():
    partner = build_march()
    pdf = statement_pdf(statement_for(partner=partner, month=MARCH))
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    for expected in ("Extrato de comissões", "Agência Exemplo Ltda", "Março de 2026", "Saldo inicial R$ 40,0000",
                     "Comissões R$ 1.333,3325", "Saldo final R$ 0,0081", "R$ 1.360,67", "R$ 20,41", "R$ 1.340,26",
                     "4 casas decimais"):
        assert expected in text, expected
    # the customer's name may wrap inside its table cell, so look for each word
    assert all(word in text for word in ("Padaria", "São", "João"))
    from parceria.common.taxids import validate_tax_id

    assert validate_tax_id("BR", partner.tax_id).formatted in text


@pytest.mark.django_db
def test_statement_pdf_in_english():
    partner = build_march()
    text = _pdf_text(statement_pdf(statement_for(partner=partner, month=MARCH), language="en"))
    for expected in ("Commission statement", "March 2026", "Closing balance R$ 0.0081", "Commissions accrued",
                     "R$ 1,333.3325"):
        assert expected in text, expected


# The informe de rendimentos ---------------------------------------------------------------------------


def build_year():
    """Payouts to a PJ partner (IRRF 1.5 %, code 8045, not withheld when ≤ R$ 10.00):
    Nov 2025 closed 5 Dec 2025: 500.00 (paid in 2025);  Dec 2025 closed 5 Jan 2026: 300.00;
    Mar 2026 closed 5 Apr: 2,000.00 − 30.00;  Apr closed 3 May: 1,000.00, failed on 10 May;
    May closed 3 Jun: the 1,000.00 again + 500.00 = 1,500.00 − 22.50."""
    partner = make_partner(legal_name="Comercial Beneficiária S.A.")
    steps = [("500.00", "2025-11-10", date(2025, 11, 1), datetime(2025, 12, 5, 10, tzinfo=SP)),
             ("300.00", "2025-12-10", date(2025, 12, 1), datetime(2026, 1, 5, 10, tzinfo=SP)),
             ("2000.00", "2026-03-10", MARCH, datetime(2026, 4, 5, 10, tzinfo=SP)),
             ("1000.00", "2026-04-10", date(2026, 4, 1), datetime(2026, 5, 3, 10, tzinfo=SP))]
    for amount, day, month, now in steps:
        credit(partner, amount, at=f"{day}T12:00:00-03:00")
        close(month, now)
    failed = Payout.objects.get(partner=partner, batch__period=date(2026, 4, 1))
    payout_mark(payout=failed, status=PayoutStatus.FAILED, source="bank", reference="closed account", actor=ACTOR,
                now=datetime(2026, 5, 10, 10, tzinfo=SP))
    credit(partner, "500.00", at="2026-05-15T12:00:00-03:00")
    close(date(2026, 5, 1), datetime(2026, 6, 3, 10, tzinfo=SP))
    payout_mark(payout=Payout.objects.get(partner=partner, batch__period=MARCH), status=PayoutStatus.PAID,
                source="bank", actor=ACTOR)
    return partner, failed


@pytest.mark.django_db
def test_income_statement_sums_the_payouts_paid_in_the_year_and_leaves_out_the_failed_one():
    partner, failed = build_year()
    informe = income_statement(partner=partner, year=2026)
    assert [(r.month, r.payouts, r.gross, dict(r.withheld), r.net) for r in informe.months] == [
        (date(2026, 1, 1), 1, D("300.00"), {}, D("300.00")),
        (date(2026, 4, 1), 1, D("2000.00"), {"8045": D("30.00")}, D("1970.00")),
        (date(2026, 6, 1), 1, D("1500.00"), {"8045": D("22.50")}, D("1477.50")),
    ]
    (total,) = informe.totals
    assert (total.currency, total.payouts, total.gross, dict(total.withheld), total.withheld_total, total.net) == (
        "BRL", 3, D("3800.00"), {"8045": D("52.50")}, D("52.50"), D("3747.50"))
    assert total.gross - total.withheld_total == total.net
    assert informe.excluded_failed == (failed.pk,)
    assert [code for code, _ in informe.codes] == ["8045"]
    assert (informe.payer_name, informe.payer_tax_id) == ("Parceria Demo Ltda", "11.222.333/0001-81")
    assert informe.beneficiary_name == "Comercial Beneficiária S.A."
    earlier = income_statement(partner=partner, year=2025)
    assert [(r.month, r.gross, r.net) for r in earlier.months] == [(date(2025, 12, 1), D("500.00"), D("500.00"))]
    assert (earlier.excluded_failed, income_statement(partner=partner, year=2027).months) == ((), ())


@pytest.mark.django_db
def test_income_statement_csv_and_pdf():
    partner, failed = build_year()
    informe = income_statement(partner=partner, year=2026)
    assert income_statement_csv(informe).splitlines() == [
        "month,currency,payouts,gross,withheld_8045,withheld_total,net",
        "2026-01,BRL,1,300.00,0.00,0.00,300.00",
        "2026-04,BRL,1,2000.00,30.00,30.00,1970.00",
        "2026-06,BRL,1,1500.00,22.50,22.50,1477.50",
        "total_2026,BRL,3,3800.00,52.50,52.50,3747.50",
    ]
    pdf = income_statement_pdf(informe)
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    for expected in ("Comprovante de Rendimentos Pagos e de Imposto sobre a Renda Retido na Fonte",
                     "Ano-calendário: 2026", "Parceria Demo Ltda", "11.222.333/0001-81", "Comercial Beneficiária S.A.",
                     "R$ 3.800,00", "R$ 52,50", "R$ 3.747,50", f"nº {failed.pk}"):
        assert expected in text, expected


# The API ----------------------------------------------------------------------------------------------


def _client(key: str | None) -> TestClient:
    api = NinjaAPI(auth=ApiKeyAuth(), urls_namespace=f"test-statements-{next(_seq)}")
    install_error_handlers(api)
    api.add_router("", router)
    return TestClient(api, headers={"Authorization": f"Bearer {key}"} if key else {})


@pytest.mark.django_db
def test_a_partner_downloads_its_own_statements():
    partner = build_march()
    client = _client(make_key("partner", partner))
    pdf = client.get(f"/partners/{partner.pk}/statements/2026-03.pdf")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf["Content-Disposition"] == f'attachment; filename="parceria-statement-{partner.pk}-2026-03.pdf"'
    assert pdf.content.startswith(b"%PDF")
    assert client.get(f"/partners/{partner.pk}/statements/2026-03.pdf?lang=en").status_code == 200
    csv_response = client.get(f"/partners/{partner.pk}/statements/2026-03.csv")
    assert (csv_response.status_code, csv_response["Content-Type"]) == (200, "text/csv; charset=utf-8")
    assert csv_response.content.decode() == statement_csv(statement_for(partner=partner, month=MARCH))
    informe = client.get(f"/partners/{partner.pk}/income-statements/2026.pdf")
    assert (informe.status_code, informe["Content-Type"]) == (200, "application/pdf")
    assert informe["Content-Disposition"] == f'attachment; filename="parceria-income-statement-{partner.pk}-2026.pdf"'
    informe_csv = client.get(f"/partners/{partner.pk}/income-statements/2026.csv")
    assert informe_csv.status_code == 200
    assert informe_csv.content.decode().splitlines()[-1] == "total_2026,BRL,1,1360.67,20.41,20.41,1340.26"


@pytest.mark.django_db
def test_another_partners_key_gets_404_on_every_statement_url():
    partner = build_march()
    other = _client(make_key("partner", make_partner()))
    for path in ("statements/2026-03.pdf", "statements/2026-03.csv", "income-statements/2026.pdf",
                 "income-statements/2026.csv", "statements/2026-13.pdf"):
        response = other.get(f"/partners/{partner.pk}/{path}")
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert _client(None).get(f"/partners/{partner.pk}/statements/2026-03.pdf").status_code == 401


@pytest.mark.django_db
def test_staff_read_any_partner_and_bad_input_is_a_422():
    partner = build_march()
    client = _client(make_key("finance"))
    assert client.get(f"/partners/{partner.pk}/statements/2026-03.csv").status_code == 200
    bad = [("statements/2026-13.pdf", "invalid_period"), ("statements/2026-13.csv", "invalid_period"),
           ("statements/march.pdf", "invalid_period"), ("statements/99999999999999999999-01.csv", "invalid_period"),
           ("statements/2026-03.pdf?lang=xx", "invalid_language"), ("income-statements/20x6.pdf", "invalid_year"),
           ("income-statements/0000.csv", "invalid_year")]
    for path, code in bad:
        response = client.get(f"/partners/{partner.pk}/{path}")
        assert (response.status_code, response.json()["error"]["code"]) == (422, code), path
    assert client.get(f"/partners/{partner.pk + 1000}/statements/2026-03.pdf").status_code == 404
    empty = client.get(f"/partners/{partner.pk}/statements/2020-01.csv")
    assert empty.status_code == 200
    assert empty.content.decode().splitlines()[-1].split(",")[:10] == [
        "2020-01-31", "closing_balance", "", "", "", "", "", "", "0.0000", "BRL"]
