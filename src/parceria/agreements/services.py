"""Writes for agreements: create, change, move status, approve a joint business plan, attach documents,
and grant terms (exclusivity, referral-rate overrides that the commission engine honours).

The services take typed inputs (`AgreementFields` to record one, `AgreementChanges` to change one) and check
them once, here. A write locks the agreement row first, then checks the change against the row as it is now
(its status, dates and signature), then writes: two concurrent writes never undo or bypass each other."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import fields as _fields
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from parceria.agreements.models import (
    STATUS_TRANSITIONS,
    TYPE_DEFAULTS,
    Agreement,
    AgreementDocument,
    AgreementStatus,
    AgreementTerm,
    AgreementType,
    PlanApproval,
    TermKind,
)
from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import InvalidInput
from parceria.common.inputs import REFERRAL_OVERRIDE_RATE, UNSET, Unset, clean_text, given, parse_rate
from parceria.partners.models import Partner, PartnerTerms

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_TERM_MONTHS = 1200
EDITABLE_FIELDS = (
    "title",
    "start_date",
    "initial_term_months",
    "end_date",
    "auto_renewal",
    "renewal_term_months",
    "notice_days",
    "signed_on",
    "notes",
)


@dataclass(frozen=True, kw_only=True)
class AgreementFields:
    """An agreement to record, as given; `agreement_create` checks every field. A term, renewal or notice left
    None takes the type's default (SPEC §10.1)."""

    type: str
    start_date: date | str | None = None
    title: str = ""
    notes: str = ""
    initial_term_months: int | str | None = None
    end_date: date | str | None = None
    auto_renewal: bool | None = None
    renewal_term_months: int | str | None = None
    notice_days: int | str | None = None
    signed_on: date | str | None = None


@dataclass(frozen=True, kw_only=True)
class AgreementChanges:
    """The fields of an agreement to change; a field left UNSET keeps its current value."""

    title: str | Unset = UNSET
    start_date: date | str | Unset = UNSET
    initial_term_months: int | str | Unset | None = UNSET
    end_date: date | str | Unset | None = UNSET
    auto_renewal: bool | Unset = UNSET
    renewal_term_months: int | str | Unset | None = UNSET
    notice_days: int | str | Unset | None = UNSET
    signed_on: date | str | Unset | None = UNSET
    notes: str | Unset = UNSET


def _bad(field: str, message: str, code: str = "invalid") -> InvalidInput:
    return InvalidInput(message, code=code, details={"field": field})


def _date(field: str, value: Any, *, required: bool = False) -> date | None:
    if value in (None, ""):
        if required:
            raise _bad(field, f"{field} is required")
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _bad(field, f"{field} must be a date (YYYY-MM-DD), not {value!r}") from None


def _months(field: str, value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        months = int(value)
    except (TypeError, ValueError):
        raise _bad(field, f"{field} must be a whole number of months") from None
    if months <= 0 or months > MAX_TERM_MONTHS:
        raise _bad(field, f"{field} must be between 1 and {MAX_TERM_MONTHS} months, not {months}")
    return months


def _days(field: str, value: Any) -> int:
    try:
        days = int(value or 0)
    except (TypeError, ValueError):
        raise _bad(field, f"{field} must be a whole number of days") from None
    if days < 0 or days > 3650:
        raise _bad(field, f"{field} must be between 0 and 3650 days, not {days}")
    return days


def _validated(data: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {
        "title": clean_text(data.get("title"), field="title", max_length=200, required=False),
        "notes": str(data.get("notes") or ""),
        "start_date": _date("start_date", data.get("start_date"), required=True),
        "end_date": _date("end_date", data.get("end_date")),
        "signed_on": _date("signed_on", data.get("signed_on")),
        "initial_term_months": _months("initial_term_months", data.get("initial_term_months")),
        "renewal_term_months": _months("renewal_term_months", data.get("renewal_term_months")),
        "notice_days": _days("notice_days", data.get("notice_days")),
        "auto_renewal": bool(data.get("auto_renewal")),
    }
    if clean["end_date"] is not None and clean["end_date"] < clean["start_date"]:
        raise _bad("end_date", "the end date is before the start date", "end_before_start")
    if clean["end_date"] is not None and (clean["initial_term_months"] or clean["auto_renewal"]):
        raise _bad("end_date", "give either a fixed end date or a term in months (with renewal), not both")
    if clean["auto_renewal"] and clean["initial_term_months"] is None:
        raise _bad("initial_term_months", "an agreement that renews needs an initial term in months")
    if not clean["auto_renewal"]:
        clean["renewal_term_months"] = None
    return clean


def snapshot(agreement: Agreement) -> dict[str, Any]:
    keys = ("type", "status", "plan_approval", "terminated_on", *EDITABLE_FIELDS)
    return {k: (v.isoformat() if isinstance(v := getattr(agreement, k), date) else v) for k in keys}


def agreement_create(*, partner: Partner, fields: AgreementFields, actor: Actor) -> Agreement:
    """A new draft agreement. Term, renewal and notice default to the type's (SPEC §10.1) when not given."""
    kind = fields.type
    if kind not in AgreementType.values:
        raise _bad("type", f"type must be one of {', '.join(AgreementType.values)}, not {kind!r}")
    values = {f.name: getattr(fields, f.name) for f in _fields(fields) if f.name != "type"}
    clean = _validated({**TYPE_DEFAULTS[kind], **{k: v for k, v in values.items() if v is not None}})
    approval = PlanApproval.PENDING if kind == AgreementType.JOINT_BUSINESS_PLAN else PlanApproval.NOT_APPLICABLE
    with transaction.atomic():
        agreement = Agreement.objects.create(partner=partner, type=kind, plan_approval=approval, **clean)
        audit_record_create(actor=actor, action="agreement.created", obj=agreement, after=snapshot(agreement))
    return agreement


def agreement_update(*, agreement: Agreement, changes: AgreementChanges, actor: Actor) -> Agreement:
    """Change the given fields; the agreement row is locked first and the changes checked against it."""
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        before = snapshot(locked)
        current = {f: getattr(locked, f) for f in EDITABLE_FIELDS}
        clean = _validated({**current, **given(changes)})
        for field, value in clean.items():
            setattr(locked, field, value)
        locked.save()
        after = snapshot(locked)
        if after != before:
            audit_record_create(actor=actor, action="agreement.updated", obj=locked, before=before, after=after)
    return locked


def agreement_move(*, agreement: Agreement, status: str, actor: Actor, on: date | None = None) -> Agreement:
    """Move along STATUS_TRANSITIONS. Activation needs the signature date; termination records its day (`on`,
    default today; not before the start, not in the future), from which a rate override it granted ends. The
    agreement row is locked first: the move is checked against its status now, not as the caller last read it."""
    if status not in AgreementStatus.values:
        raise _bad("status", f"unknown status {status!r}")
    if on is not None and status != AgreementStatus.TERMINATED:
        raise _bad("terminated_on", "a day is given only when terminating an agreement")
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if status not in STATUS_TRANSITIONS[locked.status]:
            raise _bad("status", f"an agreement cannot move from {locked.status} to {status}", "invalid_transition")
        if status == AgreementStatus.ACTIVE and locked.signed_on is None:
            raise _bad("signed_on", "an agreement becomes active only once signed (give the signature date)")
        if on is not None and on < locked.start_date:
            start = locked.start_date
            raise _bad("terminated_on", f"the termination day cannot precede the agreement's start ({start})")
        if on is not None and on > timezone.localdate():
            raise _bad("terminated_on", "the termination day cannot be in the future: terminate on that day")
        before = snapshot(locked)
        locked.status = status
        if status == AgreementStatus.TERMINATED:
            locked.terminated_on = on or timezone.localdate()
        locked.save()
        audit_record_create(
            actor=actor, action=f"agreement.{status}", obj=locked, before=before, after=snapshot(locked)
        )
        if locked.terminated_on is not None and status == AgreementStatus.TERMINATED:
            rate_override_end(agreement=locked, day=locked.terminated_on, actor=actor)
    return locked


def joint_business_plan_decide(*, agreement: Agreement, approve: bool, actor: Actor) -> Agreement:
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if locked.type != AgreementType.JOINT_BUSINESS_PLAN:
            raise _bad("plan_approval", "only a joint business plan is approved")
        before = snapshot(locked)
        locked.plan_approval = PlanApproval.APPROVED if approve else PlanApproval.REJECTED
        locked.save()
        audit_record_create(
            actor=actor, action="agreement.plan_decided", obj=locked, before=before, after=snapshot(locked)
        )
    return locked


def document_attach(*, agreement: Agreement, upload: UploadedFile, actor: Actor) -> AgreementDocument:
    """Attach a PDF (checked by its content, not only its name) of at most 10 MB."""
    name = (upload.name or "").rsplit("/", 1)[-1]
    if upload.size is None or upload.size == 0:
        raise _bad("file", "the file is empty")
    if upload.size > MAX_DOCUMENT_BYTES:
        raise _bad("file", f"the file has {upload.size:,} bytes; the limit is 10 MB", "too_large")
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if not name.lower().endswith(".pdf") or head != b"%PDF-":
        raise _bad("file", "only PDF documents can be attached", "not_pdf")
    with transaction.atomic():
        document = AgreementDocument(agreement=agreement, name=name[:255], size=upload.size, uploaded_by=actor.label)
        document.file.save(name, upload, save=False)
        document.save()
        audit_record_create(actor=actor, action="agreement.document_attached", obj=agreement, after={"document": name})
    return document


def exclusivity_grant(*, agreement: Agreement, kind: str, value: str, actor: Actor) -> AgreementTerm:
    if kind not in (TermKind.TERRITORY_EXCLUSIVITY, TermKind.VERTICAL_EXCLUSIVITY):
        raise _bad("kind", f"exclusivity is by territory or vertical, not {kind!r}")
    value = (value or "").strip()
    if not value:
        raise _bad("value", "name the exclusive territory or vertical")
    with transaction.atomic():
        term = AgreementTerm.objects.create(agreement=agreement, kind=kind, value=value[:100], created_by=actor.label)
        audit_record_create(actor=actor, action="agreement.term_added", obj=agreement, after={kind: value})
    return term


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def rate_override_end(*, agreement: Agreement, day: date, actor: Actor) -> list[PartnerTerms]:
    """End the referral-rate override(s) `agreement` granted, from the start of `day` (its termination day, or
    the day after its last day in force): a new PartnerTerms version from then, copying the tier and share rate
    in force, without the override, so the engine pays the plan's tier rate again. A later version that still
    carries the override (a tier change copies it forward) is followed by a copy without it at the same moment
    (the later version wins). Posted lines never change. Called inside the transaction of the status move."""
    rates = set(agreement.terms.filter(kind=TermKind.REFERRAL_RATE_OVERRIDE).values_list("rate", flat=True))
    if not rates:
        return []
    starts = _day_start(day)
    Partner.objects.select_for_update().get(pk=agreement.partner_id)
    in_force: PartnerTerms | None = None
    later: dict[datetime, PartnerTerms] = {}  # the version that wins at each later moment: the last written
    for version in PartnerTerms.objects.filter(partner_id=agreement.partner_id).order_by(
        F("effective_from").asc(nulls_first=True), "id"
    ):
        if version.effective_from is None or version.effective_from <= starts:
            in_force = version
        else:
            later[version.effective_from] = version
    granted_elsewhere = {  # a later override of another agreement is not this one's to end
        _day_start(d)
        for d in AgreementTerm.objects.filter(
            agreement__partner_id=agreement.partner_id, kind=TermKind.REFERRAL_RATE_OVERRIDE, effective_from__gt=day
        )
        .exclude(agreement=agreement)
        .values_list("effective_from", flat=True)
        if d is not None
    }
    to_end = [(starts, in_force)] if in_force is not None else []
    to_end += [(moment, v) for moment, v in later.items() if moment not in granted_elsewhere]
    ended = [
        PartnerTerms.objects.create(
            partner_id=agreement.partner_id,
            effective_from=moment,
            tier=version.tier,
            integration_share_rate=version.integration_share_rate,
            referral_rate_override=None,
            created_by=actor.label,
        )
        for moment, version in to_end
        if version.referral_rate_override in rates
    ]
    if ended:
        audit_record_create(
            actor=actor,
            action="agreement.rate_override_ended",
            obj=agreement,
            before={"rates": sorted(str(r) for r in rates)},
            after={"from": day.isoformat()},
        )
    return ended


def rate_override_grant(
    *, agreement: Agreement, rate: str | Decimal, effective_from: date | str, actor: Actor
) -> AgreementTerm:
    """A referral rate that replaces the tier rate from the start of `effective_from` (local time): a new
    PartnerTerms version copying the tier and share rate in force then. Posted lines never change; an
    override may not start before the partner's latest terms version (that would rewrite history)."""
    rate = parse_rate(rate, field="rate", kind=REFERRAL_OVERRIDE_RATE)
    day = _date("effective_from", effective_from, required=True)
    assert day is not None
    starts = _day_start(day)
    with transaction.atomic():
        if Agreement.objects.select_for_update().get(pk=agreement.pk).status != AgreementStatus.ACTIVE:
            raise _bad("status", "a rate override is granted only by an active agreement")
        Partner.objects.select_for_update().get(pk=agreement.partner_id)
        versions = PartnerTerms.objects.filter(partner_id=agreement.partner_id)
        latest = versions.order_by(F("effective_from").asc(nulls_first=True), "id").last()
        if latest is not None and latest.effective_from is not None and latest.effective_from > starts:
            raise _bad(
                "effective_from",
                f"the partner's terms already changed on {timezone.localtime(latest.effective_from).date()}; "
                "an override must start on or after that day",
                "retroactive_override",
            )
        PartnerTerms.objects.create(
            partner_id=agreement.partner_id,
            effective_from=starts,
            tier=latest.tier if latest else None,
            integration_share_rate=latest.integration_share_rate if latest else None,
            referral_rate_override=rate,
            created_by=actor.label,
        )
        term = AgreementTerm.objects.create(
            agreement=agreement,
            kind=TermKind.REFERRAL_RATE_OVERRIDE,
            rate=rate,
            effective_from=day,
            created_by=actor.label,
        )
        audit_record_create(
            actor=actor,
            action="agreement.rate_override",
            obj=agreement,
            after={"rate": str(rate), "effective_from": day.isoformat()},
        )
    return term
