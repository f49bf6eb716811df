"""The close reads balances from the snapshot of the last closed month (commissions.BalanceSnapshot) plus the ledger
totals of the months after it, and the reimbursements already paid from the snapshot of the last close
(payouts.ReimbursementSnapshot) plus later batches less failed payouts: both equal the full-history sums to the
cent after every close, whatever happens between closes (late lines, marketing fund lines, failed payouts whose
reversal lands in a later open month, a month skipped), and the close of month M reads no ledger totals of the
months up to the snapshot."""

from __future__ import annotations

import importlib
import io
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from parceria.commissions.engine import Posting
from parceria.commissions.ledger import ClosedMonth, ledger_post, post_mdf_reimbursement
from parceria.commissions.models import BalanceSnapshot, ClosedPeriod, LedgerLine, LedgerTotal
from parceria.commissions.selectors import Balance, balances, balances_of, ledger_totals
from parceria.commissions.totals import latest_snapshot, snapshots_check, totals_check
from parceria.common.audit import Actor
from parceria.common.dbsum import exact_sums
from parceria.common.months import add_months, month_end, next_month
from parceria.payouts.close import close_preview, period_close
from parceria.payouts.models import Payout, PayoutBatch, PayoutStatus, ReimbursementSnapshot
from parceria.payouts.selectors import payouts_with_status, reimbursements_paid
from parceria.payouts.services import payout_mark
from tests.factories import SP, credit, make_partner

ACTOR = Actor.system("tests")
JANUARY, FEBRUARY, MARCH = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
SEEN: Counter[str] = Counter()  # what the state machine went through


def close_at(month: date):
    """Close `month` on the 4th of the month after, as a program closes."""
    now = datetime.combine(month_end(month) + timedelta(days=4), datetime.min.time(), tzinfo=SP)
    return period_close(month=month, actor=ACTOR, now=now)


def mdf_reimbursement(partner, amount: D, at: datetime, *, claim_id: int = 1) -> None:
    """A marketing fund reimbursement of `amount` to `partner`, in its currency, posted at `at`."""
    post_mdf_reimbursement(claim_id=claim_id, partner_id=partner.pk, amount=amount, currency=partner.currency,
                           explanation="fund", created_by="tests", now=at)


def full_balances(until: date | None) -> dict[tuple[int, str], Balance]:
    """The balances summed over every month of the projection, as the close read them before the snapshots."""
    return balances_of(ledger_totals(until=until, per_month=False))


def line_balances(until: date | None) -> dict[tuple[int, str], D]:
    """The balances summed from the ledger lines themselves."""
    found: dict[tuple[int, str], D] = defaultdict(D)
    lines = LedgerLine.objects.all() if until is None else LedgerLine.objects.filter(period__lt=until)
    for partner_id, currency, amount in lines.values_list("partner_id", "currency", "amount"):
        found[(partner_id, currency)] += amount
    return dict(found)


def full_reimbursements_paid() -> dict[tuple[int, str], D]:
    """Σ reimbursement of every payout that did not fail, read from every payout ever made."""
    kept = payouts_with_status(Payout.objects.filter(reimbursement__gt=0)).exclude(current_status=PayoutStatus.FAILED)
    sums = exact_sums(kept, "reimbursement", "partner_id", "currency")
    return {(int(k[0]), str(k[1])): v for k, v in sums.items() if isinstance(k, tuple)}


def assert_snapshots_exact(*untils: date | None) -> None:
    for until in untils:
        found = balances(until=until)
        assert found == full_balances(until), until
        assert {k: b.balance for k, b in found.items()} == line_balances(until), until
    assert reimbursements_paid() == full_reimbursements_paid()
    assert snapshots_check() == []
    for month in PayoutBatch.objects.filter(reimbursements_snapshot=True).values_list("period", flat=True):
        made = Payout.objects.filter(batch__period__lte=month, reimbursement__gt=0)
        sums = exact_sums(made, "reimbursement", "partner_id", "currency")
        stored = ReimbursementSnapshot.objects.filter(month=month).values_list("partner_id", "currency", "paid")
        assert {(p, c): paid for p, c, paid in stored} == {k: v for k, v in sums.items() if isinstance(k, tuple)}


class SnapshotMachine(RuleBasedStateMachine):
    """Lines (also dated in closed months), marketing fund lines, closes in order or skipping a month, payouts that
    fail or are paid in the open month: after every step the snapshot-based reads equal the full-history sums."""

    @initialize()
    def setup(self):
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.partners = [make_partner(), make_partner(tax_regime="pf"), make_partner()]
        self.month = JANUARY  # the first open month
        self.n = 0

    def teardown(self):
        if hasattr(self, "_atomic"):
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    def _at(self, back: int, day: int) -> datetime:
        month = add_months(self.month, months=-back)
        return datetime(month.year, month.month, day, 12, tzinfo=SP)

    @rule(p=st.integers(0, 2), cents=st.integers(-5_000, 60_000), back=st.integers(0, 2), day=st.integers(1, 28),
          places=st.sampled_from([0, 2]))
    def adjust(self, p, cents, back, day, places):
        """An adjustment, maybe dated in a closed month (it posts into the first open one) and with 4 places."""
        self.n += 1
        amount = D(cents).scaleb(-2) + (D("0.0037") if places else 0)
        credit(self.partners[p], str(amount), at=self._at(back, day), key=f"adj:{self.n}")

    @rule(p=st.integers(0, 2), cents=st.integers(1, 20_000), day=st.integers(1, 28))
    def reimburse(self, p, cents, day):
        self.n += 1
        partner = self.partners[p]
        mdf_reimbursement(partner, D(cents).scaleb(-2), self._at(0, day), claim_id=self.n)

    @rule(skip=st.booleans(), then=st.sampled_from(["", PayoutStatus.PAID, PayoutStatus.FAILED]),
          day=st.integers(1, 28))
    def close(self, skip, then, day):
        """Close the first open month, or the month after it (which locks both); then maybe mark one of its payouts
        paid or failed in the next open month."""
        month = next_month(self.month) if skip else self.month
        plan = close_at(month)
        SEEN["close"] += 1
        SEEN["reimbursing payout"] += sum(p.reimbursement > 0 for p in plan.payouts)
        assert close_at(month).batch_id == plan.batch_id  # replayed: the stored close, nothing written twice
        assert BalanceSnapshot.objects.filter(month=month).exists() or not LedgerTotal.objects.exists()
        self.month = next_month(month)
        payout = Payout.objects.filter(batch_id=plan.batch_id).order_by("-reimbursement", "pk").first()
        if then and payout is not None:
            payout_mark(payout=payout, status=then, source="bank", actor=ACTOR, now=self._at(0, day))
            SEEN[f"payout {then}"] += 1

    @precondition(lambda self: Payout.objects.exists())
    @rule(data=st.data(), fail=st.booleans(), day=st.integers(1, 28))
    def settle(self, data, fail, day):
        pending = payouts_with_status().filter(current_status=PayoutStatus.PENDING).order_by("pk")
        ids = list(pending.values_list("pk", flat=True))
        if not ids:
            return
        payout = Payout.objects.get(pk=data.draw(st.sampled_from(ids)))
        status = PayoutStatus.FAILED if fail else PayoutStatus.PAID
        payout_mark(payout=payout, status=status, source="bank", actor=ACTOR, now=self._at(0, day))
        SEEN[f"payout {status}"] += 1

    @invariant()
    def snapshots_are_exact(self):
        if hasattr(self, "partners"):
            last = ClosedPeriod.objects.order_by("-month").values_list("month", flat=True).first()
            assert_snapshots_exact(None, self.month, next_month(self.month), *([next_month(last)] if last else []))


@pytest.mark.django_db
def test_snapshot_balances_equal_the_full_history_after_every_close():
    SnapshotMachine.TestCase.settings = settings(
        max_examples=15, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    SEEN.clear()
    SnapshotMachine.TestCase("runTest").runTest()
    assert SEEN["close"], "the machine closed no month"


@pytest.mark.django_db
def test_the_close_reads_no_ledger_totals_of_the_months_up_to_the_snapshot():
    partner = make_partner()
    for month in (JANUARY, FEBRUARY, MARCH):
        credit(partner, "150.00", at=datetime(month.year, month.month, 10, 12, tzinfo=SP))
    close_at(JANUARY)
    close_at(FEBRUARY)
    assert latest_snapshot(before=MARCH) == FEBRUARY
    expected = close_preview(month=MARCH, today=date(2026, 4, 4))
    assert [(p.partner_id, p.gross) for p in expected.payouts] == [(partner.pk, D("150.00"))]
    # Spoil the projection of the closed months: a close that read it would pay something else.
    table = connection.ops.quote_name(LedgerTotal._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET amount_units = amount_units + 1000000000 WHERE period <= %s",
                       [FEBRUARY.isoformat() if connection.vendor == "sqlite" else FEBRUARY])
    with CaptureQueriesContext(connection) as queries:
        plan = close_at(MARCH)
    assert [(p.partner_id, p.gross) for p in plan.payouts] == [(partner.pk, D("150.00"))]
    assert plan.carried == expected.carried
    reads = [q["sql"] for q in queries.captured_queries
             if LedgerTotal._meta.db_table in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")]
    assert reads and all("period > COALESCE((SELECT MAX(month)" in sql for sql in reads), reads
    # The check reports the spoiled months: the lines disagree with them, and so does every snapshot from January on.
    assert {d.period for d in totals_check()} == {JANUARY, FEBRUARY}
    assert {d.month for d in snapshots_check()} == {JANUARY, FEBRUARY, MARCH}


@pytest.mark.django_db
def test_no_line_posts_into_a_closed_month():
    partner = make_partner()
    credit(partner, "150.00", at="2026-01-10T12:00:00-03:00")
    close_at(JANUARY)
    posting = Posting(partner.pk, "adjustment", "manual", D("1.00"), "BRL", None, None, "late", "late:1")
    with pytest.raises(ClosedMonth):
        ledger_post([(posting, {"occurred_at": datetime(2026, 2, 3, tzinfo=SP), "period": JANUARY})],
                     created_by="tests")
    credit(partner, "5.00", at="2026-01-20T12:00:00-03:00")  # dated in January: posts into February
    assert LedgerLine.objects.filter(partner=partner, period=FEBRUARY).count() == 1
    assert_snapshots_exact(None, FEBRUARY, MARCH)


@pytest.mark.django_db
def test_a_failed_reimbursement_is_paid_again_by_the_next_close():
    partner = make_partner()
    mdf_reimbursement(partner, D("300.00"), datetime(2026, 1, 10, tzinfo=SP))
    credit(partner, "200.00", at="2026-01-11T12:00:00-03:00")
    first = close_at(JANUARY).payouts[0]
    assert (first.gross, first.reimbursement) == (D("500.00"), D("300.00"))
    assert [(r.partner_id, r.paid) for r in ReimbursementSnapshot.objects.filter(month=JANUARY)] == [
        (partner.pk, D("300.0000"))]
    payout = Payout.objects.get(partner=partner)
    payout_mark(payout=payout, status=PayoutStatus.FAILED, source="bank", actor=ACTOR,
                now=datetime(2026, 2, 9, tzinfo=SP))  # its reversal lands in February, open
    assert reimbursements_paid() == full_reimbursements_paid() == {}
    again = close_at(FEBRUARY).payouts[0]
    assert (again.gross, again.reimbursement) == (D("500.00"), D("300.00"))
    # The February snapshot counts both payouts (the failed one is taken off when read).
    assert [(r.partner_id, r.paid) for r in ReimbursementSnapshot.objects.filter(month=FEBRUARY)] == [
        (partner.pk, D("600.0000"))]
    assert reimbursements_paid() == full_reimbursements_paid() == {(partner.pk, "BRL"): D("300.0000")}
    assert_snapshots_exact(None, FEBRUARY, MARCH)


@pytest.mark.django_db
def test_closed_months_without_snapshots_fall_back_and_the_migration_builds_the_latest():
    partner = make_partner()
    mdf_reimbursement(partner, D("120.00"), datetime(2026, 1, 10, tzinfo=SP))
    credit(partner, "30.00", at="2026-02-11T12:00:00-03:00")
    close_at(JANUARY)
    close_at(FEBRUARY)
    credit(partner, "127.0001", at="2026-03-11T12:00:00-03:00")
    # As a program closed before the snapshots existed: closed months, no snapshot.
    with connection.cursor() as cursor:
        for model in (BalanceSnapshot, ReimbursementSnapshot):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        cursor.execute(f"UPDATE {connection.ops.quote_name(PayoutBatch._meta.db_table)} "
                       "SET reimbursements_snapshot = %s", [False])
    assert latest_snapshot() is None
    assert_snapshots_exact(None, FEBRUARY, MARCH, date(2026, 4, 1))
    commissions = importlib.import_module("parceria.commissions.migrations.0010_balance_snapshots")
    payouts = importlib.import_module("parceria.payouts.migrations.0012_reimbursement_snapshots")
    editor = SimpleNamespace(connection=connection)
    commissions.snapshot_latest_closed_month(django_apps, editor)
    payouts.snapshot_latest_batch(django_apps, editor)
    assert latest_snapshot() == FEBRUARY and BalanceSnapshot.objects.filter(month=JANUARY).count() == 0
    assert [(r.month, r.paid) for r in ReimbursementSnapshot.objects.all()] == [(FEBRUARY, D("120.0000"))]
    assert_snapshots_exact(None, FEBRUARY, MARCH, date(2026, 4, 1))
    plan = close_at(MARCH)
    assert [(p.gross, p.reimbursement) for p in plan.payouts] == [(D("157.00"), D("0"))]
    assert_snapshots_exact(None, MARCH, date(2026, 4, 1))


@pytest.mark.django_db
def test_the_check_reports_a_stale_snapshot_and_the_rebuild_repairs_it():
    partner = make_partner()
    credit(partner, "150.00", at="2026-01-10T12:00:00-03:00")
    credit(partner, "20.00", at="2026-02-10T12:00:00-03:00")
    close_at(JANUARY)
    close_at(FEBRUARY)
    table = connection.ops.quote_name(BalanceSnapshot._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET amount_units = amount_units + 1 WHERE kind = 'adjustment'")
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"0 ledger-total group\(s\) differ from the lines and 2 balance-snapshot"):
        call_command("ledger_totals", "--check", stdout=out)
    assert f"snapshot 2026-01 partner {partner.pk} adjustment BRL: totals 150.0000 (1 lines), snapshot 150.0001" \
        in out.getvalue()
    call_command("ledger_totals", "--rebuild", stdout=io.StringIO())
    assert snapshots_check() == []
    assert sorted(BalanceSnapshot.objects.values_list("month", "kind", "amount_units", "lines")) == [
        (JANUARY, "adjustment", 1_500_000, 1), (JANUARY, "payout", -1_500_000, 1),
        (FEBRUARY, "adjustment", 1_700_000, 2), (FEBRUARY, "payout", -1_500_000, 1)]


@pytest.mark.django_db
def test_the_check_reports_a_stale_reimbursement_snapshot_and_the_rebuild_repairs_it():
    partner = make_partner()
    for day, amount in ((date(2026, 1, 10), "300.00"), (date(2026, 2, 10), "240.00")):
        mdf_reimbursement(partner, D(amount), datetime.combine(day, datetime.min.time(), tzinfo=SP), claim_id=day.month)
    credit(partner, "200.00", at="2026-01-11T12:00:00-03:00")
    close_at(JANUARY)
    close_at(FEBRUARY)
    out = io.StringIO()
    call_command("ledger_totals", "--check", stdout=out)
    assert out.getvalue().strip().endswith(
        "and the balance snapshots with the totals, and the reimbursement snapshots with the payouts.")
    kept = sorted(ReimbursementSnapshot.objects.values_list("month", "partner_id", "paid"))
    assert kept == [(JANUARY, partner.pk, D("300.0000")), (FEBRUARY, partner.pk, D("540.0000"))]
    table = connection.ops.quote_name(ReimbursementSnapshot._meta.db_table)
    with connection.cursor() as cursor:  # spoiled as no writer of the product could: the rows are append-only
        cursor.execute(f"UPDATE {table} SET paid = paid + 1 WHERE month = %s",
                       [connection.ops.adapt_datefield_value(JANUARY)])
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"0 balance-snapshot group\(s\) from the totals and 1 difference\(s\) "
                                           r"in the reimbursement snapshots"):
        call_command("ledger_totals", "--check", stdout=out)
    assert (f"reimbursement snapshots: 2026-01 partner {partner.pk} BRL: payouts 300.0000, snapshot 301.0000"
            in out.getvalue())
    out = io.StringIO()
    call_command("ledger_totals", "--rebuild", stdout=out)
    assert "Rebuilt the reimbursement snapshots: 2 rows." in out.getvalue()
    assert sorted(ReimbursementSnapshot.objects.values_list("month", "partner_id", "paid")) == kept
    assert reimbursements_paid() == full_reimbursements_paid() == {(partner.pk, "BRL"): D("540.0000")}
