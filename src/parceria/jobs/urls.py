"""The Jobs page of the console (namespace jobs_console, under /console/jobs/)."""

from django.urls import path

from parceria.jobs.views import console

console_patterns = [
    path("jobs/", console.jobs, name="list"),
    path("jobs/<uuid:job_id>/retry/", console.retry, name="retry"),
]
