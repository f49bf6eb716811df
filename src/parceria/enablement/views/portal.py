"""Training in the partner portal: the user's courses and progress, a course page where modules are
completed (htmx swaps the module list in place), and the partner's certifications. The partner always comes
from `request.user`; another user's enrolment or another partner's certificate is a 404."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from parceria.enablement import selectors, services
from parceria.enablement.models import Course, Module
from parceria.web.access import actor, partner_of, partner_required, portal_user


@partner_required
def index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    progress = selectors.user_progress(portal_user(request))
    statuses = selectors.partner_certifications(partner_of(request), now)
    return render(request, "enablement/portal/index.html",
                  {"nav": "training", "progress": progress, "statuses": statuses, "now": now})


@partner_required
@require_POST
def course_start(request: HttpRequest, code: str) -> HttpResponse:
    """Open (or take again) a course: the user's open enrolment, or a new one."""
    course = get_object_or_404(Course, code=code, is_active=True)
    enrolment = services.enrolment_restart(user=portal_user(request), course_id=course.pk,
                                           actor=actor(request))
    return redirect("enablement_portal:enrolment", enrolment_id=enrolment.pk)


def _course_context(request: HttpRequest, enrolment_id: int) -> dict:
    enrolment = selectors.enrolment_for(portal_user(request), enrolment_id)
    if enrolment is None:
        raise Http404("no such enrolment")
    modules = list(Module.objects.filter(course_id=enrolment.course_id).order_by("position"))
    done = {c.module_id: c.completed_at for c in enrolment.completions.all()}
    next_id = next((m.pk for m in modules if m.pk not in done), None)
    return {"nav": "training", "enrolment": enrolment, "course": enrolment.course, "modules": modules, "done": done,
            "next_id": next_id, "percent": round(100 * len(done) / len(modules)) if modules else 0}


@partner_required
def enrolment(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    return render(request, "enablement/portal/course.html", _course_context(request, enrolment_id))


@partner_required
@require_POST
def module_complete(request: HttpRequest, enrolment_id: int, module_id: int) -> HttpResponse:
    found = selectors.enrolment_for(portal_user(request), enrolment_id)
    if found is None:
        raise Http404("no such enrolment")
    module = get_object_or_404(Module.objects.select_related("course"), pk=module_id, course_id=found.course_id)
    if found.completed_at is None:
        services.module_complete(user=portal_user(request), module=module, actor=actor(request))
    context = _course_context(request, enrolment_id)
    if request.headers.get("HX-Request"):
        return render(request, "enablement/portal/_modules.html", context)
    return redirect("enablement_portal:enrolment", enrolment_id=enrolment_id)


@partner_required
def certificate(request: HttpRequest, certificate_id: int) -> HttpResponse:
    cert = selectors.certificate_for(partner_of(request).pk, certificate_id)
    if cert is None:
        raise Http404("no such certificate")
    return render(request, "enablement/portal/certificate.html",
                  {"nav": "training", "cert": cert, "held": selectors.is_held(cert, timezone.now())})
