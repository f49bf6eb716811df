"""Partner statements and the informe de rendimentos (SPEC §7.5): totals equal the ledger to the cent."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest
from django.test import Client
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from parceria.commissions.models import LedgerLine
from parceria.commissions.selectors import partner_balance
from parceria.common.audit import Actor
from parceria.common.dbsum import exact_sums
from parceria.common.formatting import format_money
from parceria.common.taxids import validate_tax_id
from parceria.payouts.close import period_close
from parceria.payouts.informe import income_statement_csv, income_statement_pdf
from parceria.payouts.informe.model import RegimeInfo, code_description, informe_data, parse_informe_data
from parceria.payouts.informe.statement import (
    IncomeStatement,
    PaidPayout,
    Party,
    RetentionRow,
    _income_rows,
    income_statement,
    paid_years,
    pf_figures,
    retention_rows,
    unplaced_withholdings,
)
from parceria.payouts.models import Payout, PayoutStatusChange
from parceria.payouts.services import payout_mark
from parceria.payouts.statements import statement_csv, statement_for, statement_pdf
from parceria.payouts.statements.formatting import formatted_tax_id
from parceria.payouts.statements.monthly_csv import STATEMENT_CSV_HEADER
from parceria.payouts.statements.withheld import Withheld
from tests.conftest import ApiClient
from tests.factories import SP, at, credit, ingest, make_customer, make_key, make_partner, make_payout, paid, refunded

MARCH = date(2026, 3, 1)
ACTOR = Actor.system("tests")


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
    assert totals.movement == sum((line.amount for line in statement.lines), D(0))
    assert exact_sums(ledger, "amount", "currency") == {"BRL": totals.movement}
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


def _pdf_text(pdf: bytes, *, layout: bool = True) -> str:
    """The PDF's text, whitespace collapsed: with `layout`, table rows read across; without, each box's text
    reads whole (a title beside another box)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian package poppler-utils) is not installed: the PDF's text is not checked")
    options = ["-layout"] if layout else []
    result = subprocess.run(["pdftotext", *options, "-", "-"], input=pdf, capture_output=True, check=True)
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

    assert validate_tax_id("BR", partner.tax_id).formatted in text


def _pdf_page_text(pdf: bytes, page: int) -> str:
    """One page's text (rows read across), whitespace collapsed."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian package poppler-utils) is not installed: the PDF's text is not checked")
    result = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), "-", "-"], input=pdf,
                            capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


@pytest.mark.django_db
def test_statement_pdf_starts_with_its_summary_on_page_one_before_the_lines():
    """A month of many lines: page 1 already shows every figure of the summary, to the ten-thousandth, and the
    payout of the close, before the lines."""
    partner = make_partner(tier="preferred", legal_name="Agência Longa Ltda")
    customer = make_customer(partner, name="Cliente Frequente", external_id="cus_long")
    credit(partner, "40.00", at="2026-02-10T12:00:00-03:00")
    for n in range(60):
        ingest(paid(customer, "100.00", invoice_id=f"inv_long_{n}", at=f"2026-03-{1 + n % 28:02d}T10:00:00-03:00"))
    ingest(refunded(customer, "inv_long_0", "40.00", at="2026-03-29T10:00:00-03:00"))
    credit(partner, "-12.3456", at="2026-03-30T12:00:00-03:00")
    close(MARCH, datetime(2026, 4, 5, 10, 0, tzinfo=SP))
    pdf = statement_pdf(statement_for(partner=partner, month=MARCH))
    assert "Página 2 /" in _pdf_page_text(pdf, 2)  # the lines go on past page 1
    first = _pdf_page_text(pdf, 1)
    # 60 × 25.0000 accrued; 25 % of 40.00 clawed back; −12.3456 adjusted; 40 + 1500 − 10 − 12.3456 = 1517.6544,
    # of which 1517.65 is paid and 0.0044 carries.
    for expected in ("Resumo", "Saldo inicial R$ 40,0000", "Comissões R$ 1.500,0000", "Estornos -R$ 10,0000",
                     "Ajustes -R$ 12,3456", "Pagamentos -R$ 1.517,6500", "Saldo final R$ 0,0044"):
        assert expected in first, expected
    assert first.index("Saldo final") < first.index("Lançamentos do período")
    assert "R$ 1.517,65" in first


@pytest.mark.django_db
def test_statement_pdf_in_english():
    partner = build_march()
    text = _pdf_text(statement_pdf(statement_for(partner=partner, month=MARCH), language="en"))
    for expected in ("Commission statement", "March 2026", "Closing balance R$ 0.0081", "Commissions accrued",
                     "R$ 1,333.3325"):
        assert expected in text, expected


@pytest.mark.django_db
def test_statement_pdf_in_spanish_from_the_catalogues():
    """The labels come from the gettext catalogues like every page, so a Spanish reader gets a Spanish PDF."""
    partner = build_march()
    text = _pdf_text(statement_pdf(statement_for(partner=partner, month=MARCH), language="es"))
    for expected in ("Estado de cuenta de comisiones", "Marzo de 2026", "Saldo inicial R$ 40,0000",
                     "Comisiones devengadas R$ 1.333,3325", "Saldo final R$ 0,0081", "Pagos del cierre",
                     "Importes en BRL: el libro mayor guarda 4 decimales", "Comisión"):
        assert expected in text, expected
    assert "Commission statement" not in text and "Extrato" not in text


@pytest.mark.django_db
def test_a_spanish_reader_downloads_a_spanish_statement_from_the_portal():
    from parceria.accounts.services import user_create
    from tests.factories import PASSWORD

    partner = build_march()
    user = user_create(username="ana@example.com", password=PASSWORD, role="partner_admin", partner=partner,
                       actor=ACTOR)
    client = Client()
    client.force_login(user)
    pdf = client.get("/portal/statements/2026-03.pdf", HTTP_ACCEPT_LANGUAGE="es")
    assert pdf.status_code == 200
    assert pdf["Content-Disposition"] == 'attachment; filename="parceria-statement-2026-03.pdf"'
    text = _pdf_text(pdf.content)
    assert "Estado de cuenta de comisiones" in text and "Marzo de 2026" in text


# The informe de rendimentos ---------------------------------------------------------------------------


def mark(payout: Payout, status: str, at: datetime) -> None:
    """Mark `payout` as the bank did on `at` (the mark itself is recorded when it runs: set its date)."""
    payout_mark(payout=payout, status=status, source="bank", reference="return file", actor=ACTOR, now=at)
    PayoutStatusChange._base_manager.filter(payout=payout, status=status).update(at=at)


def build_year():
    """Payouts to a PJ partner (IRRF 1.5 %, code 8045, not withheld when ≤ R$ 10.00), and what the bank did
    (each payout's payment date is the day its close ran):
    Oct 2025 closed 5 Nov 2025: 500.00, paid 10 Nov 2025;
    Nov 2025 closed 5 Dec 2025: 400.00 (tax 6.00, not withheld), marked paid 2 Jan 2026: counts in December 2025;
    Dec 2025 closed 5 Jan 2026: 300.00 (tax 4.50, not withheld), paid 8 Jan 2026: counts in January 2026;
    Mar 2026 closed 5 Apr: 2,000.00 − 30.00, paid 9 Apr;
    Apr closed 3 May: 1,000.00 − 15.00, failed on 10 May (the 1,000.00 goes back on the balance);
    May closed 3 Jun: the 1,000.00 again + 500.00 = 1,500.00 − 22.50, paid 8 Jun;
    Jun closed 3 Jul: 800.00 − 12.00, still pending."""
    partner = make_partner(legal_name="Comercial Beneficiária S.A.")
    steps = [("500.00", "2025-10-10", date(2025, 10, 1), "2025-11-05", ("paid", "2025-11-10")),
             ("400.00", "2025-11-10", date(2025, 11, 1), "2025-12-05", ("paid", "2026-01-02")),
             ("300.00", "2025-12-10", date(2025, 12, 1), "2026-01-05", ("paid", "2026-01-08")),
             ("2000.00", "2026-03-10", MARCH, "2026-04-05", ("paid", "2026-04-09")),
             ("1000.00", "2026-04-10", date(2026, 4, 1), "2026-05-03", ("failed", "2026-05-10")),
             ("500.00", "2026-05-15", date(2026, 5, 1), "2026-06-03", ("paid", "2026-06-08")),
             ("800.00", "2026-06-10", date(2026, 6, 1), "2026-07-03", None)]
    payouts = []
    for amount, day, month, closed, outcome in steps:
        credit(partner, amount, at=f"{day}T12:00:00-03:00")
        close(month, at(f"{closed} 10:00"))
        payout = Payout.objects.get(partner=partner, batch__period=month)
        if outcome:
            mark(payout, outcome[0], at(f"{outcome[1]} 10:00"))
        payouts.append(payout)
    return partner, payouts


@pytest.mark.django_db
def test_income_statement_counts_paid_payouts_in_the_month_of_their_payment_date_and_leaves_out_unpaid_ones():
    partner, (oct25, nov25, dec25, mar, apr, may, jun) = build_year()
    assert [(p.payment_date, p.gross, [(w.code, w.amount) for w in p.withholdings.all()])
            for p in (nov25, dec25, apr, jun)] == [
        (date(2025, 12, 5), D("400.00"), []), (date(2026, 1, 5), D("300.00"), []),
        (date(2026, 5, 3), D("1000.00"), [("8045", D("15.00"))]),
        (date(2026, 7, 3), D("800.00"), [("8045", D("12.00"))])]
    informe = income_statement(partner=partner, year=2026)
    assert [(r.month, r.payouts, r.gross, dict(r.withheld), r.net) for r in informe.months] == [
        (date(2026, 1, 1), 1, D("300.00"), {}, D("300.00")),
        (date(2026, 4, 1), 1, D("2000.00"), {"8045": D("30.00")}, D("1970.00")),
        (date(2026, 6, 1), 1, D("1500.00"), {"8045": D("22.50")}, D("1477.50")),
    ]
    (total,) = informe.totals
    assert (total.currency, total.payouts, total.gross, dict(total.withheld), total.withheld_total, total.net) == (
        "BRL", 3, D("3800.00"), {"8045": D("52.50")}, D("52.50"), D("3747.50"))
    assert [(p.id, p.payment_date) for p in informe.payouts] == [
        (dec25.pk, date(2026, 1, 5)), (mar.pk, date(2026, 4, 5)), (may.pk, date(2026, 6, 3))]
    # dated in 2026 but failed (its gross went back on the balance) or still pending: not income paid
    assert [(n.id, n.status, n.payment_date) for n in informe.not_counted] == [
        (apr.pk, "failed", date(2026, 5, 3)), (jun.pk, "pending", date(2026, 7, 3))]
    assert (informe.model, informe.exercicio, [code for code, _ in informe.codes]) == ("pj", 2027, ["8045"])
    assert (informe.payer.name, informe.payer.tax_id) == ("Parceria Demo Ltda", "11.222.333/0001-81")
    assert informe.beneficiary == Party("Comercial Beneficiária S.A.", formatted_tax_id("BR", partner.tax_id))
    assert informe.responsible == "Responsável Demo da Silva"
    # November's close ran on 5 December 2025: counted in December 2025 although marked paid on 2 January;
    # December's close ran on 5 January 2026: in the statement of 2026, listed in 2025's notes
    earlier = income_statement(partner=partner, year=2025)
    assert [(r.month, r.gross, r.net) for r in earlier.months] == [
        (date(2025, 11, 1), D("500.00"), D("500.00")), (date(2025, 12, 1), D("400.00"), D("400.00"))]
    assert [p.id for p in earlier.payouts] == [oct25.pk, nov25.pk]
    assert [(n.id, n.status, n.payment_date) for n in earlier.not_counted] == [(dec25.pk, "paid", date(2026, 1, 5))]
    later = income_statement(partner=partner, year=2027)
    assert (later.months, later.totals, later.not_counted) == ((), (), ())
    assert paid_years(partner) == [2026, 2025]


@pytest.mark.django_db
def test_the_company_model_lists_each_month_of_payment_with_its_retention_code():
    partner, _payouts = build_year()
    rows, totals = retention_rows(income_statement(partner=partner, year=2026))
    described = "Comissões e corretagens pagas a pessoa jurídica"
    assert rows == [
        RetentionRow(date(2026, 1, 1), "8045", described, "BRL", D("300.00"), D("0.00")),
        RetentionRow(date(2026, 4, 1), "8045", described, "BRL", D("2000.00"), D("30.00")),
        RetentionRow(date(2026, 6, 1), "8045", described, "BRL", D("1500.00"), D("22.50")),
    ]
    assert totals == [RetentionRow(None, "8045", described, "BRL", D("3800.00"), D("52.50"))]


@pytest.mark.django_db
def test_a_simples_nacional_company_gets_no_retention_code_and_a_note():
    partner = make_partner(tax_regime="pj_simples")
    credit(partner, "700.00", at="2026-03-10T12:00:00-03:00")
    close(MARCH, at("2026-04-05 10:00"))
    mark(Payout.objects.get(partner=partner), "paid", at("2026-04-08 10:00"))
    informe = income_statement(partner=partner, year=2026)
    rows, totals = retention_rows(informe)
    assert [(r.month, r.code, r.income, r.withheld) for r in rows + totals] == [
        (date(2026, 4, 1), "", D("700.00"), D("0.00")), (None, "", D("700.00"), D("0.00"))]
    text = _pdf_text(income_statement_pdf(informe))
    assert "optante pelo Simples Nacional" in text and "IN RFB 765/2007" in text


def hand_made_payout(partner, period: date, gross: str, withheld: dict[str, str], *, dated: str,
                     outcome: tuple[str, str] | None = None) -> Payout:
    """A payout of `period`'s close run on `dated` (its payment date), with the withholdings given (not
    computed), then marked by the bank as `outcome` (status, day) if given."""
    payout = make_payout(partner, period, gross, payment_date=date.fromisoformat(dated), withheld=withheld)
    if outcome:
        mark(payout, outcome[0], at(f"{outcome[1]} 10:00"))
    return payout


def build_individual():
    """An individual (PF), by payment date (the day each close ran) and what the bank did:
    5 Dec 2025: 3,000.00 (INSS 330.00) of November's close, marked paid on 2 Jan 2026: counts in December 2025;
    7 Jan 2026: 4,000.00 (INSS 440.00, IRRF 150.00) of December's close, paid 9 Jan;
    6 Feb: 9,000.00 (INSS 988.09, IRRF 1,234.56), marked paid on 2 Mar: counts in February;
    5 Mar: 1,000.00 of February's close, still pending;
    7 Apr: 2,500.00 (INSS 275.00 and 12.34 under a code the model has no line for), paid 8 Apr."""
    partner = make_partner(tax_regime="pf", legal_name="Maria Beneficiária Souza")
    nov25 = hand_made_payout(partner, date(2025, 11, 1), "3000.00", {"inss": "330.00"}, dated="2025-12-05",
                             outcome=("paid", "2026-01-02"))
    dec25 = hand_made_payout(partner, date(2025, 12, 1), "4000.00", {"inss": "440.00", "0588": "150.00"},
                             dated="2026-01-07", outcome=("paid", "2026-01-09"))
    hand_made_payout(partner, date(2026, 1, 1), "9000.00", {"inss": "988.09", "0588": "1234.56"}, dated="2026-02-06",
                     outcome=("paid", "2026-03-02"))
    pending = hand_made_payout(partner, date(2026, 2, 1), "1000.00", {}, dated="2026-03-05")
    hand_made_payout(partner, MARCH, "2500.00", {"inss": "275.00", "9999": "12.34"}, dated="2026-04-07",
                     outcome=("paid", "2026-04-08"))
    return partner, (nov25, dec25, pending)


@pytest.mark.django_db
def test_the_individual_model_puts_inss_in_quadro_3_line_02_and_irrf_in_line_05():
    partner, (nov25, dec25, pending) = build_individual()
    informe = income_statement(partner=partner, year=2026)
    figures = pf_figures(informe)
    assert (figures["q3_01"], figures["q3_02"], figures["q3_05"]) == (D("15500.00"), D("1703.09"), D("1384.56"))
    assert {key for key, amount in figures.items() if amount} == {"q3_01", "q3_02", "q3_05"}
    assert unplaced_withholdings(informe) == [("9999", D("12.34"))]
    assert [(r.month, r.gross) for r in informe.months] == [
        (date(2026, 1, 1), D("4000.00")), (date(2026, 2, 1), D("9000.00")), (date(2026, 4, 1), D("2500.00"))]
    assert [(n.id, n.status, n.payment_date) for n in informe.not_counted] == [
        (pending.pk, "pending", date(2026, 3, 5))]
    # the payout dated 5 December 2025 is income of 2025, whenever the bank confirmed it
    earlier = income_statement(partner=partner, year=2025)
    assert [(r.month, r.payouts, r.gross, dict(r.withheld), r.net) for r in earlier.months] == [
        (date(2025, 12, 1), 1, D("3000.00"), {"inss": D("330.00")}, D("2670.00"))]
    assert (pf_figures(earlier)["q3_01"], pf_figures(earlier)["q3_02"]) == (D("3000.00"), D("330.00"))
    assert [(n.id, n.status, n.payment_date) for n in earlier.not_counted] == [(dec25.pk, "paid", date(2026, 1, 7))]
    assert paid_years(partner) == [2026, 2025]
    assert nov25.pk not in {p.id for p in informe.payouts} | {n.id for n in informe.not_counted}
    pdf = income_statement_pdf(informe)
    text = _pdf_text(pdf)
    assert "Comprovante de Rendimentos Pagos e de Imposto sobre a Renda Retido na Fonte" in _pdf_text(pdf, layout=False)
    for expected in (
        "IMPOSTO SOBRE A RENDA DA PESSOA FÍSICA", "Exercício de 2027", "Ano-calendário de 2026",
        "1. Fonte Pagadora Pessoa Jurídica ou Pessoa Física", "11.222.333/0001-81", "Parceria Demo Ltda",
        "2. Pessoa Física Beneficiária dos Rendimentos", formatted_tax_id("BR", partner.tax_id),
        "Maria Beneficiária Souza", "Rendimentos do trabalho sem vínculo empregatício (comissões)",
        "01. Total dos rendimentos (inclusive férias) 15.500,00", "02. Contribuição previdenciária oficial 1.703,09",
        "05. Imposto sobre a renda retido na fonte 1.384,56", "4. Rendimentos Isentos e Não Tributáveis",
        "5. Rendimentos Sujeitos à Tributação Exclusiva", "6. Rendimentos Recebidos Acumuladamente",
        "7. Informações Complementares", "Janeiro/2026 4.000,00 150,00 0,00 440,00",
        "Fevereiro/2026 9.000,00 1.234,56 0,00 988,09",
        "Abril/2026 2.500,00 0,00 12,34 275,00",
        "Outras retenções: código 9999 (Test rule 9999): 12,34.", "8. Responsável pelas Informações",
        "Responsável Demo da Silva", "Assinatura", "Aprovado pela Instrução Normativa RFB nº 2.060",
        # the notes around the model, in Brazilian Portuguese by default
        "Sobre este informe de rendimentos", "no mês da data de pagamento de cada pagamento",
        f"O pagamento nº {pending.pk} (fechamento de 02/2026, R$ 1.000,00) não consta deste informe: pendente",
        "0588 IRRF sobre rendimentos do trabalho sem vínculo empregatício",
        "inss Contribuição previdenciária (INSS) retida do contribuinte individual"):
        assert expected in text, expected


@pytest.mark.django_db
def test_a_payout_is_reported_in_the_month_its_taxes_were_computed_for_not_the_month_it_was_marked_paid():
    """November's close runs on 5 December 2025: IRRF and INSS are computed for December 2025 under the 2025
    rules (INSS 11 % = 660.00; IRRF on 6,000.00 − 660.00 = 5,340.00: 27.5 % − 908.73 = 559.77, with no 2026
    reduction). The bank confirms it on 2 January 2026: it is income and tax of December 2025."""
    partner = make_partner(tax_regime="pf", legal_name="Carla Parceira Lima")
    credit(partner, "6000.00", at="2025-11-10T12:00:00-03:00")
    close(date(2025, 11, 1), at("2025-12-05 10:00"))
    payout = Payout.objects.get(partner=partner)
    taxes = [(w.code, w.rule.effective_from, w.amount) for w in payout.withholdings.order_by("code")]
    assert (payout.payment_date, taxes, payout.net) == (
        date(2025, 12, 5), [("0588", date(2025, 5, 1), D("559.77")), ("inss", date(2025, 1, 1), D("660.00"))],
        D("4780.23"))
    mark(payout, "paid", at("2026-01-02 10:00"))
    december = income_statement(partner=partner, year=2025)
    assert [(r.month, r.payouts, r.gross, dict(r.withheld), r.net) for r in december.months] == [
        (date(2025, 12, 1), 1, D("6000.00"), {"0588": D("559.77"), "inss": D("660.00")}, D("4780.23"))]
    figures = pf_figures(december)
    assert (figures["q3_01"], figures["q3_02"], figures["q3_05"]) == (D("6000.00"), D("660.00"), D("559.77"))
    assert december.not_counted == ()
    january = income_statement(partner=partner, year=2026)
    assert (january.payouts, january.months, january.totals, january.not_counted) == ((), (), (), ())
    assert paid_years(partner) == [2025]


@pytest.mark.django_db
def test_the_official_labels_stay_in_portuguese_and_the_notes_follow_the_reader():
    partner, (_nov25, dec25, pending) = build_individual()
    informe = income_statement(partner=partner, year=2026)
    spanish = _pdf_text(income_statement_pdf(informe, language="es"))
    for expected in ("Contribuição previdenciária oficial 1.703,09", "Acerca de este comprobante de ingresos",
                     f"El pago n.º {pending.pk} (cierre de 02/2026, R$ 1.000,00) no figura en este comprobante: "
                     "pendiente, aún no pagado.",
                     "inss Contribución a la seguridad social (INSS) retenida al contribuyente individual"):
        assert expected in spanish, expected
    earlier = _pdf_text(income_statement_pdf(income_statement(partner=partner, year=2025), language="es"))
    assert (f"El pago n.º {dec25.pk} (cierre de 12/2025, R$ 4.000,00) no figura en este comprobante: su fecha de "
            "pago es 07/01/2026, por lo que corresponde al comprobante de 2026.") in earlier
    english = _pdf_text(income_statement_pdf(informe, language="en"))
    for expected in ("Contribuição previdenciária oficial 1.703,09", "About this income statement",
                     f"Payout no. {pending.pk} (02/2026 close, R$ 1,000.00) is not in this statement: pending, not "
                     "paid yet.", "0588 Income tax withheld on work without employment (individuals)"):
        assert expected in english, expected
    earlier = _pdf_text(income_statement_pdf(income_statement(partner=partner, year=2025), language="en"))
    assert (f"Payout no. {dec25.pk} (12/2025 close, R$ 4,000.00) is not in this statement: its payment date is "
            "2026-01-07, so it belongs to the statement of 2026.") in earlier


@pytest.mark.django_db
def test_income_statement_csv_carries_payer_and_beneficiary_on_every_row():
    partner, _payouts = build_year()
    beneficiary = formatted_tax_id("BR", partner.tax_id)
    who = f"11.222.333/0001-81,Parceria Demo Ltda,{beneficiary},Comercial Beneficiária S.A."
    assert income_statement_csv(income_statement(partner=partner, year=2026)).splitlines() == [
        "payer_cnpj,payer_name,beneficiary_tax_id,beneficiary_name,month,currency,payouts,gross,withheld_8045,"
        "withheld_total,net",
        f"{who},2026-01,BRL,1,300.00,0.00,0.00,300.00",
        f"{who},2026-04,BRL,1,2000.00,30.00,30.00,1970.00",
        f"{who},2026-06,BRL,1,1500.00,22.50,22.50,1477.50",
        f"{who},total_2026,BRL,3,3800.00,52.50,52.50,3747.50",
    ]


@pytest.mark.django_db
def test_names_in_the_income_statement_csv_cannot_run_as_formulas():
    partner = make_partner(legal_name="=HYPERLINK(\"http://x\")")
    hand_made_payout(partner, MARCH, "300.00", {}, dated="2026-04-06", outcome=("paid", "2026-04-08"))
    rows = list(csv.reader(io.StringIO(income_statement_csv(income_statement(partner=partner, year=2026)))))
    assert [row[3] for row in rows[1:]] == ["'=HYPERLINK(\"http://x\")"] * 2
    assert rows[1][4:] == ["2026-04", "BRL", "1", "300.00", "0.00", "300.00"]


@pytest.mark.django_db
def test_the_company_model_pdf_has_every_required_field():
    partner, (_oct, _nov, dec25, _mar, apr, _may, jun) = build_year()
    pdf = income_statement_pdf(income_statement(partner=partner, year=2026))
    text = _pdf_text(pdf)
    assert ("Comprovante Anual de Rendimentos Pagos ou Creditados e de Retenção de Imposto de Renda na Fonte - Pessoa "
            "Jurídica") in _pdf_text(pdf, layout=False)
    for expected in (
        "Ano-calendário de 2026", "1. Fonte Pagadora", "Parceria Demo Ltda", "11.222.333/0001-81",
        "2. Pessoa Jurídica Beneficiária dos Rendimentos", "Comercial Beneficiária S.A.",
        formatted_tax_id("BR", partner.tax_id), "Código da retenção", "Imposto retido",
        "Janeiro/2026 8045 Comissões e corretagens pagas a pessoa jurídica 300,00 0,00",
        "Abril/2026 8045 Comissões e corretagens pagas a pessoa jurídica 2.000,00 30,00",
        "Junho/2026 8045 Comissões e corretagens pagas a pessoa jurídica 1.500,00 22,50",
        "Total 8045 Comissões e corretagens pagas a pessoa jurídica 3.800,00 52,50",
        "5. Responsável pelas Informações", "Responsável Demo da Silva", "Instrução Normativa SRF nº 119",
        f"O pagamento nº {apr.pk} (fechamento de 04/2026, R$ 1.000,00)",
        f"O pagamento nº {jun.pk} (fechamento de 06/2026, R$ 800,00) não consta deste informe: pendente"):
        assert expected in text, expected
    earlier = _pdf_text(income_statement_pdf(income_statement(partner=partner, year=2025)))
    for expected in ("Novembro/2025 8045 Comissões e corretagens pagas a pessoa jurídica 500,00 0,00",
                     "Dezembro/2025 8045 Comissões e corretagens pagas a pessoa jurídica 400,00 0,00",
                     "Total 8045 Comissões e corretagens pagas a pessoa jurídica 900,00 0,00",
                     f"O pagamento nº {dec25.pk} (fechamento de 12/2025, R$ 300,00) não consta deste informe: sua data "
                     "de pagamento é 05/01/2026, portanto pertence ao informe de 2026."):
        assert expected in earlier, expected


@pytest.mark.django_db
def test_a_partner_outside_brazil_gets_a_plain_statement_in_the_readers_language():
    partner = make_partner(country="MX", legal_name="Socio Mexicano SA de CV")
    credit(partner, "5000.00", at="2026-03-10T12:00:00-03:00")
    close(MARCH, at("2026-04-05 10:00"))
    payout = Payout.objects.get(partner=partner)
    mark(payout, "paid", at("2026-04-09 10:00"))
    informe = income_statement(partner=partner, year=2026)
    assert informe.model == "other"
    text = _pdf_text(income_statement_pdf(informe, language="es"))
    for expected in ("Resumen anual de pagos", "Año calendario 2026", "Socio Mexicano SA de CV",
                     f"Abril de 2026 {format_money(payout.gross, payout.currency, language='es')}"):
        assert expected in text, expected
    assert "Comprovante" not in text


PAID = st.builds(
    lambda day, currency, gross, taxes: PaidPayout(
        0, date(2026, 1, 1), date(2026, 1, 1) + timedelta(days=day), currency, gross,
        gross - sum((amount for _, amount in taxes), D(0)),
        tuple(Withheld(code, code, gross, amount) for code, amount in taxes)),
    st.integers(0, 364), st.sampled_from(["BRL", "USD"]),
    st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2),
    st.lists(st.tuples(st.sampled_from(["inss", "0588", "8045", "9999"]),
                       st.decimals(min_value=D("0.00"), max_value=D("999.99"), places=2)),
             max_size=3, unique_by=lambda tax: tax[0]),
)


@given(st.lists(PAID, max_size=12), st.sampled_from(["pf", "pj"]))
@hypothesis_settings(max_examples=60, deadline=None)
def test_every_figure_of_the_informe_adds_up_to_the_payouts_paid(payouts, model):
    months, totals = _income_rows(payouts, by_month=True), _income_rows(payouts, by_month=False)
    informe = IncomeStatement(None, 2026, model, RegimeInfo(model, default_code="8045" if model == "pj" else None),
                              Party("", ""), Party("", ""), "", (), tuple(payouts), months, totals, ())

    def paid(currency: str, codes: set[str] | None = None) -> D:
        if codes is None:
            return sum((p.gross for p in payouts if p.currency == currency), D(0))
        return sum((w.amount for p in payouts if p.currency == currency for w in p.withheld if w.code in codes), D(0))

    for row in totals:
        in_months = [m for m in months if m.currency == row.currency]
        assert row.gross == sum((m.gross for m in in_months), D(0)) == paid(row.currency)
        assert row.net == row.gross - row.withheld_total
        assert row.payouts == sum(m.payouts for m in in_months) == len([p for p in payouts
                                                                       if p.currency == row.currency])
    figures = pf_figures(informe)
    assert (figures["q3_01"], figures["q3_02"], figures["q3_05"]) == (
        paid("BRL"), paid("BRL", {"inss"}), paid("BRL", {"0588"}))
    assert sum(amount for _, amount in unplaced_withholdings(informe)) == paid("BRL", {"8045", "9999"})
    rows, code_totals = retention_rows(informe)
    gross_of = {m.month: m.gross for m in months if m.currency == "BRL"}
    assert {r.month for r in rows} == set(gross_of) and all(r.income == gross_of[r.month] for r in rows)
    for total in code_totals:
        assert total.currency == "BRL" and total.withheld == paid("BRL", {total.code})
        assert total.income == sum((r.income for r in rows if r.code == total.code), D(0))
    if model == "pj" and gross_of:  # every month is listed under 8045: its income is the year's gross
        assert next(t.income for t in code_totals if t.code == "8045") == paid("BRL")


def test_informe_data_places_each_code_on_a_line_of_the_model_and_every_description_is_translated():
    data = informe_data()
    assert (data.codes["inss"].pf_line, data.codes["0588"].pf_line, data.codes["8045"].pf_line) == (
        "q3_02", "q3_05", None)
    assert {regime: info.model for regime, info in data.regimes.items()} == {
        "pf": "pf", "pj": "pj", "pj_simples": "pj", "foreign": "other"}
    for info in data.codes.values():
        for language in ("pt-br", "es"):
            with translation.override(language):
                assert code_description(info.code) not in ("", info.description), (info.code, language)
    code = {"official": "x", "description": "x"}
    regimes = {regime: {"model": "pj"} for regime in ("pf", "pj", "pj_simples", "foreign")}
    for bad, message in (({"codes": {"x": {**code, "pf_line": "q9_99"}}, "regimes": regimes}, "q9_99"),
                         ({"codes": {"x": {**code, "pf_line": "q3_01"}}, "regimes": regimes}, "q3_01"),
                         ({"codes": {}, "regimes": {**regimes, "pf": {"model": "nope"}}}, "nope"),
                         ({"codes": {}, "regimes": {**regimes, "pj": {"model": "pj", "default_code": "1"}}}, "'1'"),
                         ({"codes": {}, "regimes": {"pf": {"model": "pf"}}}, "foreign")):
        with pytest.raises(ValueError, match=message):
            parse_informe_data(bad)


@pytest.mark.django_db
def test_staff_download_a_partners_informe_from_the_console(finance, analyst):
    partner, _payouts = build_year()
    base = f"/console/partners/{partner.pk}/income-statements"
    page = finance.get(f"/console/partners/{partner.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"{base}/2026.pdf" in page and f"{base}/2025.csv" in page and f"{base}/2027.pdf" not in page
    pdf = finance.get(f"{base}/2026.pdf", HTTP_ACCEPT_LANGUAGE="es")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf["Content-Disposition"] == f'attachment; filename="parceria-informe-de-rendimentos-{partner.pk}-2026.pdf"'
    text = _pdf_text(pdf.content)
    assert "Acerca de este comprobante de ingresos" in text and "Relação de Rendimentos e Retenções" in text
    csv_text = analyst.get(f"{base}/2026.csv").content.decode()
    assert csv_text == income_statement_csv(income_statement(partner=partner, year=2026))
    assert finance.get(f"{base}/1999.pdf").status_code == 404
    assert finance.get(f"/console/partners/{partner.pk + 1000}/income-statements/2026.csv").status_code == 404


@pytest.mark.django_db
def test_the_portal_lists_an_informe_once_a_payout_is_paid_and_writes_its_notes_in_the_users_language():
    from parceria.accounts.services import user_create
    from tests.factories import PASSWORD

    partner = make_partner(tax_regime="pf", legal_name="Joana Parceira")
    user = user_create(username="joana@example.com", password=PASSWORD, role="partner_admin", partner=partner,
                       actor=ACTOR)
    client = Client()
    client.force_login(user)
    payout = hand_made_payout(partner, date(2025, 11, 1), "3000.00", {"inss": "330.00"}, dated="2025-12-05")
    assert "/portal/income-statements/2025.pdf" not in client.get("/portal/payouts/").content.decode()
    mark(payout, "paid", at("2026-01-02 10:00"))  # the year of its payment date is listed, not the year of the mark
    page = client.get("/portal/payouts/").content.decode()
    assert "/portal/income-statements/2025.pdf" in page and "/portal/income-statements/2026.pdf" not in page
    pdf = client.get("/portal/income-statements/2025.pdf", HTTP_ACCEPT_LANGUAGE="es")
    text = _pdf_text(pdf.content)
    assert "02. Contribuição previdenciária oficial 330,00" in text and "Acerca de este comprobante" in text
    rows = client.get("/portal/income-statements/2025.csv").content.decode().splitlines()
    assert rows[1].startswith(f"11.222.333/0001-81,Parceria Demo Ltda,{formatted_tax_id('BR', partner.tax_id)},"
                              "Joana Parceira,2025-12,BRL,1,3000.00,330.00,330.00,2670.00")


# The API ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_partner_downloads_its_own_statements():
    partner = build_march()
    client = ApiClient(make_key("partner", partner))
    pdf = client.get(f"/partners/{partner.pk}/statements/2026-03.pdf")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf["Content-Disposition"] == f'attachment; filename="parceria-statement-{partner.pk}-2026-03.pdf"'
    assert pdf.content.startswith(b"%PDF")
    for lang in ("en", "es"):
        assert client.get(f"/partners/{partner.pk}/statements/2026-03.pdf?lang={lang}").status_code == 200
    csv_response = client.get(f"/partners/{partner.pk}/statements/2026-03.csv")
    assert (csv_response.status_code, csv_response["Content-Type"]) == (200, "text/csv; charset=utf-8")
    assert csv_response.content.decode() == statement_csv(statement_for(partner=partner, month=MARCH))
    informe = client.get(f"/partners/{partner.pk}/income-statements/2026.pdf")
    assert (informe.status_code, informe["Content-Type"]) == (200, "application/pdf")
    assert informe["Content-Disposition"] == f'attachment; filename="parceria-income-statement-{partner.pk}-2026.pdf"'
    informe_csv = client.get(f"/partners/{partner.pk}/income-statements/2026.csv")
    assert informe_csv.status_code == 200
    assert informe_csv.content.decode().splitlines()[1:] == []  # the payout is pending: no income paid yet
    mark(Payout.objects.get(partner=partner), "paid", at("2026-04-10 10:00"))
    who = f"11.222.333/0001-81,Parceria Demo Ltda,{formatted_tax_id('BR', partner.tax_id)},Agência Exemplo Ltda"
    assert client.get(f"/partners/{partner.pk}/income-statements/2026.csv").content.decode().splitlines()[1:] == [
        f"{who},2026-04,BRL,1,1360.67,20.41,20.41,1340.26", f"{who},total_2026,BRL,1,1360.67,20.41,20.41,1340.26"]
    for lang in ("es", "en"):
        assert client.get(f"/partners/{partner.pk}/income-statements/2026.pdf?lang={lang}").status_code == 200


@pytest.mark.django_db
def test_another_partners_key_gets_404_on_every_statement_url():
    partner = build_march()
    other = ApiClient(make_key("partner", make_partner()))
    for path in ("statements/2026-03.pdf", "statements/2026-03.csv", "income-statements/2026.pdf",
                 "income-statements/2026.csv", "statements/2026-13.pdf"):
        response = other.get(f"/partners/{partner.pk}/{path}")
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert ApiClient(None).get(f"/partners/{partner.pk}/statements/2026-03.pdf").status_code == 401


@pytest.mark.django_db
def test_staff_read_any_partner_and_bad_input_is_a_422():
    partner = build_march()
    client = ApiClient(make_key("finance"))
    assert client.get(f"/partners/{partner.pk}/statements/2026-03.csv").status_code == 200
    bad = [("statements/2026-13.pdf", "invalid_period"), ("statements/2026-13.csv", "invalid_period"),
           ("statements/march.pdf", "invalid_period"), ("statements/99999999999999999999-01.csv", "invalid_period"),
           ("statements/2026-03.pdf?lang=xx", "invalid_language"),
           ("income-statements/2026.pdf?lang=fr", "invalid_language"), ("income-statements/20x6.pdf", "invalid_year"),
           ("income-statements/0000.csv", "invalid_year")]
    for path, code in bad:
        response = client.get(f"/partners/{partner.pk}/{path}")
        assert (response.status_code, response.json()["error"]["code"]) == (422, code), path
    assert client.get(f"/partners/{partner.pk + 1000}/statements/2026-03.pdf").status_code == 404
    empty = client.get(f"/partners/{partner.pk}/statements/2020-01.csv")
    assert empty.status_code == 200
    assert empty.content.decode().splitlines()[-1].split(",")[:10] == [
        "2020-01-31", "closing_balance", "", "", "", "", "", "", "0.0000", "BRL"]
