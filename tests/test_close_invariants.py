"""Σ payouts + Σ carried = Σ accruals − Σ clawbacks ± adjustments, to the cent, per partner and currency
(issue #3): on the demo program, and under a state machine that mixes events, closes, payout failures,
refunds after payout and a partner whose payout currency changes between BRL and USD (so it has balances
in both, each paid or carried on its own)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from parceria.commissions.models import LedgerLine
from parceria.common.audit import Actor
from parceria.common.months import month_end, next_month
from parceria.partners.services import PartnerChanges, partner_update
from parceria.payouts.close import period_close
from parceria.payouts.models import Payout, PayoutStatus
from parceria.payouts.selectors import payout_rows
from parceria.payouts.services import payout_mark
from tests.factories import SP, ingest, make_customer, make_partner, paid, refunded

ACTOR = Actor.system("tests")


def _kind_totals() -> dict[tuple[int, str], dict[str, D]]:
    totals: dict[tuple[int, str], dict[str, D]] = defaultdict(lambda: defaultdict(D))
    rows = LedgerLine.objects.values_list("partner_id", "currency", "kind", "amount")
    for partner_id, currency, kind, amount in rows:
        totals[(partner_id, currency)][kind] += amount
    return totals


def _payouts_kept() -> dict[tuple[int, str], D]:
    """Σ gross of payouts that did not fail, per partner and currency."""
    kept: dict[tuple[int, str], D] = defaultdict(D)
    for row in payout_rows(Payout.objects.all()):
        if row["status"] != PayoutStatus.FAILED:
            kept[(row["partner_id"], row["currency"])] += D(row["gross"])
    return kept


def assert_money_is_conserved() -> None:
    kept = _payouts_kept()
    for (partner_id, currency), kinds in _kind_totals().items():
        earned = kinds["accrual"] + kinds["clawback"] + kinds["adjustment"] + kinds["mdf"]  # mdf: reimbursements
        carried = sum(kinds.values(), D(0))  # what is still on the balance
        assert kept[(partner_id, currency)] + carried == earned, (partner_id, currency, dict(kinds))


@pytest.mark.django_db
def test_demo_program_close_conserves_money_per_partner_and_currency():
    from parceria.demo.generator import generate

    generate(seed=11, partners=14, customers=220, months=3, end_month=date(2026, 3, 1))
    assert Payout.objects.exists(), "the demo's own closes should pay someone"
    assert_money_is_conserved()  # through the three closes the demo ran, with their failed and repaid payouts
    before = {key: sum(kinds.values(), D(0)) for key, kinds in _kind_totals().items()}
    plan = period_close(month=date(2026, 4, 1), actor=ACTOR, now=datetime(2026, 5, 6, 9, tzinfo=SP))
    for (partner_id, currency), balance in before.items():
        gross = sum((p.gross for p in plan.payouts if (p.partner_id, p.currency) == (partner_id, currency)), D(0))
        carried = sum((c.balance for c in plan.carried if (c.partner_id, c.currency) == (partner_id, currency)), D(0))
        assert gross + carried == balance
    assert_money_is_conserved()


class CloseMachine(RuleBasedStateMachine):
    """Months advance by closing them; invoices and refunds land in the open month; payouts fail or succeed."""

    @initialize()
    def setup(self):
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.partners = [make_partner(tier="preferred"), make_partner(tax_regime="pf", tier="strategic"),
                         make_partner(tier=None), make_partner(tier="preferred", tax_regime="pj_simples")]
        self.customers = [make_customer(p) for p in self.partners]
        self.month = date(2026, 1, 1)
        self.invoices: dict[str, tuple[int, D, D, str]] = {}  # id → (customer index, amount, refunded, currency)
        self.n = 0
        # The last partner starts with 1,000.0000 BRL and, after its payout currency changed, 50.0000 USD.
        self.pay_invoice(3, 400_000, 5)
        self.switch_currency()
        self.pay_invoice(3, 20_000, 6)

    def teardown(self):
        if hasattr(self, "_atomic"):
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    def _at(self, day: int) -> str:
        return datetime(self.month.year, self.month.month, day, 12, tzinfo=SP).isoformat()

    @rule(c=st.integers(0, 3), cents=st.integers(1, 5_000_000), day=st.integers(1, 28))
    def pay_invoice(self, c, cents, day):
        self.n += 1
        invoice_id = f"inv_{self.n}"
        amount = D(cents) / 100
        currency = self.partners[c].currency  # invoiced in the partner's payout currency: no FX rate needed
        event = paid(self.customers[c], str(amount), invoice_id=invoice_id, event_id=f"p_{self.n}", at=self._at(day),
                     currency=currency)
        assert ingest(event).accepted == 1
        self.invoices[invoice_id] = (c, amount, D(0), currency)

    @rule()
    def switch_currency(self):
        """The last partner's payout currency flips between BRL and USD: its earlier lines keep theirs."""
        partner = self.partners[3]
        partner_update(partner=partner, changes=PartnerChanges(currency="USD" if partner.currency == "BRL" else "BRL"),
                       actor=ACTOR)
        partner.refresh_from_db()

    @precondition(lambda self: self.invoices)
    @rule(data=st.data(), percent=st.integers(1, 100), day=st.integers(1, 28))
    def refund(self, data, percent, day):
        invoice_id = data.draw(st.sampled_from(sorted(self.invoices)))
        c, amount, done, currency = self.invoices[invoice_id]
        part = min((amount * percent / 100).quantize(D("0.01")), amount - done)
        if part <= 0:
            return
        self.n += 1
        event = refunded(self.customers[c], invoice_id, str(part), event_id=f"r_{self.n}", at=self._at(day),
                         currency=currency)
        assert ingest(event).accepted == 1
        self.invoices[invoice_id] = (c, amount, done + part, currency)

    @rule()
    def close_month(self):
        now = datetime.combine(month_end(self.month) + timedelta(days=3), datetime.min.time(), tzinfo=SP)
        before: dict[tuple[int, str], D] = defaultdict(D)  # from the lines themselves, per partner and currency
        for partner_id, currency, amount in LedgerLine.objects.filter(period__lte=self.month).values_list(
            "partner_id", "currency", "amount"
        ):
            before[(partner_id, currency)] += amount
        plan = period_close(month=self.month, actor=ACTOR, now=now)
        keys = [(x.partner_id, x.currency) for x in plan.payouts]
        assert len(set(keys)) == len(keys)  # at most one payout per partner and currency
        ids = list(Payout.objects.filter(batch_id=plan.batch_id).values_list("id", flat=True))
        assert len(ids) == len(set(ids)) == len(plan.payouts)
        for key, balance in before.items():
            gross = sum((x.gross for x in plan.payouts if (x.partner_id, x.currency) == key), D(0))
            carried = sum((x.balance for x in plan.carried if (x.partner_id, x.currency) == key), D(0))
            assert gross + carried == balance, key
        self.month = next_month(self.month)

    @precondition(lambda self: Payout.objects.exists())
    @rule(data=st.data(), fail=st.booleans())
    def settle_payout(self, data, fail):
        pending = [r for r in payout_rows(Payout.objects.all()) if r["status"] == PayoutStatus.PENDING]
        if not pending:
            return
        row = data.draw(st.sampled_from(pending))
        status = PayoutStatus.FAILED if fail else PayoutStatus.PAID
        now = datetime(self.month.year, self.month.month, 2, 9, tzinfo=SP)  # the bank answers in the open month
        payout_mark(payout=Payout.objects.get(pk=row["id"]), status=status, source="bank", actor=ACTOR, now=now)

    @invariant()
    def money_is_conserved(self):
        if hasattr(self, "partners"):
            assert_money_is_conserved()


@pytest.mark.django_db
def test_close_state_machine():
    # 20 programs of up to 25 steps each, on each database: every run draws new ones (CI starts without Hypothesis's
    # example database), so the runs add up to what one long run would explore.
    CloseMachine.TestCase.settings = settings(
        max_examples=20, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    CloseMachine.TestCase("runTest").runTest()
