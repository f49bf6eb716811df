"""The Jobs page in a real browser: finance staff see the queue by state, read a failed task's error, run it again
and find it waiting. Screenshots at 1280 and 390 px (var/screenshots/jobs-*.png), in pt-BR, es and en."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from parceria.accounts.services import user_create
from parceria.jobs.models import RunOutcome, ScheduledRun, WorkerHeartbeat
from parceria.jobs.tasks import run_command
from tests.browser.conftest import sign_in
from tests.factories import ACTOR

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"
TRACEBACK = ('Traceback (most recent call last):\n  File "/srv/parceria/jobs/tasks.py", line 31, in run_command\n'
             '    call_command(command, *(args or []), stdout=out, stderr=out)\n'
             "django.core.management.base.CommandError: 2 month(s) differ from a fresh computation: 2026-02, 2026-03\n")


def queue() -> DBTaskResult:
    now = timezone.now()

    def add(status: str, args: list[str], **fields) -> DBTaskResult:
        row = DBTaskResult.objects.get(pk=run_command.enqueue(args[0], args[1:]).id)
        DBTaskResult.objects.filter(pk=row.pk).update(status=status, **fields)
        return DBTaskResult.objects.get(pk=row.pk)

    add(TaskResultStatus.SUCCESSFUL, ["leads-expire"], worker_ids=["w-1"], started_at=now - timedelta(minutes=9),
        finished_at=now - timedelta(minutes=9), return_value="0 lead offer(s) expired")
    add(TaskResultStatus.RUNNING, ["analytics-rollup"], worker_ids=["w-1"], started_at=now)
    add(TaskResultStatus.READY, ["ledger-totals", "--check"], worker_ids=["w-1"], started_at=now,
        run_after=now + timedelta(seconds=40), exception_class_path="builtins.RuntimeError", traceback=TRACEBACK)
    failed = add(TaskResultStatus.FAILED, ["analytics-rollup", "--check"], worker_ids=["w-1", "w-2", "w-1"],
                 started_at=now - timedelta(minutes=3), finished_at=now - timedelta(minutes=3),
                 exception_class_path="django.core.management.base.CommandError", traceback=TRACEBACK)
    WorkerHeartbeat.objects.create(worker_id="w-1", hostname="app1", pid=4242, queues="default", started_at=now,
                                   seen_at=now)
    ScheduledRun.objects.create(command="leads-expire", started_at=now - timedelta(minutes=12),
                                finished_at=now - timedelta(minutes=12), outcome=RunOutcome.OK)
    ScheduledRun.objects.create(command="webhooks-deliver", started_at=now - timedelta(minutes=1),
                                finished_at=now - timedelta(minutes=1), outcome=RunOutcome.SKIPPED,
                                output="no such command in this installation")
    return failed


@pytest.mark.parametrize(("width", "locale", "again", "name"), [
    (1280, "pt-BR", "Executar de novo", "jobs"),
    (390, "pt-BR", "Executar de novo", "jobs-phone"),
    (390, "es", "Ejecutar de nuevo", "jobs-es-phone"),
    (1280, "en", "Run again", "jobs-en"),
])
def test_finance_reads_a_failed_task_and_runs_it_again(browser, live_server, screenshot, width, locale, again, name):
    failed = queue()
    user = user_create(username="fin", password=PASSWORD, role="finance", email="fin@example.com", actor=ACTOR)
    key = TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, "fin", PASSWORD, totp_key_hex=key)
        page.wait_for_url("**/console/")
        page.goto("/console/jobs/")
        assert page.locator("main table.jobs tbody tr").count() == 4
        page.locator("main td.error details").last.locator("summary").click()
        screenshot(page, f"{name}-list")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        wrap = page.locator("main .table-wrap").first
        assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # the queue's table fits: no column hidden
        page.get_by_role("button", name=again).click()
        page.wait_for_url("**/console/jobs/?state=failed")
        screenshot(page, f"{name}-after-retry")
        assert DBTaskResult.objects.get(pk=failed.pk).status == TaskResultStatus.READY
    finally:
        context.close()
