"""Where a ledger line's money stands (payouts.selectors.ledger_line_statuses, asked through
commissions.line_status) and the partner's earnings by status (payouts.selectors.partner_earnings), through a
close, a payout paid, a payout failed and paid again, a balance below the minimum and lines that offset."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parceria.commissions.line_status import LineState, LineStatus, line_statuses
from parceria.commissions.models import LedgerLine
from parceria.commissions.selectors import period_totals
from parceria.payouts.close import period_close
from parceria.payouts.models import Payout, PayoutStatus
from parceria.payouts.selectors import partner_earnings
from parceria.payouts.services import payout_mark
from tests.factories import ACTOR, D, at, credit, make_partner

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
pytestmark = pytest.mark.django_db


def statuses(partner) -> dict[str, LineStatus]:
    """Each line's status by its note (the adjustment's explanation) or its kind for payout lines."""
    lines = list(LedgerLine.objects.filter(partner=partner).order_by("id"))
    found = line_statuses(lines)
    return {(line.explanation if line.kind == "adjustment" else f"{line.kind}:{line.period:%m}"): found[line.pk]
            for line in lines}


def earnings(partner):
    (brl,) = partner_earnings(partner, period_totals(partner)).values()
    return brl


def check_identity(partner) -> None:
    """pending + carried + approved + paid is everything earned (no failed payout counted twice or lost)."""
    e = earnings(partner)
    earned = sum((line.amount for line in LedgerLine.objects.filter(partner=partner, kind="adjustment")), D("0"))
    assert e.pending + e.carried + e.approved + e.paid == earned


def test_a_line_goes_open_then_in_payout_then_paid():
    partner = make_partner()
    credit(partner, "300.00", at="2026-01-10T12:00:00-03:00", note="january")
    assert statuses(partner)["january"] == LineStatus(LineState.OPEN)
    e = earnings(partner)
    assert (e.pending, e.carried, e.approved, e.paid) == (D("300.0000"), D("0"), D("0"), D("0"))

    period_close(month=JAN, actor=ACTOR, now=at("2026-02-03 09:00"))
    payout = Payout.objects.get(partner=partner)
    found = statuses(partner)
    assert found["january"] == LineStatus(LineState.IN_PAYOUT, payout_id=payout.pk, due_date=date(2026, 3, 2))
    assert found["payout:01"] == found["january"]
    e = earnings(partner)
    assert (e.pending, e.carried, e.approved, e.paid) == (D("0"), D("0"), D("300.00"), D("0"))
    assert [p.id for p in e.in_payment] == [payout.pk]
    check_identity(partner)

    payout_mark(payout=payout, status=PayoutStatus.PAID, source="bank", actor=ACTOR, now=at("2026-02-20 10:00"))
    found = statuses(partner)
    assert found["january"].state == LineState.PAID and found["january"].payout_id == payout.pk
    assert found["january"].paid_on is not None and found["january"].label == "Paid"
    e = earnings(partner)
    assert (e.pending, e.carried, e.approved, e.paid, e.paid_net) == (
        D("0"), D("0"), D("0"), D("300.00"), D("300.00"))  # IRRF of R$ 4.50 is not withheld (≤ R$ 10.00)
    check_identity(partner)


def test_a_failed_payout_puts_the_line_back_and_the_next_close_pays_it():
    partner = make_partner()
    credit(partner, "500.00", at="2026-01-10T12:00:00-03:00", note="january")
    period_close(month=JAN, actor=ACTOR, now=at("2026-02-03 09:00"))
    first = Payout.objects.get(partner=partner)
    payout_mark(payout=first, status=PayoutStatus.FAILED, source="bank", reference="closed account", actor=ACTOR,
                now=at("2026-02-10 10:00"))
    found = statuses(partner)
    assert found["january"] == LineStatus(LineState.FAILED, payout_id=first.pk, due_date=date(2026, 3, 2))
    assert found["payout:01"].state == LineState.FAILED
    assert found["payout_reversal:02"] == LineStatus(LineState.OPEN)  # back on the balance, in February
    e = earnings(partner)
    assert (e.pending, e.carried, e.approved, e.paid) == (D("0"), D("500.0000"), D("0"), D("0"))
    assert [(p.amount, p.reason, p.payout_id) for p in e.carried_parts] == [(D("500.00"), "failed_payout", first.pk)]
    check_identity(partner)

    credit(partner, "20.00", at="2026-02-15T12:00:00-03:00", note="february")
    period_close(month=FEB, actor=ACTOR, now=at("2026-03-03 09:00"))
    second = Payout.objects.get(partner=partner, batch__period=FEB)
    found = statuses(partner)
    assert (found["january"].state, found["january"].payout_id) == (LineState.IN_PAYOUT, second.pk)
    assert (found["february"].state, found["february"].payout_id) == (LineState.IN_PAYOUT, second.pk)
    assert found["payout:01"].state == LineState.FAILED and found["payout:02"].payout_id == second.pk
    assert earnings(partner).approved == D("520.00")
    check_identity(partner)


def test_a_balance_below_the_minimum_is_carried_with_its_reason_and_offset_lines_are_settled():
    partner = make_partner()
    credit(partner, "60.00", at="2026-01-10T12:00:00-03:00", note="small")
    other = make_partner()
    credit(other, "40.00", at="2026-01-10T12:00:00-03:00", note="plus")
    credit(other, "-40.00", at="2026-01-11T12:00:00-03:00", note="minus")
    period_close(month=JAN, actor=ACTOR, now=at("2026-02-03 09:00"))
    small = statuses(partner)["small"]
    assert (small.state, small.reason, small.reason_label) == (
        LineState.CARRIED, "below_minimum", "Below the minimum payout")
    e = earnings(partner)
    assert (e.pending, e.carried) == (D("0"), D("60.0000"))
    assert [(p.amount, p.reason) for p in e.carried_parts] == [(D("60.0000"), "below_minimum")]
    assert statuses(other)["plus"].state == statuses(other)["minus"].state == LineState.SETTLED

    credit(partner, "50.00", at="2026-02-10T12:00:00-03:00", note="more")
    assert statuses(partner)["more"] == LineStatus(LineState.OPEN)
    period_close(month=FEB, actor=ACTOR, now=at("2026-03-03 09:00"))
    payout = Payout.objects.get(partner=partner)
    found = statuses(partner)
    assert found["small"].payout_id == found["more"].payout_id == payout.pk and payout.gross == D("110.00")
    check_identity(partner)


def test_the_rule_runs_three_queries_for_one_line_or_thirty():
    partner = make_partner()
    for n in range(30):
        credit(partner, "10.00", at=f"2026-01-{n % 28 + 1:02d}T12:00:00-03:00", note=f"line {n}")
    period_close(month=JAN, actor=ACTOR, now=at("2026-02-03 09:00"))
    payout_mark(payout=Payout.objects.get(partner=partner), status=PayoutStatus.FAILED, source="bank", actor=ACTOR,
                now=at("2026-02-10 10:00"))
    lines = list(LedgerLine.objects.filter(partner=partner))
    counts = []
    for chosen in (lines[:1], lines):
        with CaptureQueriesContext(connection) as queries:
            found = line_statuses(chosen)
        counts.append(len(queries))
        assert len(found) == len(chosen)
    assert counts == [3, 3]


@pytest.mark.parametrize(("language", "accrual", "clawback", "adjustment"), [
    ("en", "Referral commission: 25% of invoice inv_x1 of Padaria X, paid R$ 1,000.00.",
     "Refund of R$ 400.00 on invoice inv_x1 of Padaria X: its commission is clawed back at the rate applied, 25%.",
     "Adjustment by the Parceria team: late invoice"),
    ("pt-br", "Comissão por indicação: 25 % da fatura inv_x1 de Padaria X, paga R$ 1.000,00.",
     "Reembolso de R$ 400,00 na fatura inv_x1 de Padaria X: a comissão é estornada à taxa aplicada, 25 %.",
     "Ajuste feito pela equipe Parceria: late invoice"),
    ("es", "Comisión por referencia: 25 % de la factura inv_x1 de Padaria X, pagada R$ 1.000,00.",
     "Reembolso de R$ 400,00 en la factura inv_x1 de Padaria X: la comisión se revierte a la tasa aplicada, 25 %.",
     "Ajuste hecho por el equipo de Parceria: late invoice"),
])
def test_lines_are_explained_from_their_data_in_the_readers_language(language, accrual, clawback, adjustment):
    from django.utils import translation

    from parceria.commissions.explain import explain
    from tests.factories import ingest, make_customer, paid, refunded

    partner = make_partner(tier="preferred")
    customer = make_customer(partner, name="Padaria X")
    ingest(paid(customer, "1000.00", invoice_id="inv_x1", at="2026-01-05T10:00:00-03:00"))
    ingest(refunded(customer, "inv_x1", "400.00", at="2026-01-06T10:00:00-03:00"))
    credit(partner, "5.00", at="2026-01-07T10:00:00-03:00",
           note="Manual adjustment: late invoice (requested by user:7, approved by user:9)")
    found = LedgerLine.objects.filter(partner=partner).select_related("customer", "invoice")
    lines = {line.kind: line for line in found}
    stored = {kind: line.explanation for kind, line in lines.items()}
    with translation.override(language):
        assert [explain(lines[k]) for k in ("accrual", "clawback", "adjustment")] == [accrual, clawback, adjustment]
    assert "user:" not in explain(lines["adjustment"])
    assert {k: LedgerLine.objects.get(pk=line.pk).explanation for k, line in lines.items()} == stored  # kept for audit
