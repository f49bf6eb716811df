"""The payout facts the portal's dashboard and ledger page read by fixed SQL (payouts.selectors.payout_facts) agree
with the ORM's rules they restate: the current status of `payouts_with_status`, the day the payout was marked paid,
and the accounting month of a failed payout's reversing line."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from parceria.commissions.models import LedgerLine
from parceria.payouts.close import period_close
from parceria.payouts.models import Payout, PayoutStatus, PayoutStatusChange
from parceria.payouts.selectors import payout_facts, payouts_with_status
from parceria.payouts.services import payout_mark
from tests.factories import ACTOR, SP, credit, make_partner

MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)


@pytest.mark.django_db
def test_payout_facts_agree_with_the_orm_for_pending_paid_and_failed_payouts():
    alfa, beta, gama, other = make_partner(), make_partner(), make_partner(), make_partner()
    for partner, amount in ((alfa, "100.00"), (beta, "250.50"), (gama, "180.00"), (other, "5000.00")):
        credit(partner, amount)
    plan = period_close(month=MARCH, actor=ACTOR, now=datetime(2026, 4, 5, 9, 0, tzinfo=SP))
    assert not plan.carried, plan.carried
    pending, paid, failed = (Payout.objects.get(partner=p) for p in (alfa, beta, gama))
    payout_mark(payout=paid, status=PayoutStatus.PAID, source="bank", actor=ACTOR,
                now=datetime(2026, 4, 8, 23, 30, tzinfo=SP))
    payout_mark(payout=failed, status=PayoutStatus.FAILED, source="bank", actor=ACTOR,
                now=datetime(2026, 4, 9, 10, 0, tzinfo=SP))

    facts = payout_facts([gama.pk, alfa.pk, beta.pk, alfa.pk])  # another partner's payout is not read
    statuses = dict(payouts_with_status().filter(partner__in=[alfa, beta, gama]).values_list("pk", "current_status"))
    paid_at = PayoutStatusChange.objects.get(payout=paid, status=PayoutStatus.PAID).at
    reversal = LedgerLine.objects.get(dedupe_key=f"payout-reversal:{failed.pk}")
    assert [(f.id, f.partner_id, f.currency, f.period, f.status, f.paid_on, f.returned_in, f.gross, f.net)
            for f in facts] == [
        (p.pk, p.partner_id, "BRL", MARCH, status, on, back, p.gross, p.net)
        for p, status, on, back in (
            (pending, PayoutStatus.PENDING, None, None),
            (paid, PayoutStatus.PAID, timezone.localdate(paid_at), None),
            (failed, PayoutStatus.FAILED, None, reversal.period),
        )
    ]
    assert {f.id: f.status for f in facts} == statuses
    assert (pending.gross, paid.gross, failed.gross) == (Decimal("100.00"), Decimal("250.50"), Decimal("180.00"))
    assert reversal.period >= APRIL
    assert payout_facts([]) == []
