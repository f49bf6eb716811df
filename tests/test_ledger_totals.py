"""The ledger-totals projection: kept by the ledger writer, exact, checked against the lines, rebuildable."""

from __future__ import annotations

import importlib
import threading
from datetime import date
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.models import F
from hypothesis import given, settings
from hypothesis import strategies as st

from parceria.commissions.engine import Posting
from parceria.commissions.ledger import ledger_post
from parceria.commissions.models import LedgerTotal
from parceria.commissions.selectors import partner_balance, period_totals
from parceria.commissions.totals import Difference, from_units, group, to_units, totals_check, totals_rebuild
from tests.factories import at, ingest, make_customer, make_partner, paid, refunded


def _rows():
    return sorted(
        (t.partner_id, t.period, t.kind, t.currency, t.amount, t.lines) for t in LedgerTotal.objects.all()
    )


@pytest.mark.django_db
def test_every_posting_lands_in_its_group_in_the_same_transaction():
    referrer = make_partner(tier="preferred")  # 25 %
    customer = make_customer(referrer)
    assert ingest(
        paid(customer, "1000.00", invoice_id="inv_a"),
        paid(customer, "333.33", invoice_id="inv_b"),
        refunded(customer, "inv_a", "100.00"),
    ).accepted == 3
    payout = Posting(referrer.pk, "payout", "payout", D("-200.00"), "BRL", None, None, "paid", "payout:test:1")
    ledger_post([(payout, {"occurred_at": at("2026-04-20T12:00:00-03:00")})], created_by="tests")

    p = referrer.pk
    assert _rows() == [
        (p, date(2026, 3, 1), "accrual", "BRL", D("333.3325"), 2),  # 250.0000 + 83.3325
        (p, date(2026, 4, 1), "clawback", "BRL", D("-25.0000"), 1),
        (p, date(2026, 4, 1), "payout", "BRL", D("-200.0000"), 1),
    ]
    balance = partner_balance(referrer)
    assert (balance.accrued, balance.clawed_back, balance.paid_out, balance.balance) == (
        D("333.3325"), D("25.0000"), D("200.0000"), D("108.3325")
    )
    assert [(t.period, t.kind, t.amount) for t in period_totals(referrer)] == [
        (date(2026, 3, 1), "accrual", D("333.3325")),
        (date(2026, 4, 1), "clawback", D("-25.0000")),
        (date(2026, 4, 1), "payout", D("-200.0000")),
    ]
    assert totals_check() == []


@pytest.mark.django_db
def test_a_failed_posting_leaves_the_totals_untouched():
    referrer = make_partner(tier="preferred")
    first = Posting(referrer.pk, "adjustment", "manual", D("10.00"), "BRL", None, None, "once", "adj:once")
    ledger_post([(first, {"occurred_at": at("2026-03-02T12:00:00-03:00")})], created_by="tests")
    before = _rows()
    again = [(first, {"occurred_at": at("2026-03-02T12:00:00-03:00")})]
    with pytest.raises(Exception, match="dedupe_key"):  # the line is refused; its upsert goes with it
        ledger_post(again, created_by="tests")
    assert _rows() == before


@pytest.mark.django_db
def test_check_names_a_drifted_group_and_rebuild_repairs_it(capsys):
    referrer = make_partner(tier="preferred")
    customer = make_customer(referrer)
    assert ingest(paid(customer, "1000.00")).accepted == 1
    LedgerTotal.objects.filter(partner=referrer).update(amount_units=F("amount_units") + 1, lines=F("lines") + 1)

    assert totals_check() == [
        Difference(referrer.pk, date(2026, 3, 1), "accrual", "BRL", D("250.0000"), 1, D("250.0001"), 2)
    ]
    with pytest.raises(CommandError, match=r"1 ledger-total group\(s\) differ"):
        call_command("ledger_totals", "--check")
    assert f"partner {referrer.pk} 2026-03 accrual BRL: lines 250.0000 (1 lines), totals 250.0001 (2 lines)" in (
        capsys.readouterr().out
    )

    call_command("ledger_totals", "--rebuild")
    assert "Rebuilt the ledger totals: 1 groups." in capsys.readouterr().out
    assert totals_check() == []
    assert partner_balance(referrer).balance == D("250.0000")


@pytest.mark.django_db
def test_a_group_missing_from_the_projection_is_reported():
    referrer = make_partner(tier="preferred")
    assert ingest(paid(make_customer(referrer), "40.00")).accepted == 1
    LedgerTotal.objects.all().delete()  # the projection only; the lines stay
    assert totals_check() == [
        Difference(referrer.pk, date(2026, 3, 1), "accrual", "BRL", D("10.0000"), 1, D("0.0000"), 0)
    ]
    assert totals_rebuild() == 1
    assert totals_check() == []


@pytest.mark.django_db
def test_the_migration_builds_the_projection_from_existing_lines():
    referrer = make_partner(tier="preferred")
    customer = make_customer(referrer)
    assert ingest(
        paid(customer, "0.04", invoice_id="inv_tiny"),  # 0.0100
        paid(customer, "1234.56", invoice_id="inv_big", at="2026-04-01T09:00:00-03:00"),
        refunded(customer, "inv_big", "0.01"),
    ).accepted == 3
    expected = _rows()
    LedgerTotal.objects.all().delete()
    migration = importlib.import_module("parceria.commissions.migrations.0007_ledger_totals")
    migration.fill_totals(None, SimpleNamespace(connection=connection))
    assert _rows() == expected
    assert totals_check() == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_to_one_partner_keep_the_totals_exact():
    referrer = make_partner(tier="preferred")
    customer = make_customer(referrer)
    barrier = threading.Barrier(12)
    errors: list[BaseException] = []

    def post(n: int) -> None:
        try:
            barrier.wait()
            result = ingest(paid(customer, "10.04", invoice_id=f"inv_c{n}", event_id=f"evt_c{n}"))
            assert result.accepted == 1, result.rejected
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _rows() == [(referrer.pk, date(2026, 3, 1), "accrual", "BRL", D("30.1200"), 12)]  # 12 × 2.5100
    assert totals_check() == []


def test_amounts_with_more_than_four_places_are_refused():
    assert to_units(D("-1234.5678")) == -12345678
    assert to_units(D("0.10")) == 1000
    with pytest.raises(ValueError, match="more than 4 decimal places"):
        to_units(D("0.00001"))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([1, 2]),
            st.sampled_from([date(2026, 3, 1), date(2026, 4, 1)]),
            st.sampled_from(["accrual", "clawback"]),
            st.decimals(min_value=D("-99999999.9999"), max_value=D("99999999.9999"), places=4),
        ),
        max_size=40,
    )
)
def test_grouped_units_equal_the_exact_decimal_sums(lines):
    groups = group((p, period, kind, "BRL", amount) for p, period, kind, amount in lines)
    for (p, period, kind, _), (units, count) in groups.items():
        mine = [a for (q, m, k, a) in lines if (q, m, k) == (p, period, kind)]
        assert from_units(units) == sum(mine, D("0.0000"))
        assert count == len(mine)
    assert sum(count for _, count in groups.values()) == len(lines)
