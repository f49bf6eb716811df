"""The jobs app's own tables. The queue itself is django-tasks-db's table (`DBTaskResult`); these hold what the
queue does not: which workers are alive, the schedule's lock and the log of the schedule's runs."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """A live worker thread of `parceria worker`. Its process refreshes `seen_at` every HEARTBEAT_SECONDS; a task
    left running by a worker not seen for LEASE_SECONDS is run again (jobs/lost.py). The row is deleted on a clean
    stop."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    queues = models.CharField(max_length=255)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.worker_id


class Lease(models.Model):
    """A named lock held by one process until `expires_at` (renewed while it runs): `parceria schedule` takes the
    lease "schedule" so that one instance at a time runs the periodic commands. A holder that dies loses it when
    it expires."""

    name = models.CharField(max_length=64, primary_key=True)
    holder = models.CharField(max_length=128)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} ({self.holder})"


class RunOutcome(models.TextChoices):
    RUNNING = "running", _("Running")
    OK = "ok", _("Succeeded")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class ScheduledRun(models.Model):
    """One run of a periodic command by `parceria schedule`, with its outcome and the end of its output. The
    schedule decides what is due from these rows."""

    command = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=RunOutcome.choices, default=RunOutcome.RUNNING)
    output = models.TextField(blank=True, help_text="The last characters of what the command printed, or its error.")

    class Meta:
        indexes = [models.Index(fields=["command", "-started_at"], name="jobs_run_command_started")]

    def __str__(self) -> str:
        return f"{self.command} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"
