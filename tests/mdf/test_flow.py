"""Marketing development funds through a close: a reimbursement is paid with the balance but outside the withholding
base, shows in the statement apart, and stays out of the income statement."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal as D

import pytest
from pypdf import PdfReader

from parceria.commissions.models import LedgerKind, LedgerLine
from parceria.commissions.selectors import partner_balance
from parceria.common.audit import Actor
from parceria.common.errors import Conflict, InvalidInput
from parceria.mdf.models import Budget, FundRequest, ProofFile, RequestStatus
from parceria.mdf.services import (
    Upload,
    budgets_create,
    claim_decide,
    claim_submit,
    mdf_expire,
    request_create,
    request_decide,
)
from parceria.partners.models import Partner
from parceria.payouts.bank_files import batch_export
from parceria.payouts.close import period_close
from parceria.payouts.informe.statement import income_statement
from parceria.payouts.models import Payout, PayoutBatch
from parceria.payouts.services import batch_approve, payout_mark
from parceria.payouts.statements.monthly import statement_for
from parceria.payouts.statements.monthly_pdf import statement_pdf
from parceria.webhooks.models import OutboxEvent
from tests.factories import SP, at, credit, make_partner
from tests.mdf.conftest import pdf_bytes, png_bytes

ACTOR = Actor.system("tests")
STAFF = Actor(label="user:staff")
Q1 = date(2026, 1, 1)
CLOSE_AT = datetime(2026, 4, 6, 10, tzinfo=SP)


def eligible(tier: str = "preferred", **fields: object) -> Partner:
    partner = make_partner(**fields)
    Partner.objects.filter(pk=partner.pk).update(tier=tier)
    partner.refresh_from_db()
    return partner


def approved_request(partner: Partner, amount: str = "3000.00", approve: str | None = None) -> FundRequest:
    budgets_create(quarter=Q1, actor=ACTOR)
    request = request_create(
        partner=partner, actor=ACTOR, title="Evento em São Paulo", kind="event", planned_on=date(2026, 2, 20),
        amount=D(amount), description="Café da manhã com clientes", expected_results="10 oportunidades",
        today=date(2026, 2, 1),
    )
    return request_decide(request=request, approve=True, actor=STAFF, amount=D(approve) if approve else None,
                          reason="menos público" if approve else "", now=at("2026-02-02 10:00"))


@pytest.mark.django_db
def test_pf_partner_reimbursement_is_paid_outside_the_withholding_base_and_out_of_the_informe():
    partner = eligible(tax_regime="pf", pix_key_type="email", pix_key="pf@example.com")
    credit(partner, "1000.00")  # commissions of March
    request = approved_request(partner)
    request = claim_submit(request=request, amount=D("2600.00"), files=[Upload("nf.pdf", pdf_bytes()),
                           Upload("recibo.png", png_bytes())], actor=ACTOR, today=date(2026, 3, 10),
                           now=at("2026-03-10 10:00"))
    request = claim_decide(request=request, approve=True, actor=STAFF, amount=D("2500.00"), reason="sem nota do buffet",
                           now=at("2026-03-20 10:00"))
    assert (request.status, request.reimbursement) == (RequestStatus.REIMBURSED, D("2500.00"))
    line = LedgerLine.objects.get(kind=LedgerKind.MDF)
    assert (line.rule, line.amount, line.currency, line.period) == ("mdf", D("2500.0000"), "BRL", date(2026, 3, 1))
    assert partner_balance(partner).balance == D("3500.00")

    plan = period_close(month=date(2026, 3, 1), actor=ACTOR, now=CLOSE_AT)
    (planned,) = plan.payouts
    # pf: INSS 11 % of the commissions only (R$ 1,000.00); IRRF: base ≤ R$ 5,000.00 in 2026, nothing.
    assert [(t.code, t.base, t.amount) for t in planned.withholdings] == [("inss", D("1000.00"), D("110.00"))]
    payout = Payout.objects.get(partner=partner)
    assert (payout.gross, payout.reimbursement, payout.net) == (D("3500.00"), D("2500.00"), D("3390.00"))
    assert [(w.code, w.base, w.amount) for w in payout.withholdings.all()] == [("inss", D("1000.00"), D("110.00"))]

    batch = PayoutBatch.objects.get()
    batch_approve(batch=batch, actor=Actor(label="finance-1"))
    lines = batch_export(batch=batch, kind="cnab", actor=ACTOR, now=CLOSE_AT).export.content.split("\r\n")
    segment_a = next(line for line in lines if line[7:8] == "3" and line[13:14] == "A")
    assert int(segment_a[119:134]) == 339000  # the net, in cents

    statement = statement_for(partner=partner, month=date(2026, 3, 1))
    assert [(s.kind, s.amount) for s in statement.reimbursement_lines] == [("mdf", D("2500.0000"))]
    assert [s.kind for s in statement.commission_lines] == ["adjustment", "payout"]
    (shown,) = statement.payouts
    assert (shown.gross, shown.reimbursement, shown.commission_gross) == (D("3500.00"), D("2500.00"), D("1000.00"))
    assert statement.totals[0].reimbursed == D("2500.0000")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(statement_pdf(statement))).pages)
    assert "Reembolsos de fundos de marketing" in text
    assert "dos quais R$ 2.500,00 de reembolso de fundo de marketing" in text

    payout_mark(payout=payout, status="paid", source="manual", actor=ACTOR, now=CLOSE_AT)
    informe = income_statement(partner=partner, year=2026)
    total = informe.in_currency("BRL")
    assert total is not None
    assert (total.gross, total.withheld_total, total.net) == (D("1000.00"), D("110.00"), D("890.00"))


@pytest.mark.django_db
def test_pj_reimbursement_is_not_withheld_and_a_second_close_pays_it_once():
    partner = eligible(tax_regime="pj")
    credit(partner, "1000.00")
    request = approved_request(partner, "2500.00")
    request = claim_submit(request=request, amount=D("2500.00"), files=[Upload("nf.pdf", pdf_bytes())], actor=ACTOR,
                           today=date(2026, 3, 10), now=at("2026-03-10 10:00"))
    claim_decide(request=request, approve=True, actor=STAFF, now=at("2026-03-20 10:00"))
    period_close(month=date(2026, 3, 1), actor=ACTOR, now=CLOSE_AT)
    payout = Payout.objects.get()
    assert [(w.code, w.base, w.amount) for w in payout.withholdings.all()] == [("8045", D("1000.00"), D("15.00"))]
    assert (payout.gross, payout.reimbursement, payout.net) == (D("3500.00"), D("2500.00"), D("3485.00"))
    # April: only commissions; the reimbursement was paid in March and is not taken out of the base again.
    credit(partner, "1000.00", at="2026-04-15T12:00:00-03:00")
    period_close(month=date(2026, 4, 1), actor=ACTOR, now=datetime(2026, 5, 6, 10, tzinfo=SP))
    april = Payout.objects.get(batch__period=date(2026, 4, 1))
    assert (april.gross, april.reimbursement, april.net) == (D("1000.00"), D("0.0000"), D("985.00"))


@pytest.mark.django_db
def test_a_claim_above_the_approved_amount_is_refused_and_stores_nothing(receipt):
    partner = eligible()
    request = approved_request(partner, "3000.00", approve="2000.00")
    with pytest.raises(InvalidInput, match=r"more than the 2000\.0000 BRL approved"):
        claim_submit(request=request, amount=D("2000.01"), files=[receipt], actor=ACTOR, today=date(2026, 3, 10))
    request.refresh_from_db()
    assert (request.status, request.claimed_amount) == (RequestStatus.APPROVED, None)
    assert ProofFile.objects.count() == 0


@pytest.mark.django_db
def test_a_claim_after_the_deadline_is_refused_and_the_request_expires(receipt):
    partner = eligible()
    request = approved_request(partner)
    # Q1 ends 2026-03-31; claims have 30 days (PARCERIA_MDF CLAIM_GRACE_DAYS): the last day is 2026-04-30.
    with pytest.raises(Conflict, match="the claim period ended on 2026-04-30"):
        claim_submit(request=request, amount=D("100.00"), files=[receipt], actor=ACTOR, today=date(2026, 5, 1))
    assert ProofFile.objects.count() == 0
    assert mdf_expire(today=date(2026, 4, 30), actor=ACTOR).requests == []
    run = mdf_expire(today=date(2026, 5, 1), actor=ACTOR)
    assert [r.pk for r in run.requests] == [request.pk]
    request.refresh_from_db()
    assert request.status == RequestStatus.EXPIRED
    assert mdf_expire(today=date(2026, 5, 2), actor=ACTOR).requests == []  # idempotent


@pytest.mark.django_db
def test_the_budget_expires_at_the_quarter_end_and_is_not_requested_after():
    partner = eligible()
    budgets_create(quarter=Q1, actor=ACTOR)
    assert Budget.objects.get().expires_on == date(2026, 3, 31)  # grace 0 days by default
    with pytest.raises(Conflict, match="no marketing fund open"):
        request_create(partner=partner, actor=ACTOR, title="x", kind="event", planned_on=date(2026, 4, 2),
                       amount=D("10.00"), description="d", expected_results="r", today=date(2026, 4, 1))
    assert FundRequest.objects.count() == 0
    dry = mdf_expire(today=date(2026, 4, 1), actor=ACTOR, dry_run=True)
    assert len(dry.budgets) == 1 and Budget.objects.get().expired_at is None
    mdf_expire(today=date(2026, 4, 1), actor=ACTOR)
    assert Budget.objects.get().expired_at is not None


@pytest.mark.django_db
def test_a_request_above_the_available_budget_is_refused():
    partner = eligible()
    approved_request(partner, "3000.00")
    with pytest.raises(InvalidInput, match=r"more than the 2000\.0000 BRL available"):
        request_create(partner=partner, actor=ACTOR, title="Webinar", kind="digital", planned_on=date(2026, 3, 1),
                       amount=D("2000.01"), description="d", expected_results="r", today=date(2026, 2, 3))
    assert FundRequest.objects.count() == 1


@pytest.mark.django_db
def test_each_decision_emits_mdf_decided():
    partner = eligible()
    request = approved_request(partner, "3000.00", approve="2000.00")
    declined = request_create(partner=partner, actor=ACTOR, title="Feira", kind="trade_show",
                              planned_on=date(2026, 3, 1), amount=D("100.00"), description="d", expected_results="r",
                              today=date(2026, 2, 3))
    request_decide(request=declined, approve=False, actor=STAFF, reason="fora do perfil")
    with pytest.raises(Conflict):
        request_decide(request=declined, approve=True, actor=STAFF)  # a second click
    data = [e.payload["data"] for e in OutboxEvent.objects.filter(type="mdf.decided").order_by("id")]
    assert [(d["request_id"], d["stage"], d["status"], d["amount"], d["quarter"]) for d in data] == [
        (request.pk, "request", "approved", "2000.00", "2026Q1"),
        (declined.pk, "request", "declined", "0.00", "2026Q1"),
    ]


@pytest.mark.django_db
def test_a_file_that_is_not_a_pdf_or_image_is_refused():
    partner = eligible()
    request = approved_request(partner)
    with pytest.raises(InvalidInput, match="not a PDF, PNG or JPEG"):
        claim_submit(request=request, amount=D("10.00"), files=[Upload("nf.pdf", b"%PDF-1.4 not really")],
                     actor=ACTOR, today=date(2026, 3, 10))
    assert ProofFile.objects.count() == 0
