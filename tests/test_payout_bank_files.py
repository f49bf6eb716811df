"""Exporting approved batches (CNAB 240 PIX remittance, CSV) and importing the bank's return (SPEC §7.3)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import pytest
from django.core.management import call_command

from parceria.commissions.selectors import partner_balance
from parceria.common.audit import Actor
from parceria.common.errors import Conflict, InvalidInput
from parceria.partners.services import PartnerChanges, partner_update
from parceria.payouts.bank_files import batch_export, return_file_import
from parceria.payouts.close import period_close
from parceria.payouts.models import BatchExport, Payout, PayoutBatch
from parceria.payouts.selectors import payout_rows
from parceria.payouts.services import batch_approve
from tests.conftest import ApiClient
from tests.factories import SP, credit, make_key, make_partner
from tests.test_cnab import make_return

ACTOR = Actor.system("tests")
NOW = datetime(2026, 4, 6, 10, tzinfo=SP)


@pytest.fixture
def batch(db):
    with_key = make_partner(name="Com Chave", legal_name="Agência Com Chave Ltda", pix_key_type="email",
                            pix_key="Financeiro@ComChave.com.br")  # registered with its key: no 48-hour hold
    by_ted = make_partner(name="Com Conta", payout_method="br_ted")
    mexican = make_partner(country="MX")
    credit(with_key, "1000.00")
    credit(by_ted, "300.00")
    credit(mexican, "5000.00")
    period_close(month=date(2026, 3, 1), actor=ACTOR, now=NOW)
    return PayoutBatch.objects.get()


def test_an_unapproved_batch_cannot_be_exported(batch):
    with pytest.raises(Conflict, match="needs 1 approval"):
        batch_export(batch=batch, kind="cnab", actor=ACTOR, now=NOW)
    assert BatchExport.objects.count() == 0


def test_cnab_export_holds_the_brl_payouts_with_a_pix_key(batch):
    batch_approve(batch=batch, actor=Actor(label="finance-1"))
    result = batch_export(batch=batch, kind="cnab", actor=ACTOR, now=NOW)
    payouts = {p.payee_name: p for p in Payout.objects.all()}
    keyed = payouts["Agência Com Chave Ltda"]
    assert result.included == [keyed.pk]
    assert sorted(s["reason"] for s in result.skipped) == ["not paid in BRL", "paid by br_ted"]
    lines = result.export.content.split("\r\n")[:-1]
    assert all(len(line) == 240 for line in lines)
    assert len(lines) == 6  # file header, batch header, segments A and B, batch trailer, file trailer
    segment_a = next(line for line in lines if line[7] == "3" and line[13] == "A")
    segment_b = next(line for line in lines if line[7] == "3" and line[13] == "B")
    assert int(segment_a[119:134]) == 98500  # net 985.00 after IRRF 15.00, in cents
    assert segment_b[127:227].strip() == "financeiro@comchave.com.br"
    assert keyed.pix_key == "financeiro@comchave.com.br"
    assert result.export.file_sequence == 1
    with pytest.raises(Conflict) as info:  # nothing is sent twice by accident
        batch_export(batch=batch, kind="cnab", actor=ACTOR, now=NOW)
    already = {"payout_id": keyed.pk, "reason": f"already sent in {result.export.filename}"}
    assert already in info.value.details["skipped"]
    again = batch_export(batch=batch, kind="cnab", actor=ACTOR, now=NOW, again=True)
    assert (again.included, again.export.file_sequence) == ([keyed.pk], 2)


def test_a_cpf_key_that_is_not_the_payees_tax_id_is_exported_with_a_warning(db):
    other = make_partner(name="Chave de Outro", pix_key_type="cpf", pix_key="529.982.247-25")
    own = make_partner(name="Chave Própria", tax_id="11.444.777/0001-61", pix_key_type="cnpj",
                       pix_key="11444777000161")
    credit(other, "1000.00")
    credit(own, "1000.00")
    period_close(month=date(2026, 3, 1), actor=ACTOR, now=NOW)
    batch = PayoutBatch.objects.get()
    batch_approve(batch=batch, actor=Actor(label="finance-1"))
    result = batch_export(batch=batch, kind="cnab", actor=ACTOR, now=NOW)
    payout = Payout.objects.get(partner=other)
    assert len(result.included) == 2
    assert result.warnings == [{
        "payout_id": payout.pk,
        "warning": f"the PIX key is the CPF 52998224725, not the payee's own tax id {other.tax_id}: the money goes"
                   " to whoever holds that key",
    }]


def test_a_key_stored_before_the_rules_changed_is_left_out_not_blocking_the_file(db):
    landline = make_partner(name="Fixo", pix_key_type="email", pix_key="fixo@example.com")
    good = make_partner(name="Bom", pix_key_type="email", pix_key="bom@example.com")
    credit(landline, "1000.00")
    credit(good, "1000.00")
    period_close(month=date(2026, 3, 1), actor=ACTOR, now=NOW)
    batch = PayoutBatch.objects.get()
    batch_approve(batch=batch, actor=Actor(label="finance-1"))
    old = Payout.objects.get(partner=landline)
    Payout._base_manager.filter(pk=old.pk).update(pix_key_type="phone", pix_key="+551134567890")  # valid before
    result = batch_export(batch=batch, kind="cnab", actor=ACTOR, now=NOW)
    assert result.included == [Payout.objects.get(partner=good).pk]
    assert result.skipped == [{
        "payout_id": old.pk,
        "reason": "PIX key not valid now: phone key '+551134567890' must be a mobile number: +55, the area code"
                  " and 9 digits starting with 9 (DICT does not take landlines)",
    }]
    assert old.status_changes.count() == 0


def test_csv_export_lists_every_payout_still_to_pay(batch):
    batch_approve(batch=batch, actor=Actor(label="finance-1"))
    content = batch_export(batch=batch, kind="csv", actor=ACTOR, now=NOW).export.content
    lines = content.split("\r\n")
    assert lines[0].startswith("payout_id,partner_id,payee_name")
    assert len([line for line in lines[1:] if line]) == 3
    assert ",8045:15.00," in content


def test_a_return_file_marks_payouts_paid_or_failed_and_a_failure_restores_the_balance(batch):
    batch_approve(batch=batch, actor=Actor(label="finance-1"))
    remittance = batch_export(batch=batch, kind="cnab", actor=ACTOR, now=NOW).export.content
    (payout,) = Payout.objects.filter(pix_key__gt="")
    failed = make_return(remittance, {str(payout.pk): "AP"})
    report = return_file_import(text=failed, filename="RET001.ret", actor=ACTOR)
    assert (report.paid, report.failed, report.problems) == ([], [payout.pk], [])
    assert partner_balance(payout.partner).balance == D("1000.0000")
    again = return_file_import(text=failed, filename="RET001.ret", actor=ACTOR)
    assert (again.unchanged, again.failed) == ([payout.pk], [])
    contradiction = return_file_import(text=make_return(remittance, {str(payout.pk): "00"}), filename="RET002.ret",
                                       actor=ACTOR)
    assert contradiction.problems == [{"reference": str(payout.pk), "error": f"payout {payout.pk} is already failed"}]
    assert payout_rows(Payout.objects.filter(pk=payout.pk))[0]["status"] == "failed"


@pytest.mark.parametrize(
    ("code", "note"),
    [
        ("BD", "not final yet: BD: Pagamento agendado"),
        ("PD", "not final yet: PD: Aquisição confirmada (equivale à ocorrência 02 no layout de risco sacado)"),
    ],
)
def test_a_scheduled_or_informational_code_leaves_the_payout_pending(batch, code, note):
    batch_approve(batch=batch, actor=Actor(label="finance-1"))
    remittance = batch_export(batch=batch, kind="cnab", actor=ACTOR, now=NOW).export.content
    (payout,) = Payout.objects.filter(pix_key__gt="")
    report = return_file_import(text=make_return(remittance, {str(payout.pk): code}), filename="R.ret", actor=ACTOR)
    assert (report.paid, report.failed, report.unchanged, report.problems) == ([], [], [], [])
    assert report.pending == [{"reference": str(payout.pk), "codes": [code], "note": note}]
    assert payout.status_changes.count() == 0
    assert payout_rows(Payout.objects.filter(pk=payout.pk))[0]["status"] == "pending"
    assert partner_balance(payout.partner).balance == D("0.0000")  # nothing reversed
    paid = return_file_import(text=make_return(remittance, {str(payout.pk): "00"}), filename="R2.ret", actor=ACTOR)
    assert paid.paid == [payout.pk]  # the final answer still applies


@pytest.mark.parametrize("code", ["PJ", "PA", "Z9"])
def test_a_code_not_in_the_banks_table_is_never_counted_as_paid(batch, code, capsys, tmp_path):
    batch_approve(batch=batch, actor=Actor(label="finance-1"))
    remittance = batch_export(batch=batch, kind="cnab", actor=ACTOR, now=NOW).export.content
    (payout,) = Payout.objects.filter(pix_key__gt="")
    returned = make_return(remittance, {str(payout.pk): code})
    report = return_file_import(text=returned, filename="R.ret", actor=ACTOR)
    assert (report.paid, report.failed, report.pending) == ([], [], [])
    assert report.problems == [{
        "reference": str(payout.pk),
        "error": f"unknown return code {code}: left pending for review ({code}: not in the itau_sispag_pix return"
                 " table)",
    }]
    assert payout.status_changes.count() == 0
    assert partner_balance(payout.partner).balance == D("0.0000")
    ret = tmp_path / "r.ret"
    ret.write_text(returned, encoding="ascii", newline="")
    with pytest.raises(SystemExit) as exited:
        call_command("import_return", str(ret))
    assert exited.value.code == 2
    assert "0 paid, 0 failed, 0 unchanged, 0 pending, 1 problems" in capsys.readouterr().out


def test_a_broken_return_file_is_refused_with_its_line(batch):
    with pytest.raises(InvalidInput, match=r"bad\.ret: line 1"):
        return_file_import(text="too short\r\n", filename="bad.ret", actor=ACTOR)


def test_export_and_return_over_the_api(batch):
    finance = ApiClient(make_key("finance"))
    assert finance.post(f"/payout-batches/{batch.pk}/exports", {"format": "cnab"}).status_code == 409
    assert finance.post(f"/payout-batches/{batch.pk}/approve").json()["approved"] is True
    created = finance.post(f"/payout-batches/{batch.pk}/exports", {"format": "cnab"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["download"].startswith("/api/v1/")
    download = finance.get(body["download"].removeprefix("/api/v1"))
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="{body["filename"]}"'
    remittance = download.content.decode()
    (payout,) = Payout.objects.filter(pix_key__gt="")
    returned = make_return(remittance, {str(payout.pk): "00"})
    answer = finance.post("/payout-returns", {"filename": "RET.ret", "content": returned})
    assert answer.json() == {"paid": [payout.pk], "failed": [], "unchanged": [], "pending": [], "problems": []}
    assert finance.post(f"/payout-batches/{batch.pk}/exports", {"format": "xml"}).status_code == 422
    partner = ApiClient(make_key("partner", payout.partner))
    assert partner.post(f"/payout-batches/{batch.pk}/exports", {"format": "csv"}).status_code == 403


def test_the_commands_export_and_import(batch, tmp_path, capsys):
    batch_approve(batch=batch, actor=Actor(label="finance-1"))
    out = tmp_path / "pix.rem"
    call_command("export_payouts", "2026-03", "--format", "cnab", "--output", str(out))
    assert "1 payouts written" in capsys.readouterr().out
    ret = tmp_path / "pix.ret"
    (payout,) = Payout.objects.filter(pix_key__gt="")
    ret.write_text(make_return(out.read_bytes().decode("ascii"), {str(payout.pk): "00"}), encoding="ascii", newline="")
    call_command("import_return", str(ret))
    assert "1 paid, 0 failed" in capsys.readouterr().out


def test_invalid_pix_keys_are_refused_on_the_partner(db):
    partner = make_partner(pix_key_type="", pix_key="")
    with pytest.raises(InvalidInput) as info:
        partner_update(partner=partner, changes=PartnerChanges(pix_key_type="cpf", pix_key="111.444.777-36"),
                       actor=ACTOR)
    assert info.value.code == "invalid_pix_key"
    with pytest.raises(InvalidInput, match="go together"):
        partner_update(partner=partner, changes=PartnerChanges(pix_key_type="email"), actor=ACTOR)
    partner.refresh_from_db()
    assert (partner.pix_key_type, partner.pix_key) == ("", "")
