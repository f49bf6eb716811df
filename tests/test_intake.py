"""Event intake: exactly-once under retries and concurrency, ledger append-only, CSV import."""

from __future__ import annotations

import threading
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, OperationalError, connection, connections, transaction

from parceria.commissions.intake import events_ingest
from parceria.commissions.models import LedgerLine
from parceria.commissions.selectors import partner_balance
from parceria.commissions.totals import totals_check
from parceria.common.append_only import AppendOnlyError
from parceria.common.errors import Conflict
from parceria.customers.models import Customer, Event, EventBatch, EventSource, Invoice, Refund
from tests.factories import ingest, make_customer, make_integration_partner, make_partner, paid, refunded, usage


def _state():
    return (Event.objects.count(), Invoice.objects.count(), Refund.objects.count(), LedgerLine.objects.count())


@pytest.mark.django_db
def test_the_same_event_sent_five_times_accrues_once():
    referrer = make_partner(tier="preferred")
    customer = make_customer(referrer)
    event = paid(customer, "1000.00", event_id="evt_once")
    results = [ingest(event) for _ in range(5)]
    assert [(r.accepted, r.duplicates) for r in results] == [(1, 0)] + [(0, 1)] * 4
    assert _state() == (1, 1, 0, 1)
    assert partner_balance(referrer).accrued == D("250.0000")


@pytest.mark.django_db
def test_same_id_with_a_different_payload_is_a_conflict_and_writes_nothing():
    customer = make_customer(make_partner(tier="preferred"))
    ingest(paid(customer, "100.00", event_id="evt_x", invoice_id="inv_x"))
    before = _state()
    result = ingest(paid(customer, "100.01", event_id="evt_x", invoice_id="inv_x"))
    assert (result.accepted, result.duplicates) == (0, 0)
    assert [(r.index, r.id, r.code) for r in result.rejected] == [(0, "evt_x", "conflict")]
    assert _state() == before


@pytest.mark.django_db
def test_equivalent_payloads_are_duplicates_not_conflicts():
    customer = make_customer(make_partner(tier="preferred"))
    first = paid(customer, "100.00", event_id="evt_eq", at="2026-03-31T12:00:00-03:00")
    same = {**first, "amount": "100", "occurred_at": "2026-03-31T15:00:00+00:00", "currency": "brl"}
    assert ingest(first).accepted == 1
    assert ingest(same).duplicates == 1


def _in_threads(count: int, work):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(work())
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results, errors


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_event_sent_by_fifty_threads_at_once_accrues_once():
    referrer = make_partner(tier="strategic")
    integrator = make_integration_partner("0.20")
    customer = make_customer(referrer)
    ingest(usage(customer, "50", partner=integrator), usage(customer, "50"))
    event = paid(customer, "200.00", event_id="evt_race")
    results, errors = _in_threads(50, lambda: events_ingest(items=[event], source=EventSource.API, submitted_by="t"))
    assert errors == []
    assert sum(r.accepted for r in results) == 1
    assert sum(r.duplicates for r in results) == 49, [x for r in results for x in r.rejected]
    assert Event.objects.filter(pk="evt_race").count() == 1
    lines = LedgerLine.objects.filter(event_id="evt_race").order_by("partner_id")
    assert [(line.partner_id, line.amount) for line in lines] == [
        (referrer.pk, D("60.0000")),
        (integrator.pk, D("20.0000")),
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_refunds_never_refund_more_than_the_invoice():
    referrer = make_partner(tier="preferred")
    customer = make_customer(referrer)
    first = ingest(paid(customer, "100.00", invoice_id="inv_race"))
    assert first.accepted == 1, first.rejected

    counter = iter(range(1000))
    lock = threading.Lock()

    def refund_ten():
        with lock:
            n = next(counter)
        return events_ingest(
            items=[refunded(customer, "inv_race", "10.00", event_id=f"evt_refund_{n}")],
            source=EventSource.API,
            submitted_by="t",
        )

    results, errors = _in_threads(30, refund_ten)
    assert errors == []
    assert sum(r.accepted for r in results) == 10, [x for r in results for x in r.rejected][:3]
    assert sum(1 for r in results for x in r.rejected if x.code == "refund_exceeds_invoice") == 20
    balance = partner_balance(referrer)
    assert (balance.accrued, balance.clawed_back, balance.balance) == (D("25.0000"), D("25.0000"), D("0.0000"))
    assert totals_check() == []


@pytest.mark.django_db
def test_a_refund_after_payout_leaves_a_negative_balance_that_carries():
    from parceria.commissions.engine import Posting
    from parceria.commissions.ledger import ledger_post
    from tests.factories import at

    referrer = make_partner(tier="certified")
    customer = make_customer(referrer)
    ingest(paid(customer, "500.00", invoice_id="inv_paid_out"))
    payout = Posting(
        referrer.pk, "payout", "manual", D("-100.0000"), "BRL", None, None, "Payout of March", "payout:test:1"
    )
    ledger_post([(payout, {"occurred_at": at("2026-04-10T12:00:00-03:00")})], created_by="tests")
    ingest(refunded(customer, "inv_paid_out", "500.00"))
    balance = partner_balance(referrer)
    assert (balance.accrued, balance.clawed_back, balance.paid_out) == (D("100.0000"), D("100.0000"), D("100.0000"))
    assert balance.balance == D("-100.0000")


@pytest.mark.django_db
def test_bad_items_are_rejected_one_by_one_and_good_ones_kept():
    customer = make_customer(make_partner(tier="preferred"))
    result = ingest(paid(customer, "10.00"), {"id": "bad", "type": "invoice.paid"}, paid(customer, "20.00"))
    assert (result.accepted, [r.index for r in result.rejected]) == (2, [1])
    assert Event.objects.count() == 2


@pytest.mark.django_db
def test_churn_and_csat_events_update_the_customer():
    customer = make_customer(make_partner())
    ingest(
        {
            "id": "c1",
            "type": "customer.csat",
            "occurred_at": "2026-03-01T10:00:00Z",
            "customer": customer.external_id,
            "score": 4,
        },
        {
            "id": "c2",
            "type": "customer.churned",
            "occurred_at": "2026-03-02T10:00:00Z",
            "customer": customer.external_id,
        },
    )
    customer.refresh_from_db()
    assert customer.status == "churned" and customer.churned_at.isoformat() == "2026-03-02T10:00:00+00:00"
    assert list(customer.csat_scores.values_list("score", flat=True)) == [4]


@pytest.mark.django_db
def test_ledger_lines_cannot_be_updated_or_deleted_through_the_orm():
    customer = make_customer(make_partner(tier="preferred"))
    ingest(paid(customer, "100.00"))
    line = LedgerLine.objects.get()
    line.amount = D("999")
    with pytest.raises(AppendOnlyError):
        line.save()
    with pytest.raises(AppendOnlyError):
        line.delete()
    with pytest.raises(AppendOnlyError):
        LedgerLine.objects.filter(pk=line.pk).update(amount=D("999"))
    with pytest.raises(AppendOnlyError):
        LedgerLine.objects.all().delete()
    assert LedgerLine.objects.get().amount == D("25.0000")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_raw_sql_updates_and_deletes_of_ledger_lines():
    customer = make_customer(make_partner(tier="preferred"))
    ingest(paid(customer, "100.00"))
    for sql in ("UPDATE commissions_ledgerline SET amount = 0", "DELETE FROM commissions_ledgerline"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert LedgerLine.objects.get().amount == D("25.0000")


@pytest.mark.django_db
def test_import_events_from_csv_reports_rejected_lines(tmp_path: Path, capsys):
    customer = make_customer(make_partner(tier="preferred"), external_id="cus_csv")
    Customer.objects.filter(pk=customer.pk).update(name="CSV customer")
    path = tmp_path / "events.csv"
    path.write_text(
        "id,type,occurred_at,customer,invoice_id,amount,currency,period_start,period_end,score\n"
        "e1,invoice.paid,2026-03-31T12:00:00-03:00,cus_csv,inv_c1,400.00,BRL,2026-03-01,2026-03-31,\n"
        "e2,customer.csat,2026-03-31T12:00:00-03:00,cus_csv,,,,,,5\n"
        "e3,invoice.paid,2026-03-31T12:00:00-03:00,cus_nobody,inv_c2,10.00,BRL,2026-03-01,2026-03-31,\n",
        encoding="utf-8",
    )
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_events", str(path), "--quiet")
    assert exit_info.value.code == 2
    out = capsys.readouterr()
    assert "3 rows: 2 accepted, 0 duplicates, 1 rejected" in out.out
    assert "line 4, column customer: e3: unknown customer 'cus_nobody'" in out.err
    assert partner_balance(customer.partner).accrued == D("100.0000")


@pytest.mark.django_db
def test_import_events_refuses_a_file_without_the_required_columns(tmp_path: Path):
    from django.core.management.base import CommandError

    path = tmp_path / "bad.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 1: the CSV header lacks the column"):
        call_command("import_events", str(path), "--quiet")
    assert Event.objects.count() == 0


_CSV_HEADER = "id,type,occurred_at,customer,invoice_id,amount,currency,period_start,period_end\n"
_CSV_ROW = "{id},invoice.paid,2026-03-31T12:00:00-03:00,{customer},inv_{id},{amount},BRL,2026-03-01,2026-03-31\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "words"),
    [
        ((_CSV_HEADER + _CSV_ROW.format(id="e1", customer="cus_são", amount="1.00")).encode("latin-1"),
         "line 2: the file is not UTF-8 text: byte 0xE3"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "line 1: the file is not UTF-8 text: byte 0x89"),
        ((_CSV_HEADER + _CSV_ROW.format(id="e1", customer='"cus_x', amount="1.00")
          + _CSV_ROW.format(id="e2", customer="cus_x", amount="2.00")).encode(),
         "line 2: a quote opened on this line is never closed"),
    ],
    ids=["latin-1", "binary", "a quote never closed"],
)
def test_import_events_refuses_an_unreadable_file_with_its_line_and_stores_nothing(tmp_path: Path, data, words):
    from django.core.management.base import CommandError

    make_customer(make_partner(), external_id="cus_x")
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError, match=words):
        call_command("import_events", str(path), "--quiet")
    assert (Event.objects.count(), LedgerLine.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_import_events_reads_utf16_and_reports_each_bad_line_with_its_column(tmp_path: Path, capsys):
    customer = make_customer(make_partner(), external_id="cus_ç")
    path = tmp_path / "events.csv"
    text = (
        _CSV_HEADER
        + _CSV_ROW.format(id="e1", customer="cus_ç", amount="400.00")
        + _CSV_ROW.format(id="e2", customer="cus_\x00ç", amount="1.00")
        + _CSV_ROW.format(id="e3", customer="cus_ç", amount="9" * 140_000)
        + _CSV_ROW.format(id="e4", customer="cus_ç", amount="1.00").replace("\n", ",extra\n")
    )
    path.write_bytes(text.encode("utf-16"))  # with its byte-order mark
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_events", str(path), "--quiet")
    assert exit_info.value.code == 2
    out = capsys.readouterr()
    assert "4 rows: 1 accepted, 0 duplicates, 3 rejected" in out.out
    assert out.err.splitlines() == [
        "line 3, column customer: e2: customer: text may not contain NUL (\\x00) characters",
        "line 4, column amount: e3: amount: text of at most 200 characters is allowed; this one has 140,000",
        "line 5, column 10: e4: the line has 10 cells but the header has 9 columns; cells beyond the header are not "
        "imported, so the line is refused",
    ]
    assert list(Event.objects.values_list("event_id", flat=True)) == ["e1"]
    assert partner_balance(customer.partner).accrued == D("80.0000")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "reported_id", "field", "error"),
    [
        ({"customer": "cus_\x00x"}, "evt_text", "customer", "customer: text may not contain NUL (\\x00) characters"),
        ({"id": "evt\x00text"}, None, "id", "id: text may not contain NUL (\\x00) characters"),
        ({"invoice_id": "i" * 201}, "evt_text", "invoice_id",
         "invoice_id: text of at most 200 characters is allowed; this one has 201"),
        ({"amount": "9" * 100_000}, "evt_text", "amount",
         "amount: text of at most 200 characters is allowed; this one has 100,000"),
    ],
    ids=["NUL in a field", "NUL in the id", "text over 200 characters", "a huge amount"],
)
def test_the_shared_event_rules_refuse_nul_and_long_text_for_every_source(change, reported_id, field, error):
    """The rules belong to the event validation, not to the API's request guard: events that reach the intake by
    another way (the CSV import, a webhook) are judged alike, and nothing of them is stored or echoed."""
    customer = make_customer(make_partner(), external_id="cus_x")
    event = paid(customer, "10.00", event_id="evt_text") | change

    for source in (EventSource.API, EventSource.CSV, EventSource.WEBHOOK):
        result = events_ingest(items=[event], source=source, submitted_by="tests")

        assert (result.accepted, result.duplicates) == (0, 0)
        assert [(r.index, r.id, r.field, r.code, r.error) for r in result.rejected] == [
            (0, reported_id, field, "invalid_event", error)]
    assert (Event.objects.count(), Invoice.objects.count(), LedgerLine.objects.count()) == (0, 0, 0)
    assert [r["error"] for r in EventBatch.objects.values_list("rejected", flat=True)[0]] == [error]


def _failing_store(error: Exception, calls: list[int]):
    def store(*args, **kwargs):
        calls.append(1)
        raise error

    return store


def _sqlite_error(text: str) -> Exception:
    """Django's OperationalError raised from the driver's, as Django raises it."""
    import sqlite3

    error = OperationalError(text)
    error.__cause__ = sqlite3.OperationalError(text)
    return error


@pytest.mark.django_db
@pytest.mark.parametrize(("error", "raised", "code"), [
    # busy on every try: the last error is raised, which the API answers 503 `database_busy` (tests/test_faults.py)
    (lambda: _sqlite_error("database is locked"), OperationalError, "database_busy"),
    # a race with concurrent writers lost on every try: the 409 `busy` conflict
    (lambda: IntegrityError("duplicate key"), Conflict, "busy"),
])
def test_a_batch_is_tried_again_then_answered_by_its_last_error_with_nothing_stored(monkeypatch, error, raised,
                                                                                    code):
    from parceria.commissions import intake
    from parceria.common.dbfaults import database_fault

    customer = make_customer(make_partner())
    calls: list[int] = []
    monkeypatch.setattr(intake, "_store", _failing_store(error(), calls))
    with pytest.raises(raised) as refused:
        events_ingest(items=[paid(customer, "100.00")], source=EventSource.API, submitted_by="t")
    fault = database_fault(refused.value)
    found = refused.value.code if isinstance(refused.value, Conflict) else fault.code if fault else None
    assert (found, len(calls)) == (code, intake.MAX_ATTEMPTS)
    assert not Event.objects.exists() and not LedgerLine.objects.exists()


@pytest.mark.django_db
def test_a_database_fault_that_is_not_busy_is_raised_at_once(monkeypatch):
    from parceria.commissions import intake

    customer = make_customer(make_partner())
    calls: list[int] = []
    monkeypatch.setattr(intake, "_store", _failing_store(_sqlite_error("database or disk is full"), calls))
    with pytest.raises(OperationalError):
        events_ingest(items=[paid(customer, "100.00")], source=EventSource.API, submitted_by="t")
    assert len(calls) == 1 and not Event.objects.exists()
