"""Enablement API: courses, a partner's progress and certifications, module completion for a partner user.
Mount with `api.add_router("", router)`: paths are /enablement/courses and /partners/{id}/enablement…"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from parceria.accounts.models import PARTNER_ROLES, User
from parceria.accounts.tenancy import Ability
from parceria.api.auth import principal_of
from parceria.api.schemas import ERRORS, PathId, StrictRowId
from parceria.common.errors import PermissionDenied
from parceria.enablement import selectors, services
from parceria.enablement.models import Module
from parceria.partners.selectors import scope_partners

router = Router(tags=["enablement"])


class ModuleOut(Schema):
    id: int
    position: int
    title: str
    minutes: int


class CourseOut(Schema):
    code: str
    title: str
    description: str
    hours: str
    in_core_program: bool
    modules: list[ModuleOut]


class ProgressOut(Schema):
    user_id: int
    username: str
    course: str
    modules_done: int
    modules_total: int
    started_at: datetime
    completed_at: datetime | None


class RequirementOut(Schema):
    key: str
    met: bool


class CertificateOut(Schema):
    id: int
    issued_at: datetime
    expires_at: datetime
    basis: str


class CertificationOut(Schema):
    code: str
    name: str
    held: bool
    expires_at: datetime | None
    requirements: list[RequirementOut]
    history: list[CertificateOut]


class EnablementOut(Schema):
    partner_id: int
    training_complete: bool
    progress: list[ProgressOut]
    certifications: list[CertificationOut]


class CompletionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    user_id: StrictRowId
    module_id: StrictRowId


class CompletionOut(Schema):
    enrolment_id: int
    course: str
    modules_done: int
    modules_total: int
    completed_at: datetime | None
    certifications_held: list[str]


@router.get("/enablement/courses", response={200: list[CourseOut], **ERRORS}, summary="List the courses")
def list_courses(request: HttpRequest):
    principal_of(request).require(Ability.READ)
    return [
        {"code": c.code, "title": c.title, "description": c.description, "hours": format(c.hours.normalize(), "f"),
         "in_core_program": c.in_core_program, "modules": list(c.modules.all())}
        for c in selectors.courses()
    ]


@router.get("/partners/{int:partner_id}/enablement", response={200: EnablementOut, **ERRORS},
            summary="A partner's training progress and certifications")
def partner_enablement(request: HttpRequest, partner_id: PathId):
    principal = principal_of(request)
    principal.require(Ability.READ)
    partner = get_object_or_404(scope_partners(principal), pk=partner_id)
    now = timezone.now()
    return {
        "partner_id": partner.pk,
        "training_complete": selectors.training_complete([partner.pk], now)[partner.pk],
        "progress": [vars(row) | {"course": row.course_code} for row in selectors.partner_progress(partner)],
        "certifications": [
            {"code": s.certification.code, "name": s.certification.name, "held": s.held,
             "expires_at": s.latest.expires_at if s.held and s.latest else None,
             "requirements": [{"key": r.key, "met": r.met} for r in s.checklist.requirements],
             "history": s.history}
            for s in selectors.partner_certifications(partner, now)
        ],
    }


@router.post("/partners/{int:partner_id}/enablement/completions", response={201: CompletionOut, **ERRORS},
             summary="Complete a module for one of the partner's users")
def complete_module(request: HttpRequest, partner_id: PathId, payload: CompletionIn):
    principal = principal_of(request)
    if not principal.is_partner:
        principal.require(Ability.MANAGE_PARTNERS)
    partner = get_object_or_404(scope_partners(principal), pk=partner_id)
    user = get_object_or_404(User, pk=payload.user_id, partner=partner, role__in=sorted(PARTNER_ROLES))
    if not user.is_active:
        raise PermissionDenied("this user is deactivated", code="user_inactive")
    module = get_object_or_404(Module.objects.select_related("course"), pk=payload.module_id, course__is_active=True)
    now = timezone.now()
    enrolment = services.module_complete(user=user, module=module, actor=principal.actor, now=now)
    total = Module.objects.filter(course_id=module.course_id).count()
    return Status(201, {
        "enrolment_id": enrolment.pk, "course": module.course.code, "modules_done": enrolment.completions.count(),
        "modules_total": total, "completed_at": enrolment.completed_at,
        "certifications_held": sorted(selectors.certifications_held([partner.pk], now)[partner.pk]),
    })
