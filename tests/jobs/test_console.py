"""The console's Jobs page: the queue by state, the errors, running a failed task again (audited), the export, the
query count, and who may open it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from parceria.common.models import AuditRecord
from parceria.jobs.models import RunOutcome, ScheduledRun
from parceria.jobs.selectors import arguments_text
from tests.factories import staff_client
from tests.jobs import tasks

TRACEBACK = 'Traceback (most recent call last):\n  File "x.py", line 1\nRuntimeError: the endpoint answered 500\n'


def _failed(marker: str = "m") -> DBTaskResult:
    row = DBTaskResult.objects.get(pk=tasks.flaky.enqueue(fail_times=9, marker=marker).id)
    DBTaskResult.objects.filter(pk=row.pk).update(
        status=TaskResultStatus.FAILED, worker_ids=["w1", "w2", "w3"], started_at=timezone.now(),
        finished_at=timezone.now(), exception_class_path="builtins.RuntimeError", traceback=TRACEBACK)
    return DBTaskResult.objects.get(pk=row.pk)


@pytest.fixture
def finance(db):
    return staff_client("fin@x", "finance")


def test_arguments_read_as_a_call_and_are_shortened():
    assert arguments_text({"args": [7, "a"], "kwargs": {"payout_id": 12}}) == '7, "a", payout_id=12'
    long = arguments_text({"args": ["x" * 200], "kwargs": {}})
    assert len(long) == 80 and long.endswith("…")


def test_the_page_shows_each_state_with_attempts_and_the_error_of_a_failed_task(finance):
    failed = _failed()
    tasks.add.enqueue(2, 3)
    retrying = DBTaskResult.objects.get(pk=tasks.add.enqueue(4, 5).id)
    DBTaskResult.objects.filter(pk=retrying.pk).update(run_after=timezone.now() + timedelta(minutes=5),
                                                       worker_ids=["w1"], traceback=TRACEBACK)
    ScheduledRun.objects.create(command="alerts", started_at=timezone.now(), outcome=RunOutcome.FAILED,
                                output="boom")
    html = finance.get("/console/jobs/").content.decode()
    assert "flaky" in html and "fail_times=9" in html and "marker=&quot;m&quot;" in html  # jsonb orders keys
    assert "RuntimeError: the endpoint answered 500" in html
    assert f'action="/console/jobs/{failed.pk}/retry/"' in html
    assert "next attempt" in html
    assert "No worker running" in html
    assert 'title="boom">Failed</span>' in html  # the schedule's last run of alerts
    only_failed = finance.get("/console/jobs/?state=failed").content.decode()
    assert "flaky" in only_failed and "add" not in only_failed.split("<tbody>")[1].split("</tbody>")[0]


def test_running_a_failed_task_again_puts_it_back_in_the_queue_and_audits_it(finance):
    failed = _failed()
    response = finance.post(f"/console/jobs/{failed.pk}/retry/")
    assert response.status_code == 302 and response["Location"] == "/console/jobs/?state=failed"
    row = DBTaskResult.objects.get(pk=failed.pk)
    assert (row.status, row.run_after, row.finished_at, len(row.worker_ids)) == (
        TaskResultStatus.READY, get_date_max(), None, 3)
    record = AuditRecord.objects.get(action="job.retried")
    assert (record.object_id, record.before["status"], record.actor_label) == (str(failed.pk), "FAILED",
                                                                               "user:fin@x")


def test_only_a_failed_task_is_run_again_and_nothing_changes_otherwise(finance):
    waiting = DBTaskResult.objects.get(pk=tasks.add.enqueue(1, 1).id)
    response = finance.post(f"/console/jobs/{waiting.pk}/retry/", follow=True)
    assert "Only a failed task can be run again." in response.content.decode()
    assert DBTaskResult.objects.get(pk=waiting.pk).status == TaskResultStatus.READY
    missing = finance.post("/console/jobs/00000000-0000-0000-0000-000000000000/retry/", follow=True)
    assert "This task is no longer in the queue." in missing.content.decode()
    assert not AuditRecord.objects.filter(action="job.retried").exists()


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("finance", 200), ("partner_manager", 403),
                                              ("analyst", 403)])
def test_admins_and_finance_open_the_page_and_other_staff_do_not(db, role, status):
    assert staff_client(f"{role}@x", role).get("/console/jobs/").status_code == status


def test_a_partner_manager_may_not_run_a_task_again(db):
    failed = _failed()
    assert staff_client("pm@x", "partner_manager").post(f"/console/jobs/{failed.pk}/retry/").status_code == 403
    assert DBTaskResult.objects.get(pk=failed.pk).status == TaskResultStatus.FAILED


def test_the_export_holds_every_row_with_the_full_arguments_and_the_error(finance):
    _failed(marker="y" * 120)
    tasks.add.enqueue(2, 3)
    response = finance.get("/console/jobs/?export=csv", HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0] == "Id,Task,Queue,State,Arguments,Attempts,Enqueued,Started,Finished,Next attempt,Error"
    assert len(lines) == 3
    failed_line = next(line for line in lines if "flaky" in line)
    assert "tests.jobs.tasks.flaky" in failed_line and "y" * 120 in failed_line
    assert ",Failed," in failed_line and failed_line.endswith("RuntimeError: the endpoint answered 500")


def test_the_list_makes_as_many_queries_with_thirty_tasks_as_with_three(finance):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert finance.get("/console/jobs/").status_code == 200
        return len(ctx.captured_queries)

    for n in range(3):
        _failed(marker=f"a{n}")
    few = count()
    for n in range(27):
        tasks.add.enqueue(n, n)
    assert count() == few
