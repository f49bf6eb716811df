"""`parceria worker`: worker threads over the database queue, a heartbeat, and a clean stop.

Each thread is django-tasks-db's `Worker` (the same claim: the next ready row, locked with
SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL so that workers in any number of processes never take the same row;
SQLite serialises the claim in an exclusive transaction), with two changes: a task that raises goes back to the
queue with back-off until it is out of attempts (jobs/queue.task_failed), and the thread waits on an event instead
of sleeping so that SIGTERM stops it at once between tasks. One more thread per process refreshes the workers'
heartbeats and puts back the tasks of workers that died (jobs/queue.requeue_lost).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, OperationalError, close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks.signals import task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from parceria.jobs.models import WorkerHeartbeat
from parceria.jobs.queue import requeue_lost, task_failed

logger = logging.getLogger("parceria.jobs")
#: Seconds a worker thread waits before looking again when the database cannot be reached.
DATABASE_PAUSE = 5.0


class QueueWorker(Worker):
    """One worker thread. `stop` is shared by the process's threads; `batch` stops when nothing is ready."""

    def __init__(self, *, stop: threading.Event, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stop = stop
        self.crashed = False

    def claim(self) -> DBTaskResult | None:
        """django-tasks-db's claim: lock the next ready row (skipping rows other workers hold) and mark it running
        under this worker's id, in one transaction."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        try:
            with exclusive_transaction(tasks.db):
                row = tasks.get_locked()
                if row is not None:
                    row.claim(self.worker_id)
                return row
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return None
            raise

    def run(self) -> None:
        """Claim and run tasks until stopped. The database going away is waited out (the thread looks again after
        DATABASE_PAUSE seconds); any other error stops the whole process (`crashed`), for its supervisor to restart."""
        try:
            while not self.stop.is_set():
                try:
                    close_old_connections()
                    row = self.claim()
                except DatabaseError:
                    logger.exception("Worker %s cannot reach the database; trying again", self.worker_id)
                    connection.close()
                    self.stop.wait(DATABASE_PAUSE)
                    continue
                if row is not None:
                    self.run_task(row)
                elif self.batch:
                    return
                close_old_connections()
                if row is None:
                    self.stop.wait(self.interval)
        except Exception:
            logger.exception("Worker %s stopped on an error; stopping the process", self.worker_id)
            self.crashed = True
            self.stop.set()
        finally:
            connection.close()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run a claimed task: successful, or back in the queue with back-off, or failed when out of attempts."""
        row = db_task_result
        try:
            self.running_task = True
            task = row.task
            result = row.task_result
            task_started.send(sender=type(task.get_backend()), task_result=result)
            if task.takes_context:
                from django_tasks import TaskContext

                value = task.call(TaskContext(task_result=result), *result.args, **result.kwargs)  # type: ignore[arg-type]
            else:
                value = task.call(*result.args, **result.kwargs)
            row.set_successful(value)
            task_finished.send(sender=type(task.get_backend()), task_result=row.task_result)
        except BaseException as exc:  # whatever the task raised, even SystemExit: the row must not stay running
            if task_failed(row, exc):
                logger.warning("Task %s (%s) failed on attempt %d; it runs again at %s", row.pk, row.task_path,
                               len(row.worker_ids), row.run_after)
            else:
                logger.error("Task %s (%s) failed on its last attempt (%d)", row.pk, row.task_path,
                             len(row.worker_ids))
        finally:
            self.running_task = False
            self._run_tasks += 1


def worker_ids(count: int) -> list[str]:
    """Ids unique across the pool: host, process, thread and a random part (at most 64 characters)."""
    stem = f"{socket.gethostname()[:32]}-{os.getpid()}-{get_random_string(6)}"
    return [f"{stem}-{n}" for n in range(1, count + 1)]


def beat(ids: list[str]) -> None:
    WorkerHeartbeat.objects.filter(worker_id__in=ids).update(seen_at=timezone.now())


def register(ids: list[str], queues: str) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.bulk_create([
        WorkerHeartbeat(worker_id=i, hostname=socket.gethostname()[:255], pid=os.getpid(), queues=queues[:255],
                        started_at=now, seen_at=now) for i in ids])


def heartbeat_loop(ids: list[str], stop: threading.Event, seconds: float) -> None:
    """Refresh this process's heartbeats and put back the tasks of dead workers, every `seconds`, until stopped."""
    try:
        while not stop.wait(seconds):
            try:
                beat(ids)
                found = requeue_lost()
                if found:
                    logger.warning("Put back %d task(s) whose worker stopped", found)
            except OperationalError:
                logger.exception("Heartbeat failed; trying again")
            close_old_connections()
    finally:
        connection.close()


def run_workers(*, threads: int, queues: list[str], interval: float, batch: bool,
                on_ready: Callable[[list[str]], None] | None = None, stop: threading.Event | None = None) -> bool:
    """Run `threads` worker threads and the heartbeat until `stop` is set (or, with `batch`, until the queue has
    nothing ready). The heartbeat rows are removed on the way out. False when a thread stopped on an error."""
    stop = stop or threading.Event()
    ids = worker_ids(threads)
    queue_text = ",".join(queues)
    register(ids, queue_text)
    requeue_lost()
    workers = [QueueWorker(stop=stop, queue_names=queues, interval=interval, batch=batch, backend_name="default",
                           startup_delay=False, max_tasks=None, worker_id=i, excluded_queue_names=[]) for i in ids]
    heart_stop = threading.Event()
    heart = threading.Thread(target=heartbeat_loop, name="heartbeat", daemon=True,
                             args=(ids, heart_stop, float(settings.PARCERIA_JOBS["HEARTBEAT_SECONDS"])))
    heart.start()
    running = [threading.Thread(target=w.run, name=w.worker_id, daemon=True) for w in workers]
    for t in running:
        t.start()
    if on_ready:
        on_ready(ids)
    try:
        while any(t.is_alive() for t in running):
            for t in running:
                t.join(0.2)
    finally:
        stop.set()
        heart_stop.set()
        heart.join(5)
        WorkerHeartbeat.objects.filter(worker_id__in=ids).delete()
    return not any(w.crashed for w in workers)
