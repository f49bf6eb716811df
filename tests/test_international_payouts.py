"""A close with partners in five countries and abroad: one file per payout method and currency, Σ files = Σ approved
payouts to the cent, the TED remittance read back by a reader written from an independent layout, FX on the payouts
and the statement, and the balances that carry for want of a method."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal as D

import pytest

from parceria.common.audit import Actor
from parceria.common.errors import Conflict
from parceria.common.fx import fx_import_ptax
from parceria.payouts.bank_files import batch_export, batch_export_all, batch_transfer_groups, return_file_import
from parceria.payouts.close import period_close
from parceria.payouts.models import BatchExport, CarriedBalance, Payout, PayoutBatch
from parceria.payouts.services import batch_approve
from parceria.payouts.statements.monthly import statement_for
from parceria.payouts.statements.monthly_csv import statement_csv
from parceria.privacy.models import SharingRecord
from tests.factories import SP, credit, make_partner
from tests.test_cnab_ted import make_return, read_remittance

ACTOR = Actor.system("tests")
NOW = datetime(2026, 4, 6, 10, tzinfo=SP)
MARCH = date(2026, 3, 1)
# PTAX sell rates of 31 March 2026 (made up for the test, in the Banco Central's format): BRL per unit.
PTAX = """\
31032026;220;A;USD;5,4321;5,4327;1,0000;1,0000
31032026;741;A;MXN;0,3101;0,3102;17,5100;17,5200
31032026;706;A;ARS;0,003761;0,003762;1443,9000;1444,4000
31032026;720;A;COP;0,001301;0,001302;4172,0000;4173,0000
31032026;715;A;CLP;0,005950;0,005951;912,7000;913,0000
"""


def import_march_rates() -> None:
    """The PTAX rates above, and BCRA's USD→ARS rate that converts the ARS minimum payout (set in USD)."""
    fx_import_ptax(text=PTAX)
    fx_import_ptax(text="31032026;220;A;USD;1443,9000;1444,4000;1,0000;1,0000", quote="ARS", source="BCRA A 3500")


INTL = {"beneficiary_name": "Partner LLC", "beneficiary_address": "1 Main St, Austin TX", "bank_name": "Chase",
        "bank_country": "US", "bic": "CHASUS33", "iban": "", "account_number": "000123456789"}


@pytest.fixture
def batch(db):
    import_march_rates()
    partners = {
        "pix": make_partner(name="Pix"),  # a CNPJ key: IRRF 1.5 % on 1,000.00
        "ted": make_partner(name="Ted", tax_regime="pj_simples", payout_method="br_ted"),
        "mx": make_partner(name="Mx", country="MX"),
        "ar": make_partner(name="Ar", country="AR"),
        "co": make_partner(name="Co", country="CO"),
        "cl": make_partner(name="Cl", country="CL"),
        "us": make_partner(name="Us", country="US", payout_method="intl", payout_details=INTL),
        "none": make_partner(name="Sem Metodo", pix_key_type="", pix_key=""),
    }
    # IRRF abroad (code 0473, payouts/data/withholding.json): none for companies in Mexico, Argentina and Chile
    # (treaties), 25 % of the gross for Colombia (no convention in force) and the United States (the "*" default).
    amounts = {"pix": "1000.00", "ted": "2500.55", "mx": "12345.67", "ar": "250000.00", "co": "900000.00",
               "cl": "450000", "us": "777.77", "none": "800.00"}
    for key, amount in amounts.items():
        credit(partners[key], amount)
    period_close(month=MARCH, actor=ACTOR, now=NOW)
    found = PayoutBatch.objects.get()
    batch_approve(batch=found, actor=Actor(label="finance-1"))
    batch_approve(batch=found, actor=Actor(label="finance-2"))  # a total above the second-approval limit
    found.partners = partners  # type: ignore[attr-defined]
    return found


def test_a_partner_without_a_method_carries_and_says_why(batch):
    none = batch.partners["none"]
    assert not Payout.objects.filter(partner=none).exists()
    assert list(CarriedBalance.objects.filter(partner=none).values_list("balance", "reason")) == [
        (D("800.0000"), "no_method")]


def test_each_payout_records_its_method_and_the_net_in_brl(batch):
    rows = {p.partner.name: p for p in Payout.objects.select_related("partner")}
    assert {name: p.method for name, p in rows.items()} == {
        "Pix": "pix", "Ted": "br_ted", "Mx": "mx_spei", "Ar": "ar_cbu", "Co": "co_bank", "Cl": "cl_bank", "Us": "intl"}
    mx = rows["Mx"]
    assert (mx.currency, mx.net, mx.paid_from_currency, mx.fx_rate, mx.fx_source, mx.fx_date) == (
        "MXN", D("12345.6700"), "BRL", D("0.3102000000"), "BCB PTAX sell", date(2026, 3, 31))
    assert mx.paid_from_amount == D("3829.63")  # 12,345.67 × 0.3102 = 3,829.626 8…
    taxes = {name: [(t.code, t.amount) for t in p.withholdings.all()] for name, p in rows.items()}
    assert {name: taxes[name] for name in ("Mx", "Ar", "Cl", "Co", "Us")} == {
        "Mx": [], "Ar": [], "Cl": [], "Co": [("0473", D("225000.0000"))], "Us": [("0473", D("194.4400"))]}
    assert (rows["Co"].net, rows["Us"].net) == (D("675000.0000"), D("583.3300"))  # 25 % of 777.77 = 194.4425
    assert rows["Us"].paid_from_amount == D("3169.06")  # the net 583.33 × 5.4327 = 3,169.056 9…
    assert rows["Cl"].paid_from_amount == D("2677.95")  # 450,000 × 0.005951
    assert (rows["Pix"].paid_from_currency, rows["Pix"].fx_rate, rows["Pix"].paid_from_amount) == ("", None, None)
    assert rows["Ted"].account["bank_name"] == "Banco do Brasil" and rows["Ted"].net == D("2500.55")


def test_one_file_per_method_and_currency_whose_sums_are_the_approved_payouts(batch):
    groups = {(g.kind, g.currency): (g.count, g.net) for g in batch_transfer_groups(batch)}
    assert groups == {
        ("cnab", "BRL"): (1, D("985.0000")), ("cnab_ted", "BRL"): (1, D("2500.5500")),
        ("spei", "MXN"): (1, D("12345.6700")), ("cbu", "ARS"): (1, D("250000.0000")),
        ("co_bank", "COP"): (1, D("675000.0000")), ("cl_bank", "CLP"): (1, D("450000.0000")),
        ("intl", "USD"): (1, D("583.3300")),
    }
    results = batch_export_all(batch=batch, actor=ACTOR, now=NOW)
    assert sorted(r.export.kind for r in results) == ["cbu", "cl_bank", "cnab", "cnab_ted", "co_bank", "intl", "spei"]
    in_files: dict[str, D] = {}
    for result in results:
        export = result.export
        if export.kind in ("cnab", "cnab_ted"):
            trailer = export.content.split("\r\n")[-3]  # the batch trailer: its sum in cents at 24-41
            total = D(int(trailer[23:41])) / 100
        else:
            rows = list(csv.DictReader(io.StringIO(export.content)))
            total = sum((D(row["amount"]) for row in rows), D(0))
        currency = Payout.objects.get(pk=export.payout_ids[0]).currency
        in_files[currency] = in_files.get(currency, D(0)) + total
    approved: dict[str, D] = {}
    for payout in Payout.objects.filter(batch=batch):
        approved[payout.currency] = approved.get(payout.currency, D(0)) + payout.net
    assert in_files == approved == {"BRL": D("3485.55"), "MXN": D("12345.67"), "ARS": D("250000"),
                                    "COP": D("675000"), "CLP": D("450000"), "USD": D("583.33")}
    # Nothing goes out twice: a second "every file" finds nothing, and each payout is in exactly one file.
    with pytest.raises(Conflict, match="already in a transfer file"):
        batch_export_all(batch=batch, actor=ACTOR, now=NOW)
    carried = [pid for e in BatchExport.objects.filter(batch=batch) for pid in e.payout_ids]
    assert sorted(carried) == sorted(Payout.objects.filter(batch=batch).values_list("pk", flat=True))
    # A file is in the sharing log when it carries a person's data: here the American payee's tax id tells nothing,
    # so it counts as a person's (common.taxids.is_person); the other payees are companies.
    assert list(SharingRecord.objects.values_list("recipient", "channel", "categories")) == [
        ("the company's bank (intl bulk payment)", "bank_csv", ["pf_payee_tax"])]


def test_the_ted_remittance_reads_back_field_by_field(batch):
    result = batch_export(batch=batch, kind="cnab_ted", actor=ACTOR, now=NOW)
    ted = batch.partners["ted"]
    read = read_remittance(result.export.content)
    (payment,) = read.payments
    payout = Payout.objects.get(partner=ted)
    assert payment == {
        "sequence": "00001", "payee_bank": "001", "payee_agency": "01584", "payee_account": "000000210169",
        "dac_first": " ", "dac": "6", "payee_name": "PARTNER " + ted.legal_name.upper()[8:].ljust(22),
        "reference": str(payout.pk).ljust(20), "payment_date": "06042026", "transfer_identification": "01",
        "amount": "250055".zfill(15), "payee_tax_id": ted.tax_id, "ted_purpose": "00005",
    }
    assert result.export.filename == "parceria-ted-2026-03-000001.rem"
    # The bank's answer to the TED file is read with the TED layout (told by its batch header's payment method).
    report = return_file_import(text=make_return(result.export.content, {str(payout.pk): "00"}), filename="RET.ret",
                                actor=ACTOR)
    assert (report.paid, report.failed, report.problems) == ([payout.pk], [], [])


def test_the_spei_file_and_the_international_one(batch):
    spei = batch_export(batch=batch, kind="spei", actor=ACTOR, now=NOW).export
    (row,) = csv.DictReader(io.StringIO(spei.content))
    mx = batch.partners["mx"]
    assert (row["clabe"], row["bank_code"], row["amount"], row["currency"], row["beneficiary_rfc"]) == (
        "002010077777777771", "002", "12345.67", "MXN", mx.tax_id)
    intl = batch_export(batch=batch, kind="intl", actor=ACTOR, now=NOW).export
    (row,) = csv.DictReader(io.StringIO(intl.content))
    assert (row["bic"], row["account_number"], row["iban"], row["amount"], row["currency"]) == (
        "CHASUS33", "000123456789", "", "583.33", "USD")
    assert intl.filename == "parceria-intl-2026-03-USD-01.csv"


def test_the_statement_shows_both_currencies_with_the_rate(batch):
    mx = batch.partners["mx"]
    text = statement_csv(statement_for(partner=mx, month=MARCH))
    (row,) = [r for r in csv.reader(io.StringIO(text)) if r[1] == "payout_paid_from"]
    payout = Payout.objects.get(partner=mx)
    assert row[6:10] == ["0.3102000000", "12345.6700", "3829.6300", "BRL"]
    assert row[10] == (f"Payout #{payout.pk}: net 12345.6700 MXN paid from BRL at 0.3102000000 BRL per MXN "
                       "(BCB PTAX sell, 2026-03-31)")
