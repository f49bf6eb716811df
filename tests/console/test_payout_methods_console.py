"""The console's close and batch pages speak payout methods: the partners a close cannot pay for want of a method
(the preview, the close's first page and the overview list them, each with its currency and balance), and the
batch's transfer files, one per method and currency, written all at once by "Export every file"."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest

from parceria.commissions.engine import Posting
from parceria.commissions.ledger import ledger_post
from parceria.common.audit import Actor
from parceria.partners.services import PartnerChanges, partner_update
from parceria.payouts.models import BatchExport, Payout, PayoutBatch
from parceria.payouts.selectors import payees_without_method
from parceria.payouts.services import batch_approve
from tests.console.conftest import MARCH, close_march
from tests.factories import ACTOR, at, credit, make_partner, make_payout

NO_METHOD = {"pix_key_type": "", "pix_key": ""}


def dollars(partner, amount: str) -> None:
    """A manual adjustment of `amount` USD in March, whatever the partner's own currency."""
    posting = Posting(partner.pk, "adjustment", "manual", Decimal(amount), "USD", None, None, "in dollars",
                      f"test-usd:{partner.pk}:{amount}")
    ledger_post([(posting, {"occurred_at": at("2026-03-20 12:00")})], created_by="tests")


def cells(html: str, table_class: str) -> list[list[str]]:
    """The text of each body cell (th or td) of the table of class `table_class`, row by row."""
    table = html.split(f'<table class="{table_class}">')[1].split("</table>")[0]
    body = table.split("<tbody>")[1]
    return [[unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def notice(html: str) -> str:
    """The text of the list of partners without a payout method, blanks collapsed."""
    section = html.split('<section class="notice no-method"')[1].split("</section>")[0]
    blocks = re.sub(r"</?(h2|p|ul|li)\b[^>]*>", " ", section.split(">", 1)[1])
    return " ".join(unescape(re.sub(r"<[^>]+>", "", blocks)).split())


@pytest.fixture
def unpaid(db):
    """Two Brazilian partners and a Mexican one without a method, a partner whose PIX key pays its balance, one whose
    PIX key cannot pay its balance in dollars, a partner paid by international transfer (any currency), a suspended
    partner without a method, and one without a method whose balance is a fraction of a centavo."""
    partners = {
        "sem": make_partner(name="Sem Método", **NO_METHOD),
        "outra": make_partner(name="Outra Sem Conta", **NO_METHOD),
        "mx": make_partner(name="Mexicana", country="MX", **NO_METHOD),
        "pix": make_partner(name="Com Pix"),
        "dollars": make_partner(name="Pix em Dólar"),
        "intl": make_partner(name="Exterior", country="US"),
        "suspended": make_partner(name="Suspensa", **NO_METHOD),
        "tiny": make_partner(name="Fração", **NO_METHOD),
    }
    for key, amount in {"sem": "800.00", "outra": "120.5050", "mx": "12345.67", "pix": "1000.00",
                        "intl": "400.00", "suspended": "300.00", "tiny": "0.0040"}.items():
        credit(partners[key], amount)
    dollars(partners["dollars"], "50.00")
    dollars(partners["pix"], "-10.00")  # a negative balance is not listed
    partner_update(partner=partners["suspended"], changes=PartnerChanges(status="suspended"), actor=ACTOR)
    return partners


def test_the_selector_lists_each_partner_no_method_pays_with_its_currency_and_balance(unpaid):
    found = [(p.partner.name, p.currency, str(p.balance)) for p in payees_without_method(MARCH)]
    assert found == [("Outra Sem Conta", "BRL", "120.5050"), ("Sem Método", "BRL", "800.0000"),
                     ("Mexicana", "MXN", "12345.6700"), ("Pix em Dólar", "USD", "50.0000")]
    assert payees_without_method(date(2026, 2, 1)) == []  # the credits are in March


def test_the_selector_reads_two_queries_however_many_partners(db, django_assert_num_queries):
    with django_assert_num_queries(2):
        assert payees_without_method(MARCH) == []
    credit(make_partner(**NO_METHOD), "200.00")
    with django_assert_num_queries(2):
        assert len(payees_without_method(MARCH)) == 1
    for _ in range(12):
        credit(make_partner(**NO_METHOD), "200.00")
        credit(make_partner(), "200.00")
    with django_assert_num_queries(2):
        assert len(payees_without_method(MARCH)) == 13


def test_the_preview_and_the_start_page_list_them_and_link_to_each(finance, unpaid):
    html = finance.get("/console/close/2026-03/").content.decode()
    assert notice(html) == (
        "Partners without a payout method "
        "2 partners cannot be paid: no payout method for BRL Outra Sem Conta (R$ 120.50) Sem Método (R$ 800.00) "
        "1 partner cannot be paid: no payout method for MXN Mexicana (MX$ 12,345.67) "
        "1 partner cannot be paid: no payout method for USD Pix em Dólar (US$ 50.00) "
        "Their balances are carried at each close until the partner adds a payout method that pays the currency "
        "(Payout details in the portal).")
    for key in ("sem", "outra", "mx", "dollars"):
        assert f'<a href="/console/partners/{unpaid[key].pk}/">' in html.split('class="notice no-method"')[1]
    for name in ("Com Pix", "Exterior", "Suspensa", "Fração"):
        assert name not in notice(html)
    start = finance.get("/console/close/").content.decode()
    assert notice(start) == notice(html)
    home = finance.get("/console/").content.decode()
    assert "2 partners cannot be paid: no payout method for BRL" in home
    assert "1 partner cannot be paid: no payout method for MXN" in home


def test_in_portuguese_and_spanish(finance, unpaid):
    pt = finance.get("/console/close/2026-03/", HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    assert "2 parceiros não podem ser pagos: nenhuma forma de pagamento em BRL" in notice(pt)
    es = finance.get("/console/close/2026-03/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "1 socio no puede recibir pagos: ningún método de pago en MXN" in notice(es)


def test_no_notice_when_every_partner_has_a_method(finance, db):
    credit(make_partner(name="Com Pix"), "1000.00")
    assert 'class="notice no-method"' not in finance.get("/console/close/2026-03/").content.decode()


# --- the batch's transfer files -------------------------------------------------------------------------------------


@pytest.fixture
def batch(db) -> PayoutBatch:
    """March closed and approved: two PIX payouts, a TED, a SPEI, international transfers in USD and in MXN, and a
    payout made before payout methods (no method, no PIX key); no withholding but on the US payees (IRRF on payouts
    abroad, 25 % by default: docs/payouts.md)."""
    partners = {
        "pix_a": make_partner(name="Pix A", tax_regime="pj_simples"),
        "pix_b": make_partner(name="Pix B", tax_regime="pj_simples"),
        "ted": make_partner(name="Ted", tax_regime="pj_simples", payout_method="br_ted"),
        "mx": make_partner(name="Mx", country="MX"),
        "us": make_partner(name="Us", country="US"),
        "us_mxn": make_partner(name="Us em pesos", country="US", currency="MXN"),
        "old": make_partner(name="Antiga", tax_regime="pj_simples"),
    }
    for key, amount in {"pix_a": "1000.00", "pix_b": "250.50", "ted": "2500.55", "mx": "12345.67", "us": "777.77",
                        "us_mxn": "4000.00"}.items():
        credit(partners[key], amount)
    found = close_march()
    make_payout(partners["old"], MARCH, "150.00", payment_date=date(2026, 4, 6))
    batch_approve(batch=found, actor=Actor(label="finance-1"))
    found.partners = partners  # type: ignore[attr-defined]
    return found


def payout_ids(batch: PayoutBatch, *keys: str) -> list[int]:
    return sorted(Payout.objects.get(batch=batch, partner=batch.partners[key]).pk for key in keys)  # type: ignore


def test_the_batch_page_has_one_row_per_file_and_currency(finance, batch):
    html = finance.get(f"/console/batches/{batch.pk}/").content.decode()
    assert cells(html, "transfer-files") == [
        ["No payout method: no file can send them", "BRL", "1", "R$ 150.00", "0"],
        ["PIX remittance (CNAB 240)", "BRL", "2", "R$ 1,250.50", "0"],
        ["TED remittance (CNAB 240)", "BRL", "1", "R$ 2,500.55", "0"],
        ["International transfers (CSV)", "MXN", "1", "MX$ 3,000.00", "0"],  # IRRF abroad: 25 % for a US payee
        ["International transfers (CSV)", "USD", "1", "US$ 583.33", "0"],
        ["SPEI (CSV)", "MXN", "1", "MX$ 12,345.67", "0"],
    ]
    assert f'action="/console/batches/{batch.pk}/export-all/"' in html
    # Each payout says where it goes, masked: the SPEI payout its bank and the CLABE's last 4 digits.
    assert "SPEI Banamex · CLABE ••••7771" in html and "002010077777777771" not in html
    kinds = re.findall(r'<option value="([a-z_]*)"', html.split('name="kind"')[1].split("</select>")[0])
    assert kinds == ["cnab", "cnab_ted", "spei", "cbu", "co_bank", "cl_bank", "intl", "csv"]
    currencies = re.findall(r'<option value="([A-Z]*)"', html.split('name="currency"')[1].split("</select>")[0])
    assert currencies == ["", "MXN", "USD"]  # the international transfers are in two currencies


def test_export_every_file_writes_one_file_per_group_and_a_second_press_says_nothing_is_left(finance, batch):
    answer = finance.post(f"/console/batches/{batch.pk}/export-all/")
    assert answer.status_code == 302 and answer["Location"] == f"/console/batches/{batch.pk}/#transfer-files"
    files = sorted((e.kind, e.filename.split("-")[-2] if e.kind not in ("cnab", "cnab_ted") else "BRL",
                    sorted(e.payout_ids)) for e in BatchExport.objects.filter(batch=batch))
    assert files == [
        ("cnab", "BRL", payout_ids(batch, "pix_a", "pix_b")),
        ("cnab_ted", "BRL", payout_ids(batch, "ted")),
        ("intl", "MXN", payout_ids(batch, "us_mxn")),
        ("intl", "USD", payout_ids(batch, "us")),
        ("spei", "MXN", payout_ids(batch, "mx")),
    ]
    html = finance.get(f"/console/batches/{batch.pk}/").content.decode()
    result = html.split('<section class="card result"')[1].split("</section>")[0]
    assert "5 files written:" in result
    for export in BatchExport.objects.filter(batch=batch):
        assert f'href="/console/batches/{batch.pk}/exports/{export.pk}/" download>{export.filename}</a>' in result
    old = Payout.objects.get(batch=batch, partner=batch.partners["old"])
    left_out = result.split('<ul class="exceptions">')[1].split("</ul>")[0]
    assert left_out == (f'<li><a href="/console/partners/{old.partner_id}/">Antiga</a> (R$ 150.00): '
                        "no payout method: the partner must add one</li>")
    assert [row[4] for row in cells(html, "transfer-files")] == ["0", "2", "1", "1", "1", "1"]

    again = finance.post(f"/console/batches/{batch.pk}/export-all/")
    assert again.status_code == 302 and BatchExport.objects.filter(batch=batch).count() == 5
    html = finance.get(f"/console/batches/{batch.pk}/").content.decode()
    assert "every payout of this batch is already in a transfer file" in html.split('class="card result"')[1]


def test_one_transfer_file_by_currency_through_the_form(finance, batch):
    refused = finance.post(f"/console/batches/{batch.pk}/export/", {"kind": "intl"})
    assert refused.status_code == 422 and BatchExport.objects.count() == 0
    assert "these payouts are in MXN, USD: choose one currency per file" in refused.content.decode()
    done = finance.post(f"/console/batches/{batch.pk}/export/", {"kind": "intl", "currency": "USD"})
    assert done.status_code == 302
    assert list(BatchExport.objects.values_list("kind", "payout_ids")) == [("intl", payout_ids(batch, "us"))]
    html = finance.get(f"/console/batches/{batch.pk}/").content.decode()
    assert 'name="currency"' in html  # still offered: a file the bank never received is sent again by currency
    again = finance.post(f"/console/batches/{batch.pk}/export/", {"kind": "intl", "currency": "USD", "again": "on"})
    assert again.status_code == 302
    assert list(BatchExport.objects.order_by("pk").values_list("kind", "payout_ids")) == [
        ("intl", payout_ids(batch, "us")), ("intl", payout_ids(batch, "us"))]


def test_an_unapproved_batch_is_not_exported(finance, db):
    credit(make_partner(name="Pix", tax_regime="pj_simples"), "1000.00")
    found = close_march()
    html = finance.get(f"/console/batches/{found.pk}/").content.decode()
    assert "/export-all/" not in html
    finance.post(f"/console/batches/{found.pk}/export-all/")
    assert BatchExport.objects.count() == 0
    assert "needs 1 approval(s) before export" in finance.get(f"/console/batches/{found.pk}/").content.decode()


def test_a_user_outside_finance_may_not_export(manager, batch):
    html = manager.get(f"/console/batches/{batch.pk}/").content.decode()
    assert "PIX remittance (CNAB 240)" in html and "/export-all/" not in html
    assert manager.post(f"/console/batches/{batch.pk}/export-all/").status_code == 403
    assert BatchExport.objects.count() == 0
