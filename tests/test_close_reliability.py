"""The close under crashes and concurrency (SPEC §7.6): killed with SIGKILL at each stage and run again,
it ends exactly like an uninterrupted close; ten closes at once give one batch."""

from __future__ import annotations

import inspect
import os
import re
import signal
import subprocess
import sys
import threading
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection, connections

from parceria.commissions.models import BalanceSnapshot, ClosedPeriod, LedgerLine
from parceria.common.audit import Actor
from parceria.payouts.close import close_preview, period_close
from parceria.payouts.models import CarriedBalance, Payout, PayoutBatch, PayoutWithholding, ReimbursementSnapshot
from tests.factories import ingest, make_customer, make_partner, paid

MARCH = date(2026, 3, 1)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _run_close(kill_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": _database_url(), "PARCERIA_SECRET_KEY": "test-key"}
    env.pop("PARCERIA_CLOSE_KILL_AT", None)
    if kill_at:
        env["PARCERIA_CLOSE_KILL_AT"] = kill_at
    connections.close_all()
    return subprocess.run(
        [sys.executable, "-m", "parceria.cli", "close", "2026-03"], env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )


def _program() -> list:
    partners = [make_partner(tier="preferred"), make_partner(tax_regime="pf"), make_partner(tier="strategic")]
    for n, partner in enumerate(partners):
        customer = make_customer(partner)
        ingest(*[paid(customer, f"{1000 + 911 * n + k}.37", invoice_id=f"inv_{n}_{k}") for k in range(3)])
    return partners


def _snapshot() -> dict[str, object]:
    return {
        "batches": list(PayoutBatch.objects.values_list("period", flat=True)),
        "closed": list(ClosedPeriod.objects.values_list("month", flat=True)),
        "payouts": sorted(Payout.objects.values_list("partner_id", "gross", "net")),
        "withholdings": sorted(PayoutWithholding.objects.values_list("payout__partner_id", "code", "amount")),
        "carried": sorted(CarriedBalance.objects.values_list("partner_id", "balance", "reason")),
        "payout_lines": sorted(LedgerLine.objects.filter(kind="payout").values_list("partner_id", "amount", "period")),
        "lines": LedgerLine.objects.count(),
        "snapshots": sorted(BalanceSnapshot.objects.values_list("month", "partner_id", "kind", "currency",
                                                                "amount_units")),
        "reimbursement_snapshots": ReimbursementSnapshot.objects.count(),
    }


#: The stages the close can be killed at (payouts/close.py `_checkpoint`), in the order it reaches them.
STAGES = ("locked", "planned", "payouts_written", "ledger_written")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_close_killed_at_any_stage_leaves_nothing_and_the_rerun_matches_an_uninterrupted_close():
    """Killed at each stage in turn, each kill leaving the database as it found it; then the close runs to its end
    and pays what an uninterrupted close would have paid, and a further close changes nothing."""
    assert re.findall(r'_checkpoint\("(\w+)"\)', inspect.getsource(period_close)) == list(STAGES)
    _program()
    expected = close_preview(month=MARCH)
    before = _snapshot()
    for stage in STAGES:
        killed = _run_close(kill_at=stage)
        assert killed.returncode == -signal.SIGKILL, (stage, killed.stderr)
        assert _snapshot() == before, stage  # the killed transaction left nothing behind
    rerun = _run_close()
    assert rerun.returncode == 0, rerun.stderr
    after = _snapshot()
    assert after["payouts"] == sorted((p.partner_id, p.gross, p.net) for p in expected.payouts)
    assert after["carried"] == sorted((c.partner_id, c.balance, c.reason) for c in expected.carried)
    assert after["payout_lines"] == sorted((p.partner_id, -p.gross, MARCH) for p in expected.payouts)
    assert after["lines"] == before["lines"] + len(expected.payouts)
    # the close's snapshot of the balances after it: each partner's is what the close carried, to the cent
    left: dict[int, D] = {}
    for _month, partner, _kind, _currency, units in after["snapshots"]:
        left[partner] = left.get(partner, D(0)) + D(units) / 10_000
    assert {k: v for k, v in left.items() if v} == {c.partner_id: c.balance for c in expected.carried if c.balance}
    assert _run_close().returncode == 0 and _snapshot() == after  # and once more: nothing changes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_concurrent_closes_make_one_batch():
    partners = _program()
    results, errors = [], []
    barrier = threading.Barrier(10)

    def run() -> None:
        try:
            barrier.wait()
            results.append(period_close(month=MARCH, actor=Actor.system("thread")))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert len({r.batch_id for r in results}) == 1
    assert PayoutBatch.objects.count() == 1
    assert Payout.objects.count() == len(partners)
    assert LedgerLine.objects.filter(kind="payout").count() == len(partners)
    gross = {r.partner_id: r.gross for r in results[0].payouts}
    assert all(gross[p.pk] > D(0) for p in partners)
