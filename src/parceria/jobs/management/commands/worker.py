"""`parceria worker [--threads N] [--queue NAMES] [--interval SECONDS] [--batch]`: run background tasks from the
database queue until SIGTERM or SIGINT (or, with --batch, until nothing is ready).

Several `parceria worker` processes may run at once, on one machine or many, over one PostgreSQL database: each
claims rows with SELECT … FOR UPDATE SKIP LOCKED. On SIGTERM or SIGINT every thread finishes the task it is running
and stops; a second signal stops at once (a task cut short is put back in the queue by the other workers after
LEASE_SECONDS). See docs/operations.md#background-work."""

from __future__ import annotations

import os
import signal
import threading
from argparse import ArgumentTypeError
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks import DEFAULT_TASK_QUEUE_NAME

from parceria.jobs.worker import run_workers


def _positive_int(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 64:
        raise ArgumentTypeError("must be between 1 and 64")
    return value


def _interval(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 3600:
        raise ArgumentTypeError("must be between 0 and 3600 seconds")
    return value


class Command(BaseCommand):
    help = "Run background tasks from the database queue (N threads) until stopped with SIGTERM or SIGINT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--threads", type=_positive_int, default=1,
                            help="Worker threads in this process (default 1); run more processes to use more cores.")
        parser.add_argument("--queue", default=DEFAULT_TASK_QUEUE_NAME,
                            help="The queues to take tasks from, separated by commas; '*' for all (default: default).")
        parser.add_argument("--interval", type=_interval, default=1.0,
                            help="Seconds to wait when the queue is empty before looking again (default 1).")
        parser.add_argument("--batch", action="store_true", help="Run what is ready, then exit.")

    def handle(self, *args: Any, threads: int, queue: str, interval: float, batch: bool, **options: Any) -> None:
        stop = threading.Event()
        queues = [q.strip() for q in queue.split(",") if q.strip()] or [DEFAULT_TASK_QUEUE_NAME]

        def shutdown(signum: int, frame: FrameType | None) -> None:
            if stop.is_set():
                self.stderr.write(f"{signal.strsignal(signum)} again: stopping now.")
                os._exit(1)
            self.stderr.write(f"{signal.strsignal(signum)}: finishing the running tasks, then stopping "
                              "(send it again to stop now).")
            stop.set()

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, shutdown)

        def ready(ids: list[str]) -> None:
            if options["verbosity"] >= 1:
                self.stdout.write(f"Worker started: {len(ids)} thread(s) on queue(s) {', '.join(queues)}, "
                                  f"process {os.getpid()}.")
                self.stdout.flush()

        if not run_workers(threads=threads, queues=queues, interval=interval, batch=batch, on_ready=ready,
                           stop=stop):
            raise CommandError("a worker thread stopped on an error (logged above); the process stops")
        if options["verbosity"] >= 1:
            self.stdout.write("Worker stopped.")
