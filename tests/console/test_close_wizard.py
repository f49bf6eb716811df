"""The close wizard through the real views: preview figures, run, approve, export CNAB, import the return."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parceria.common.models import AuditRecord
from parceria.payouts.models import BatchApproval, BatchExport, Payout, PayoutBatch
from parceria.payouts.selectors import payout_rows
from tests.console.conftest import MARCH
from tests.factories import credit, make_partner
from tests.test_cnab import make_return


@pytest.fixture
def partners(db):
    keyed = make_partner(name="Com Chave", legal_name="Agência Com Chave Ltda", pix_key_type="email",
                         pix_key="fin@comchave.com.br")  # registered with its key: no 48-hour hold
    simples = make_partner(name="Simples", tax_regime="pj_simples", payout_method="br_ted")
    small = make_partner(name="Pequena")
    credit(keyed, "1000.00")
    credit(simples, "250.1234")
    credit(small, "99.99")
    return keyed, simples, small


def test_the_preview_shows_the_exact_plan_and_writes_nothing(finance, partners):
    page = finance.get("/console/close/", {"month": "2026-03"})
    assert page.status_code == 302 and page["Location"] == "/console/close/2026-03/"
    html = finance.get("/console/close/2026-03/").content.decode()
    assert "Agência Com Chave Ltda" in html
    assert "R$ 1,000.00" in html and "8045: R$ 15.00" in html and "R$ 985.00" in html  # IRRF 1.5 %
    assert "R$ 250.12" in html  # Simples: no withholding
    assert "R$ 99.99<" in html and "below the minimum payout" in html
    assert "1 partner carries less than R$ 0.01 (R$ 0.0034 in all)" in html  # the remainder of 250.1234
    assert "R$ 1,235.12" in html  # net to send: 985.00 + 250.12
    assert "Run the close of March 2026" in html
    assert PayoutBatch.objects.count() == 0 and AuditRecord.objects.filter(action="period.closed").count() == 0


def test_run_approve_export_and_import_the_return(finance, partners):
    keyed = partners[0]
    run = finance.post("/console/close/2026-03/", {"confirmed": "1"})
    batch = PayoutBatch.objects.get(period=MARCH)
    assert run.status_code == 302 and run["Location"] == f"/console/batches/{batch.pk}/"
    assert batch.payouts.count() == 2
    assert finance.get("/console/close/2026-03/")["Location"] == f"/console/batches/{batch.pk}/"  # closed: the batch

    confirm = finance.post(f"/console/batches/{batch.pk}/approve/")
    assert confirm.status_code == 200 and "Approve the batch" in confirm.content.decode()
    assert BatchApproval.objects.count() == 0  # the first POST only asks to confirm
    finance.post(f"/console/batches/{batch.pk}/approve/", {"confirmed": "1"})
    assert BatchApproval.objects.filter(batch=batch).count() == 1

    exported = finance.post(f"/console/batches/{batch.pk}/export/", {"kind": "cnab"})
    assert exported.status_code == 302
    export = BatchExport.objects.get(batch=batch, kind="cnab")
    page = finance.get(f"/console/batches/{batch.pk}/").content.decode()
    simples_payout = Payout.objects.get(partner=partners[1])
    assert f"/console/batches/{batch.pk}/exports/{export.pk}/" in page
    skipped = page.split('<ul class="exceptions">')[1].split("</ul>")[0]  # named by partner, not by payout number
    assert skipped == (f'<li><a href="/console/partners/{partners[1].pk}/">Simples</a> (R$ 250.12): '
                       "paid by Bank account (TED), in that method&#x27;s own file</li>")
    assert f"Payout #{simples_payout.pk}" not in page
    download = finance.get(f"/console/batches/{batch.pk}/exports/{export.pk}/")
    assert download["Content-Disposition"] == f'attachment; filename="{export.filename}"'
    content = download.content.decode()
    lines = content.split("\r\n")[:-1]
    assert len(lines) == 6 and all(len(line) == 240 for line in lines)

    payout = Payout.objects.get(partner=keyed)
    ret = make_return(content, {str(payout.pk): "00"})
    report = finance.post(f"/console/batches/{batch.pk}/return/",
                          {"file": SimpleUploadedFile("RET001.ret", ret.encode("latin-1"))})
    assert report.status_code == 200 and "Marked paid" in report.content.decode()
    assert f'<a href="/console/partners/{keyed.pk}/">Com Chave</a> (R$ 985.00)' in report.content.decode()
    assert payout_rows(Payout.objects.filter(pk=payout.pk))[0]["status"] == "paid"


def test_a_payout_is_marked_failed_by_hand_after_confirmation(finance, partners):
    finance.post("/console/close/2026-03/", {"confirmed": "1"})
    payout = Payout.objects.get(partner=partners[0])
    ask = finance.post(f"/console/payouts/{payout.pk}/mark/", {"status": "failed", "reference": "conta encerrada"})
    assert ask.status_code == 200 and "confirmed" in ask.content.decode()
    assert payout_rows(Payout.objects.filter(pk=payout.pk))[0]["status"] == "pending"
    done = finance.post(f"/console/payouts/{payout.pk}/mark/",
                        {"status": "failed", "reference": "conta encerrada", "confirmed": "1"})
    assert done.status_code == 302
    assert payout_rows(Payout.objects.filter(pk=payout.pk))[0]["status"] == "failed"


def test_a_partner_manager_may_read_the_close_but_not_run_it(manager, partners):
    assert manager.get("/console/close/2026-03/").status_code == 200
    assert manager.post("/console/close/2026-03/", {"confirmed": "1"}).status_code == 403
    assert PayoutBatch.objects.count() == 0
