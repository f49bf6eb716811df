"""The jobs app's tables in the Django admin, read-only: workers write their heartbeats, the schedule its runs and
its lease. (The queue itself is django-tasks-db's admin; failed tasks are run again from the console's Jobs page.)"""

from __future__ import annotations

from django.contrib import admin

from parceria.common.admin import ReadOnlyAdmin
from parceria.jobs.models import Lease, ScheduledRun, WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ("worker_id", "hostname", "pid", "queues", "started_at", "seen_at")


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    list_display = ("command", "started_at", "finished_at", "outcome")
    list_filter = ("outcome", "command")


@admin.register(Lease)
class LeaseAdmin(ReadOnlyAdmin):
    list_display = ("name", "holder", "expires_at")
