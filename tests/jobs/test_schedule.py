"""`parceria schedule`: what is due when, each run logged with its outcome, missing commands skipped, one instance
at a time."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from parceria.jobs.models import Lease, RunOutcome, ScheduledRun
from parceria.jobs.schedule import DAY, HOUR, MINUTE, QUARTER, SCHEDULE, Periodic, due, lease_take, run_entry

SP = ZoneInfo("America/Sao_Paulo")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SP)


def test_the_slots_of_each_cadence():
    now = at(2026, 3, 10, 10, 37, 12)
    assert Periodic("x", unit=MINUTE).last_slot(now) == at(2026, 3, 10, 10, 37)
    assert Periodic("x", unit=MINUTE, every=15).last_slot(now) == at(2026, 3, 10, 10, 30)
    assert Periodic("x", unit=HOUR).last_slot(now) == at(2026, 3, 10, 10, 0)
    assert Periodic("x", unit=DAY, at=time(5, 15)).last_slot(now) == at(2026, 3, 10, 5, 15)
    assert Periodic("x", unit=DAY, at=time(11, 0)).last_slot(now) == at(2026, 3, 9, 11, 0)
    assert Periodic("x", unit=QUARTER, at=time(6)).last_slot(now) == at(2026, 1, 1, 6, 0)
    assert Periodic("x", unit=QUARTER, at=time(6)).last_slot(at(2026, 1, 1, 5, 0)) == at(2025, 10, 1, 6, 0)
    assert Periodic("x", unit=QUARTER, at=time(6)).last_slot(at(2026, 7, 1, 6, 0)) == at(2026, 7, 1, 6, 0)


@pytest.mark.django_db
def test_once_runs_everything_never_run_then_only_what_its_cadence_makes_due():
    with time_machine.travel(at(2026, 3, 10, 10, 30), tick=False):
        call_command("schedule", "--once", stdout=None)
        runs = {r.command: r.outcome for r in ScheduledRun.objects.all()}
        assert set(runs) == {e.name for e in SCHEDULE} - {"assess-tiers"}  # quarterly: waits for its first slot
        assert runs["leads-expire"] == runs["clearsessions"] == runs["ledger-totals --check"] == RunOutcome.OK
        assert "0 lead offer(s) expired" in ScheduledRun.objects.get(command="leads-expire").output
        assert due(at(2026, 3, 10, 10, 30, 40)) == []
    names = [e.name for e in due(at(2026, 3, 10, 10, 31))]
    assert names == ["webhooks-deliver", "notifications-deliver"]
    assert [e.name for e in due(at(2026, 3, 10, 11, 0))] == ["webhooks-deliver", "notifications-deliver",
                                                             "leads-expire"]
    assert [e.name for e in due(at(2026, 3, 11, 5, 15))] == [
        "webhooks-deliver", "notifications-deliver", "leads-expire", "agreements-expire", "deals-expire",
        "mdf-expire", "ledger-totals --check", "alerts",
        "analytics-rollup --check --repair", "idempotency-prune", "clearsessions", "retention --apply",
        "prune-db-task-results"]
    assert "assess-tiers" not in [e.name for e in due(at(2026, 3, 31, 23, 59))]
    assert "assess-tiers" in [e.name for e in due(at(2026, 4, 1, 6, 0))]
    assert "assess-tiers" in [e.name for e in due(at(2026, 4, 1, 23, 0))]


@pytest.mark.django_db
def test_a_missing_command_is_skipped_and_a_failing_one_is_logged_failed():
    skipped = run_entry(Periodic("no-such-command"))
    failed = run_entry(Periodic("alerts", ("--lead-days", "-1")))
    assert (skipped.outcome, skipped.output) == (RunOutcome.SKIPPED, "no such command in this installation")
    assert failed.outcome == RunOutcome.FAILED and "--lead-days must not be negative" in failed.output
    assert failed.finished_at is not None


@pytest.mark.django_db
def test_a_second_instance_runs_nothing_while_the_lease_is_held_and_takes_over_when_it_expires():
    with time_machine.travel(at(2026, 3, 10, 10, 30), tick=False):
        assert lease_take("schedule", "other-host-1")
        with pytest.raises(CommandError, match="another `parceria schedule` is running"):
            call_command("schedule", "--once")
        assert ScheduledRun.objects.count() == 0
    with time_machine.travel(at(2026, 3, 10, 10, 41), tick=False):  # the holder died: its lease expired
        call_command("schedule", "--once", stdout=None)
        assert ScheduledRun.objects.count() == len(SCHEDULE) - 1
        assert not Lease.objects.exists()  # released on the way out


@pytest.mark.django_db
def test_the_log_keeps_thirty_days(settings):
    old = ScheduledRun.objects.create(command="alerts", started_at=at(2026, 1, 1, 5, 15), outcome=RunOutcome.OK)
    with time_machine.travel(at(2026, 3, 10, 10, 30) + timedelta(seconds=1), tick=False):
        call_command("schedule", "--once", stdout=None)
    assert not ScheduledRun.objects.filter(pk=old.pk).exists()
