"""A hypothesis state machine over the real intake and ledger (issue #2): random invoices, usage, refunds,
duplicates, payouts and adjustments in a second currency (as after a partner's payout currency changed).
After every step each partner's balance in each currency equals the sum of its lines in that currency, and
what was accrued and clawed back equals an independent recomputation written here from the rules in SPEC §6;
amounts in different currencies are never added together."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_DOWN, ROUND_HALF_EVEN
from decimal import Decimal as D

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from parceria.commissions.engine import Posting
from parceria.commissions.ledger import ledger_post
from parceria.commissions.models import LedgerLine
from parceria.commissions.selectors import partner_balance, partner_balances
from parceria.commissions.totals import totals_check
from tests.factories import at, ingest, make_customer, make_integration_partner, make_partner, paid, refunded, usage

RATES = {"preferred": D("0.25"), None: D("0.20")}
SHARES = {0: D("0.10"), 1: D("0.20")}
Q4 = D("0.0001")


def r4(value: D) -> D:
    return value.quantize(Q4, rounding=ROUND_HALF_EVEN)


class LedgerMachine(RuleBasedStateMachine):
    """The model: per invoice, the expected accrual per partner; per partner, payouts made."""

    @initialize()
    def setup(self):
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.referrers = [make_partner(tier="preferred"), make_partner(tier=None)]
        self.integrators = [make_integration_partner(str(SHARES[0])), make_integration_partner(str(SHARES[1]))]
        self.customers = [make_customer(self.referrers[0]), make_customer(self.referrers[1]), make_customer(None)]
        self.usage: dict[int, list[tuple[int | None, D]]] = defaultdict(list)  # customer index → (integrator, qty)
        self.invoices: dict[str, dict] = {}
        self.sent: list[dict] = []
        self.paid_out: dict[int, D] = defaultdict(D)
        self.usd: dict[int, D] = {}  # partner id → Σ of its USD adjustments
        self.n = 0

    def teardown(self):
        if hasattr(self, "_atomic"):
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    def _next(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}_{self.n}"

    @rule(c=st.integers(0, 2), via=st.sampled_from([None, 0, 1]), qty=st.integers(1, 500))
    def record_usage(self, c, via, qty):
        partner = self.integrators[via] if via is not None else None
        event = usage(self.customers[c], str(qty), partner=partner, event_id=self._next("u"))
        assert ingest(event).accepted == 1
        self.sent.append(event)
        self.usage[c].append((via, D(qty)))

    @rule(c=st.integers(0, 2), cents=st.integers(1, 10_000_000))
    def pay_invoice(self, c, cents):
        amount = D(cents) / 100
        invoice_id = self._next("inv")
        event = paid(self.customers[c], str(amount), invoice_id=invoice_id, event_id=self._next("p"))
        assert ingest(event).accepted == 1
        self.sent.append(event)
        expected: dict[int, D] = {}
        if c < 2:
            expected[self.referrers[c].pk] = r4(amount * RATES[self.referrers[c].tier])
        total = sum((q for _, q in self.usage[c]), D(0))
        for via in (0, 1):
            part = sum((q for v, q in self.usage[c] if v == via), D(0))
            if part:
                share = r4(amount * SHARES[via] * part / total)
                if share:
                    expected[self.integrators[via].pk] = share
        self.invoices[invoice_id] = {"c": c, "amount": amount, "refunded": D(0), "accrued": expected}

    @precondition(lambda self: self.invoices)
    @rule(data=st.data(), fraction=st.integers(1, 120))
    def refund(self, data, fraction):
        invoice_id = data.draw(st.sampled_from(sorted(self.invoices)))
        inv = self.invoices[invoice_id]
        remaining = inv["amount"] - inv["refunded"]
        amount = (inv["amount"] * fraction / 100).quantize(D("0.01"), rounding=ROUND_DOWN)
        if amount <= 0:
            return
        event = refunded(self.customers[inv["c"]], invoice_id, str(amount), event_id=self._next("r"))
        result = ingest(event)
        if amount > remaining:
            assert result.accepted == 0 and result.rejected[0].code == "refund_exceeds_invoice"
        else:
            assert result.accepted == 1
            self.sent.append(event)
            inv["refunded"] += amount

    @precondition(lambda self: self.sent)
    @rule(data=st.data())
    def resend_duplicate(self, data):
        event = data.draw(st.sampled_from(self.sent))
        result = ingest(event)
        assert (result.accepted, result.duplicates, result.rejected) == (0, 1, [])

    @rule(p=st.integers(0, 3))
    def pay_out_balance(self, p):
        partner = (self.referrers + self.integrators)[p]
        balance = partner_balance(partner).balance
        amount = balance.quantize(D("0.01"), rounding=ROUND_DOWN)
        if amount <= 0:
            return
        posting = Posting(partner.pk, "payout", "manual", -amount, "BRL", None, None, "payout", self._next("payout"))
        ledger_post([(posting, {"occurred_at": at("2026-04-15T12:00:00-03:00")})], created_by="tests")
        self.paid_out[partner.pk] += amount

    @rule(p=st.integers(0, 3), cents=st.integers(-500_000, 10_000_000).filter(bool))
    def adjust_in_usd(self, p, cents):
        partner = (self.referrers + self.integrators)[p]
        amount = D(cents) / 100
        posting = Posting(partner.pk, "adjustment", "manual", amount, "USD", None, None, "USD", self._next("usd"))
        ledger_post([(posting, {"occurred_at": at("2026-04-16T12:00:00-03:00")})], created_by="tests")
        self.usd[partner.pk] = self.usd.get(partner.pk, D(0)) + amount

    @invariant()
    def balances_match_lines_and_model(self):
        if not hasattr(self, "referrers"):
            return
        for partner in self.referrers + self.integrators:
            usd = partner_balance(partner, "USD")
            assert (usd.balance, usd.adjusted, usd.accrued) == (self.usd.get(partner.pk, D(0)), usd.balance, D(0))
            expected = ["BRL", "USD"] if partner.pk in self.usd else ["BRL"]
            assert [b.currency for b in partner_balances(partner)] == expected
            balance = partner_balance(partner)
            assert balance.currency == "BRL"
            lines = LedgerLine.objects.filter(partner=partner, currency="BRL")
            line_sum = sum(lines.values_list("amount", flat=True), D(0))
            assert balance.balance == line_sum
            accrued = sum((inv["accrued"].get(partner.pk, D(0)) for inv in self.invoices.values()), D(0))
            clawed = sum(
                (
                    r4(inv["accrued"][partner.pk] * inv["refunded"] / inv["amount"])
                    for inv in self.invoices.values()
                    if partner.pk in inv["accrued"]
                ),
                D(0),
            )
            assert balance.accrued == accrued
            assert balance.clawed_back == clawed
            assert balance.paid_out == self.paid_out[partner.pk]
            assert balance.balance == accrued - clawed - self.paid_out[partner.pk]
        assert totals_check() == []  # the projection equals the lines, group by group

    @invariant()
    def fully_refunded_invoices_net_to_zero(self):
        for invoice_id, inv in getattr(self, "invoices", {}).items():
            if inv["refunded"] == inv["amount"]:
                net = sum(LedgerLine.objects.filter(invoice_id=invoice_id).values_list("amount", flat=True), D(0))
                assert net == 0


@pytest.mark.django_db
def test_ledger_state_machine():
    LedgerMachine.TestCase.settings = settings(
        max_examples=25,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    LedgerMachine.TestCase("runTest").runTest()
