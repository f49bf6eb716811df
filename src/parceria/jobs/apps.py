from __future__ import annotations

from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Background work: the worker over the database queue, retries, the schedule of periodic commands, and the
    console's Jobs page (docs/decisions/0007-background-tasks.md)."""

    name = "parceria.jobs"
    label = "jobs"
