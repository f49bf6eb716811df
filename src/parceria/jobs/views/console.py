"""The Jobs page of the console (namespace jobs_console, /console/jobs/): the background queue by state with each
task's arguments, attempts, times and error, a CSV/Excel export, running a failed task again, the live workers and
the last run of each periodic command. Finance and admins only (the tasks move money and send data out)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability
from parceria.common.errors import Conflict
from parceria.jobs.forms import JobFilterForm
from parceria.jobs.queue import job_retry
from parceria.jobs.selectors import (
    JobRow,
    job_counts,
    job_list,
    job_row,
    live_worker_count,
    schedule_last_runs,
)
from parceria.web.access import actor, console_view
from parceria.web.pages import page
from parceria.web.tables import build_table, export_response, wants_export

SORTS = {"enqueued": "enqueued_at", "started": "started_at", "finished": "finished_at", "task": "task_path"}


def _export_header() -> list[str]:
    return [_("Id"), _("Task"), _("Queue"), _("State"), _("Arguments"), _("Attempts"), _("Enqueued"), _("Started"),
            _("Finished"), _("Next attempt"), _("Error")]


def _export_row(job: JobRow) -> list[object]:
    r = job.row
    return [str(r.pk), r.task_path, r.queue_name, job.state_label, job.arguments, job.attempts, r.enqueued_at,
            r.started_at, r.finished_at, job.next_attempt, job.error]


@console_view(read=Ability.FINANCE)
def jobs(request: HttpRequest) -> HttpResponse:
    form = JobFilterForm(request.GET)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    exporting = wants_export(request)
    table = build_table(request, job_list(state=state), sortable=SORTS, default_sort="-enqueued",
                        per_page=10**9 if exporting else 25)
    if exporting:
        return export_response(request, "jobs", _export_header(),
                               (_export_row(job_row(r, limit=None)) for r in table.page.object_list))
    context = {"form": form, "state": state, "table": table, "rows": [job_row(r) for r in table.page.object_list],
               "counts": job_counts(), "workers": live_worker_count(), "schedule": schedule_last_runs()}
    return page(request, "jobs/console/list.html", context, nav="jobs")


@console_view(read=None, write=Ability.FINANCE)
def retry(request: HttpRequest, job_id: UUID) -> HttpResponse:
    try:
        job_retry(job_id=job_id, actor=actor(request))
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The task is back in the queue; a worker runs it once more."))
    return redirect(reverse("jobs_console:list") + "?state=failed")
