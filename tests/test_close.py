"""The monthly close: thresholds, withholding, carry-over, idempotence, locking (SPEC §7.1–7.4, §7.6)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import pytest

from parceria.commissions.engine import Posting
from parceria.commissions.ledger import ledger_post
from parceria.commissions.models import LedgerLine
from parceria.commissions.selectors import partner_balance
from parceria.common.audit import Actor
from parceria.common.errors import Conflict, InvalidInput
from parceria.payouts.close import close_preview, period_close
from parceria.payouts.models import Payout, PayoutBatch, PayoutStatus
from parceria.payouts.services import batch_approve, batch_state, payout_mark
from parceria.payouts.withholding import Rule, compute_withholdings
from tests.factories import SP, credit, ingest, make_customer, make_partner, make_two_currency_partner, paid, refunded

MARCH = date(2026, 3, 1)
NOW = datetime(2026, 4, 5, 10, 0, tzinfo=SP)
ACTOR = Actor.system("tests")


def close(month: date = MARCH):
    return period_close(month=month, actor=ACTOR, now=NOW)


@pytest.mark.django_db
def test_close_pays_at_the_minimum_carries_below_it_and_keeps_the_sub_cent_remainder():
    at_minimum, below, remainder = make_partner(), make_partner(), make_partner()
    credit(at_minimum, "100.00")
    credit(below, "99.99")
    credit(remainder, "150.1234")
    plan = close()
    assert [(p.partner_id, p.gross, p.net) for p in plan.payouts] == [
        (at_minimum.pk, D("100.00"), D("100.00")), (remainder.pk, D("150.12"), D("150.12"))]
    assert sorted((c.partner_id, c.balance, c.reason) for c in plan.carried) == sorted([
        (below.pk, D("99.99"), "below_minimum"), (remainder.pk, D("0.0034"), "remainder")])
    assert partner_balance(at_minimum).balance == 0
    assert partner_balance(remainder).balance == D("0.0034")
    assert partner_balance(below).balance == D("99.99")


@pytest.mark.django_db
def test_negative_and_held_balances_are_carried():
    negative, suspended = make_partner(), make_partner()
    credit(negative, "-40.00")
    credit(suspended, "500.00")
    from parceria.partners.services import PartnerChanges, partner_update

    partner_update(partner=suspended, changes=PartnerChanges(status="suspended"), actor=ACTOR)
    plan = close()
    assert plan.payouts == []
    assert sorted((c.partner_id, c.reason) for c in plan.carried) == sorted(
        [(negative.pk, "negative"), (suspended.pk, "held")])


@pytest.mark.django_db
@pytest.mark.parametrize(("regime", "balance", "taxes", "net"), [
    ("pj", "1000.00", [("8045", "15.00")], "985.00"),  # 1.5 % of the gross
    ("pj", "666.67", [], "666.67"),  # 10.0000… ≤ R$ 10.00: not withheld
    ("pj", "667.00", [], "667.00"),  # 10.005 rounds half-even to 10.00, which is ≤ R$ 10.00: not withheld
    ("pj", "667.34", [("8045", "10.01")], "657.33"),  # 10.0101 → 10.01: withheld
    ("pj_simples", "5000.00", [], "5000.00"),
    # pf: INSS 11 % (Lei 10.666/03 art. 4) deducted from the IRRF base when above the simplified 607.20
    # (Lei 9.250/95 art. 4 IV and §2); figures in tests/test_withholding.py
    ("pf", "3000.00", [("inss", "330.00")], "2670.00"),  # 2026: income ≤ R$ 5,000 pays no IRRF
    ("pf", "6000.00", [("0588", "380.02"), ("inss", "660.00")], "4959.98"),  # base 5,340.00: 559.77 − 179.75
    ("pf", "8000.00", [("0588", "1049.27"), ("inss", "880.00")], "6070.73"),  # above R$ 7,350: no reduction
])
def test_withholding_by_tax_regime(regime, balance, taxes, net):
    partner = make_partner(tax_regime=regime)
    credit(partner, balance)
    (payout,) = close().payouts
    expected = [(code, D(amount)) for code, amount in taxes]
    assert [(t.code, t.amount) for t in payout.withholdings] == expected
    assert payout.net == D(net)
    stored = Payout.objects.get(partner=partner)
    assert (stored.gross, stored.net) == (D(balance), D(net))
    assert [(w.code, w.amount) for w in stored.withholdings.all()] == expected


def test_progressive_table_before_2026_has_no_reduction():
    brackets = [{"up_to": "2428.80", "rate": "0", "deduction": "0"},
                {"up_to": "2826.65", "rate": "0.075", "deduction": "182.16"},
                {"up_to": "3751.05", "rate": "0.15", "deduction": "394.16"},
                {"up_to": "4664.68", "rate": "0.225", "deduction": "675.49"},
                {"up_to": None, "rate": "0.275", "deduction": "908.73"}]
    rule = Rule(1, "0588", "IRRF PF", "progressive", {"brackets": brackets})
    assert [t.amount for t in compute_withholdings([rule], D("3000.00"), "BRL")] == [D("55.84")]
    assert [t.amount for t in compute_withholdings([rule], D("2428.80"), "BRL")] == []
    assert [t.amount for t in compute_withholdings([rule], D("2428.81"), "BRL")] == []  # 0.0000750 → 0.00


@pytest.mark.django_db
def test_closing_twice_returns_the_same_batch_and_pays_once():
    partner = make_partner()
    credit(partner, "250.00")
    first = close()
    lines = LedgerLine.objects.count()
    second = close()
    assert second.batch_id == first.batch_id
    assert [(p.partner_id, p.gross) for p in second.payouts] == [(partner.pk, D("250.00"))]
    assert (LedgerLine.objects.count(), Payout.objects.count(), PayoutBatch.objects.count()) == (lines, 1, 1)


@pytest.mark.django_db
def test_a_month_that_has_not_ended_or_lies_before_a_closed_one_cannot_be_closed():
    with pytest.raises(InvalidInput, match="has not ended"):
        period_close(month=date(2026, 4, 1), actor=ACTOR, now=NOW)
    close()
    with pytest.raises(Conflict, match="2026-03 is already closed, so 2026-02 is locked"):
        period_close(month=date(2026, 2, 1), actor=ACTOR, now=NOW)


@pytest.mark.django_db
def test_late_events_of_a_closed_month_post_into_the_next_open_month_with_their_own_date():
    referrer = make_partner(tier="preferred")
    customer = make_customer(referrer)
    close()
    ingest(paid(customer, "1000.00", at="2026-03-20T12:00:00-03:00", invoice_id="inv_late"))
    line = LedgerLine.objects.get(invoice_id="inv_late")
    assert line.period == date(2026, 4, 1)
    assert line.occurred_at.astimezone(SP).date() == date(2026, 3, 20)


@pytest.mark.django_db
def test_preview_writes_nothing_and_matches_the_close():
    partner = make_partner()
    credit(partner, "1000.00")
    preview = close_preview(month=MARCH, today=date(2026, 4, 5))
    assert (PayoutBatch.objects.count(), Payout.objects.count()) == (0, 0)
    closed = close()
    assert [(p.partner_id, p.gross, p.net) for p in preview.payouts] == [
        (p.partner_id, p.gross, p.net) for p in closed.payouts]


@pytest.mark.django_db
def test_a_failed_payout_returns_its_gross_to_the_balance_and_a_refund_after_payout_goes_negative():
    referrer = make_partner(tier="preferred")
    customer = make_customer(referrer)
    ingest(paid(customer, "1000.00", invoice_id="inv_paid"))  # 250.0000 accrued in March
    close()
    payout = Payout.objects.get(partner=referrer)
    payout_mark(payout=payout, status=PayoutStatus.FAILED, source="bank", reference="account closed", actor=ACTOR)
    assert partner_balance(referrer).balance == D("250.0000")
    payout_mark(payout=payout, status=PayoutStatus.FAILED, source="bank", actor=ACTOR)  # same mark: no-op
    assert partner_balance(referrer).balance == D("250.0000")
    with pytest.raises(Conflict, match="already failed"):
        payout_mark(payout=payout, status=PayoutStatus.PAID, source="bank", actor=ACTOR)
    ingest(refunded(customer, "inv_paid", "1000.00"))
    assert partner_balance(referrer).balance == D("0.0000")


@pytest.mark.django_db
def test_refund_after_a_paid_payout_carries_a_negative_balance_into_the_next_close():
    referrer = make_partner(tier="preferred")
    customer = make_customer(referrer)
    ingest(paid(customer, "1000.00", invoice_id="inv_x"))
    close()
    payout_mark(payout=Payout.objects.get(), status=PayoutStatus.PAID, source="bank", actor=ACTOR)
    ingest(refunded(customer, "inv_x", "400.00", at="2026-04-10T12:00:00-03:00"))
    april = period_close(month=date(2026, 4, 1), actor=ACTOR, now=datetime(2026, 5, 3, tzinfo=SP))
    assert april.payouts == []
    assert [(c.partner_id, c.balance, c.reason) for c in april.carried] == [(referrer.pk, D("-100.0000"), "negative")]


@pytest.mark.django_db
def test_batches_above_the_limit_need_two_different_approvers(settings):
    settings.PARCERIA = {**settings.PARCERIA, "BATCH_SECOND_APPROVAL_ABOVE": "1000.00"}
    small, large = make_partner(), make_partner()
    credit(small, "400.00")
    close()
    batch = PayoutBatch.objects.get()
    assert batch_approve(batch=batch, actor=Actor(label="finance-1")).approved
    credit(large, "5000.00", at="2026-04-10T12:00:00-03:00")
    period_close(month=date(2026, 4, 1), actor=ACTOR, now=datetime(2026, 5, 3, tzinfo=SP))
    april = PayoutBatch.objects.get(period=date(2026, 4, 1))
    state = batch_approve(batch=april, actor=Actor(label="finance-1"))
    assert (state.approved, state.required_approvals) == (False, 2)
    assert batch_approve(batch=april, actor=Actor(label="finance-1")).approvals == ["finance-1"]  # same person again
    assert batch_approve(batch=april, actor=Actor(label="finance-2")).approved
    assert batch_state(april).totals == {"BRL": D("5000.0000")}


@pytest.mark.django_db
def test_payouts_and_carried_balances_add_up_to_the_ledger_per_partner():
    partners = [make_partner(tier="preferred"), make_partner(tier=None), make_partner(tax_regime="pf")]
    customers = [make_customer(p) for p in partners]
    for n, customer in enumerate(customers):
        ingest(paid(customer, f"{(n + 1) * 777}.77", invoice_id=f"inv_sum_{n}"))
        ingest(refunded(customer, f"inv_sum_{n}", "100.01", at="2026-03-31T18:00:00-03:00"))
    before = {p.pk: partner_balance(p).balance for p in partners}
    plan = close()
    for partner in partners:
        paid_out = sum((p.gross for p in plan.payouts if p.partner_id == partner.pk), D(0))
        carried = sum((c.balance for c in plan.carried if c.partner_id == partner.pk), D(0))
        assert paid_out + carried == before[partner.pk]
        assert partner_balance(partner).balance == carried


@pytest.mark.parametrize("text", ["2026-13", "2026", "march", "99999999999999999999-01", "2026-00", ""])
def test_a_bad_period_is_a_clear_422(text):
    from parceria.common.months import parse_month

    with pytest.raises(InvalidInput, match="period must be YYYY-MM"):
        parse_month(text)


@pytest.mark.django_db
def test_a_partner_with_balances_in_two_currencies_gets_one_payout_per_currency_with_its_own_id():
    """1,000.0000 BRL earned before the payout currency changed to USD, then 50.0000 USD: the close pays each
    balance in its own currency (two payouts, two ids, two ledger lines) and never adds them together."""
    from parceria.commissions.selectors import partner_balances
    from parceria.payouts.close import stored_close
    from parceria.payouts.close_summary import plan_as_dict

    partner, _customer = make_two_currency_partner()
    other = make_partner()
    credit(other, "300.00")
    plan = close()
    assert [(p.partner_id, p.currency, p.gross, p.net) for p in plan.payouts] == [
        (partner.pk, "BRL", D("1000.00"), D("1000.00")), (partner.pk, "USD", D("50.00"), D("50.00")),
        (other.pk, "BRL", D("300.00"), D("300.00"))]
    assert plan.carried == []
    payouts = list(Payout.objects.filter(partner=partner).order_by("currency"))
    assert [(p.currency, p.gross, p.net) for p in payouts] == [("BRL", D("1000.0000"), D("1000.0000")),
                                                                ("USD", D("50.0000"), D("50.0000"))]
    assert payouts[0].pk != payouts[1].pk
    lines = LedgerLine.objects.filter(partner=partner, kind="payout").order_by("currency")
    assert [(line.currency, line.amount, line.dedupe_key) for line in lines] == [
        ("BRL", D("-1000.0000"), f"payout:2026-03:{partner.pk}:BRL"),
        ("USD", D("-50.0000"), f"payout:2026-03:{partner.pk}:USD")]
    assert [f"Payout #{p.pk} for 2026-03" in line.explanation for p, line in zip(payouts, lines, strict=True)] == [
        True, True]
    assert [(b.currency, b.balance, b.paid_out) for b in partner_balances(partner)] == [
        ("USD", D("0.0000"), D("50.0000")), ("BRL", D("0.0000"), D("1000.0000"))]
    again = close()  # the stored close answers the same, in the same order
    assert plan_as_dict(again)["payouts"] == plan_as_dict(plan)["payouts"] == plan_as_dict(stored_close(
        PayoutBatch.objects.get()))["payouts"]

    payout_mark(payout=payouts[1], status=PayoutStatus.FAILED, source="bank", reference="no USD account", actor=ACTOR)
    reversal = LedgerLine.objects.get(partner=partner, kind="payout_reversal")
    assert (reversal.currency, reversal.amount, reversal.reverses_id) == ("USD", D("50.0000"), lines[1].dedupe_key)
    assert [(b.currency, b.balance) for b in partner_balances(partner)] == [("USD", D("50.0000")), ("BRL", D("0.0000"))]


@pytest.mark.django_db
def test_a_held_partner_with_balances_in_two_currencies_carries_each_one():
    from parceria.partners.services import PartnerChanges, partner_update

    partner, _customer = make_two_currency_partner()
    partner_update(partner=partner, changes=PartnerChanges(status="suspended"), actor=ACTOR)
    plan = close()
    assert plan.payouts == []
    assert [(c.partner_id, c.currency, c.balance, c.reason) for c in plan.carried] == [
        (partner.pk, "BRL", D("1000.0000"), "held"), (partner.pk, "USD", D("50.0000"), "held")]
    from parceria.payouts.close_summary import plan_as_dict

    assert plan_as_dict(close())["carried"] == [
        {"partner_id": partner.pk, "currency": "BRL", "balance": "1000.0000", "reason": "held"},
        {"partner_id": partner.pk, "currency": "USD", "balance": "50.0000", "reason": "held"}]


@pytest.mark.django_db
def test_a_payout_whose_line_has_the_key_of_earlier_versions_is_still_reversed_and_reported():
    """Closes before per-currency payouts keyed the payout line `payout:<YYYY-MM>:<partner>`: a failed mark
    still reverses that line."""
    partner = make_partner()
    credit(partner, "400.00")
    batch = PayoutBatch.objects.create(period=MARCH, created_by="an earlier version")
    payout = Payout.objects.create(batch=batch, partner=partner, currency="BRL", gross=D("400.00"), net=D("400.00"),
                                   due_date=date(2026, 4, 30), payment_date=date(2026, 4, 1), payee_name="P",
                                   payee_tax_id=partner.tax_id)
    legacy = f"payout:2026-03:{partner.pk}"
    posting = Posting(partner.pk, "payout", "payout", D("-400.00"), "BRL", None, None, "paid", legacy)
    ledger_post([(posting, {"occurred_at": NOW, "period": MARCH})], created_by="tests")
    payout_mark(payout=payout, status=PayoutStatus.FAILED, source="bank", actor=ACTOR)
    reversal = LedgerLine.objects.get(partner=partner, kind="payout_reversal")
    assert (reversal.amount, reversal.reverses_id) == (D("400.0000"), legacy)
    assert partner_balance(partner).balance == D("400.0000")


@pytest.mark.django_db
def test_the_income_statement_counts_both_payouts_of_a_partner_paid_in_two_currencies():
    from parceria.payouts.informe import income_statement

    partner, _customer = make_two_currency_partner()
    close()
    for payout in Payout.objects.filter(partner=partner):
        payout_mark(payout=payout, status=PayoutStatus.PAID, source="bank", actor=ACTOR)
    assert [(r.currency, r.payouts, r.gross, r.net) for r in income_statement(partner=partner, year=2026).totals] == [
        ("BRL", 1, D("1000.0000"), D("1000.0000")), ("USD", 1, D("50.0000"), D("50.0000"))]
