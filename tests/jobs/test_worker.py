"""The worker over the database queue: running tasks, retries with back-off, failed tasks kept, tasks of a dead
worker put back, several workers sharing the queue."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from parceria.jobs.models import WorkerHeartbeat
from parceria.jobs.queue import requeue_lost
from parceria.jobs.retry import RetryPolicy, policy_for
from parceria.jobs.worker import run_workers
from tests.jobs import tasks


def _run_batch() -> None:
    run_workers(threads=1, queues=["default"], interval=0, batch=True)


def _row(result) -> DBTaskResult:
    return DBTaskResult.objects.get(pk=result.id)


def test_the_back_off_doubles_from_the_base_up_to_the_cap():
    policy = RetryPolicy(max_attempts=5, backoff_seconds=10, backoff_cap_seconds=60)
    assert [policy.delay(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 60, 60]
    assert policy.gives_up(5) and not policy.gives_up(4)


def test_a_declared_policy_overrides_the_defaults_and_a_plain_task_gets_the_defaults(settings):
    settings.PARCERIA_JOBS = {**settings.PARCERIA_JOBS, "MAX_ATTEMPTS": 4, "BACKOFF_SECONDS": 7}
    assert policy_for(tasks.flaky.module_path) == RetryPolicy(max_attempts=3, backoff_seconds=10,
                                                              backoff_cap_seconds=25)
    assert policy_for(tasks.plain_boom.module_path) == RetryPolicy(max_attempts=4, backoff_seconds=7,
                                                                   backoff_cap_seconds=3600)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_task_runs_and_its_result_is_kept():
    result = tasks.add.enqueue(2, 3)
    _run_batch()
    row = _row(result)
    assert (row.status, row.return_value, len(row.worker_ids)) == (TaskResultStatus.SUCCESSFUL, 5, 1)
    assert WorkerHeartbeat.objects.count() == 0  # a clean stop removes the worker's heartbeat


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failing_task_is_retried_with_back_off_then_succeeds(tmp_path):
    marker = str(tmp_path / "runs")
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        result = tasks.flaky.enqueue(fail_times=2, marker=marker)
        _run_batch()
        row = _row(result)
        assert (row.status, row.run_after, len(row.worker_ids)) == (TaskResultStatus.READY,
                                                                    start + timedelta(seconds=10), 1)
        assert row.exception_class_path == "builtins.RuntimeError" and "run 1 fails" in row.traceback
        _run_batch()  # not due yet: nothing runs
        assert Path(marker).read_text() == "1"
    with time_machine.travel(start + timedelta(seconds=10), tick=False):
        _run_batch()
        row = _row(result)
        assert (row.status, row.run_after) == (TaskResultStatus.READY, start + timedelta(seconds=30))
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        _run_batch()
    row = _row(result)
    assert (row.status, row.return_value, len(row.worker_ids)) == (TaskResultStatus.SUCCESSFUL, "done", 3)
    assert Path(marker).read_text() == "3"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_task_out_of_attempts_ends_failed_with_its_error(tmp_path):
    marker = str(tmp_path / "runs")
    start = timezone.now()
    result = tasks.flaky.enqueue(fail_times=99, marker=marker)
    for step in (0, 11, 40):
        with time_machine.travel(start + timedelta(seconds=step), tick=False):
            _run_batch()
    row = _row(result)
    assert (row.status, len(row.worker_ids)) == (TaskResultStatus.FAILED, 3)
    assert row.exception_class_path == "builtins.RuntimeError" and "run 3 fails" in row.traceback
    assert row.finished_at is not None
    assert Path(marker).read_text() == "3"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_task_of_a_worker_that_is_gone_is_put_back_and_one_of_a_live_worker_is_not(settings):
    now = timezone.now()
    long_ago = now - timedelta(seconds=settings.PARCERIA_JOBS["LEASE_SECONDS"] + 1)
    lost, alive, last = (tasks.add.enqueue(1, 1), tasks.add.enqueue(2, 2), tasks.flaky.enqueue(fail_times=0,
                                                                                               marker="x"))
    WorkerHeartbeat.objects.create(worker_id="alive", hostname="h", pid=1, queues="default", started_at=long_ago,
                                   seen_at=now)
    WorkerHeartbeat.objects.create(worker_id="dead", hostname="h", pid=2, queues="default", started_at=long_ago,
                                   seen_at=long_ago)
    DBTaskResult.objects.filter(pk=lost.id).update(status="RUNNING", started_at=long_ago, worker_ids=["dead"])
    DBTaskResult.objects.filter(pk=alive.id).update(status="RUNNING", started_at=long_ago, worker_ids=["alive"])
    DBTaskResult.objects.filter(pk=last.id).update(status="RUNNING", started_at=long_ago,
                                                   worker_ids=["a", "b", "gone"])
    assert requeue_lost(now=now) == 2
    assert _row(lost).status == TaskResultStatus.READY and "WorkerLost" in _row(lost).exception_class_path
    assert _row(alive).status == TaskResultStatus.RUNNING
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]  # the dead one's is gone
    assert (_row(last).status, _row(last).exception_class_path) == (TaskResultStatus.FAILED,
                                                                   "parceria.jobs.queue.WorkerLost")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_threads_share_the_queue_and_run_each_task_once():
    results = [tasks.add.enqueue(n, n) for n in range(30)]
    run_workers(threads=3, queues=["default"], interval=0, batch=True)
    rows = DBTaskResult.objects.filter(pk__in=[r.id for r in results])
    assert sorted(r.return_value for r in rows) == [2 * n for n in range(30)]
    assert all(len(r.worker_ids) == 1 for r in rows)  # each claimed once


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_claim_locks_the_row_with_skip_locked_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks: the claim runs in an exclusive transaction there")
    tasks.add.enqueue(1, 2)
    with CaptureQueriesContext(connection) as queries:
        _run_batch()
    assert any("FOR UPDATE SKIP LOCKED" in q["sql"] for q in queries.captured_queries)


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _start_worker() -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": _database_url(), "PARCERIA_SECRET_KEY": "test-key",
           "PARCERIA_JOBS_HEARTBEAT_SECONDS": "0.2", "PARCERIA_JOBS_LEASE_SECONDS": "0.6"}
    return subprocess.Popen([sys.executable, "-m", "parceria.cli", "worker", "--interval", "0.05"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(check, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_task_whose_worker_is_killed_runs_again_on_another_worker(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("two worker processes on one database: PostgreSQL (SQLite's test database is in memory)")
    marker = tmp_path / "started"
    result = tasks.hold_first_attempt.enqueue(marker=str(marker))
    connections.close_all()
    workers = {w.pid: w for w in (_start_worker(), _start_worker())}
    holder = None
    try:
        _wait_for(lambda: marker.exists() and marker.read_text() != "")
        assert _row(result).status == TaskResultStatus.RUNNING
        holder = workers.pop(int(marker.read_text()))
        holder.kill()  # SIGKILL: no chance to clean up
        holder.wait(10)
        _wait_for(lambda: _row(result).status == TaskResultStatus.SUCCESSFUL)
        (survivor,) = workers.values()
        survivor.send_signal(signal.SIGTERM)
        assert survivor.wait(10) == 0
    finally:
        for worker in [*workers.values(), holder]:
            if worker is not None and worker.poll() is None:
                worker.kill()
    row = _row(result)
    assert (row.return_value, len(row.worker_ids)) == (2, 2)
    assert row.worker_ids[0] != row.worker_ids[1]  # run again by the other worker, after the first was lost
    # SIGTERM stopped the survivor cleanly (status 0, above) and removed its heartbeat; it had removed the dead one's
    assert WorkerHeartbeat.objects.count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_command_runs_in_the_background_and_a_failing_one_is_retried_then_failed():
    from parceria.jobs.tasks import run_command

    ok = run_command.enqueue("leads-expire")
    bad = run_command.enqueue("alerts", ["--lead-days", "-1"])
    missing = run_command.enqueue("no-such-command")
    _run_batch()
    assert (_row(ok).status, _row(ok).return_value) == (TaskResultStatus.SUCCESSFUL, "0 lead offer(s) expired\n")
    assert (_row(bad).status, len(_row(bad).worker_ids)) == (TaskResultStatus.READY, 1)  # back in 60 s
    assert "--lead-days must not be negative" in _row(bad).traceback
    assert _row(missing).exception_class_path == "parceria.jobs.tasks.UnknownCommand"


def test_the_policy_of_a_task_whose_module_was_not_imported_yet_is_its_declared_one():
    """A worker that puts back a lost task may not have imported the task's module yet."""
    assert "tests.jobs.tasks_unimported" not in sys.modules
    assert policy_for("tests.jobs.tasks_unimported.never_imported") == RetryPolicy(
        max_attempts=2, backoff_seconds=3, backoff_cap_seconds=3600)
    assert policy_for("tests.jobs.no_such_module.task") == RetryPolicy(max_attempts=5, backoff_seconds=10,
                                                                        backoff_cap_seconds=3600)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_waits_out_a_lost_database_and_stops_the_process_on_any_other_error(monkeypatch):
    from parceria.jobs import worker

    calls = []

    def claim(self):
        calls.append(1)
        if len(calls) == 1:
            raise worker.OperationalError("server closed the connection unexpectedly")
        raise RuntimeError("a bug")

    monkeypatch.setattr(worker, "DATABASE_PAUSE", 0)
    monkeypatch.setattr(worker.QueueWorker, "claim", claim)
    assert run_workers(threads=1, queues=["default"], interval=0, batch=False) is False
    assert len(calls) == 2 and WorkerHeartbeat.objects.count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_task_enqueued_in_a_rolled_back_transaction_is_not_queued():
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.add.enqueue(1, 1)
        raise RuntimeError("the change fails")
    assert not DBTaskResult.objects.exists()
