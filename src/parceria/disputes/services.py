"""Writes for disputes (SPEC §8): open, comment, attach, review, resolve with an adjustment, reject, withdraw.

The services receive objects that the caller has already found through `scope_disputes` (so a partner only
ever reaches its own disputes) and an Actor; who may call which service (Ability.DISPUTE for the partner's
moves, Ability.RESOLVE_DISPUTES for staff, plus Ability.FINANCE to resolve with money) is checked by the API.
Each status move is checked against DISPUTE_TRANSITIONS, made under a row lock, and audited.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from parceria.commissions.models import LedgerLine
from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import Conflict, InvalidInput, NotFound
from parceria.common.inputs import clean_text
from parceria.disputes.adjustments import (
    actor_user,
    adjustment_request_locked,
    clean_adjustment_amount,
    require_transition,
)
from parceria.disputes.models import (
    ACTIVE_DISPUTE_STATUSES,
    DISPUTE_TRANSITIONS,
    AdjustmentStatus,
    Dispute,
    DisputeAttachment,
    DisputeComment,
    DisputeStatus,
    DisputeSubject,
)
from parceria.disputes.sla import response_due
from parceria.partners.models import Partner
from parceria.payouts.models import Payout
from parceria.webhooks.outbox import emit

DESCRIPTION_MAX_LENGTH = 5000
COMMENT_MAX_LENGTH = 5000
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENTS_PER_DISPUTE = 20
#: Accepted attachment types: extension → (content type, how the file must begin; None: text without NUL bytes).
ATTACHMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "csv": ("text/csv", None),
}


def _snapshot(dispute: Dispute) -> dict[str, Any]:
    return {"status": dispute.status}


def _move(dispute: Dispute, target: str, actor: Actor, now: datetime, *, reason: str = "", **extra: Any) -> None:
    """Move a locked dispute to `target`, saving and auditing it."""
    require_transition(DISPUTE_TRANSITIONS, dispute.status, target, "a dispute")
    before = _snapshot(dispute)
    dispute.status = target
    if target not in ACTIVE_DISPUTE_STATUSES:
        dispute.closed_at, dispute.closed_by_label = now, actor.label[:200]
    dispute.save()
    audit_record_create(
        actor=actor, action=f"dispute.{target}", obj=dispute, before=before, after={**_snapshot(dispute), **extra},
        reason=reason,
    )
    emit("dispute.updated", partner=dispute.partner, data=webhook_data(dispute))


def webhook_data(dispute: Dispute) -> dict[str, Any]:
    """A dispute in webhook events (docs/webhooks.md)."""
    return {"dispute_id": dispute.pk, "subject": dispute.subject, "status": dispute.status,
            "opened_at": dispute.opened_at, "response_due_at": dispute.response_due_at,
            "closed_at": dispute.closed_at}


def _staff_responded(dispute: Dispute, now: datetime) -> None:
    if dispute.first_staff_response_at is None:
        dispute.first_staff_response_at = now


def _locked(dispute: Dispute) -> Dispute:
    """The partner row, then the dispute row, locked in that order (the adjustment services take the same)."""
    Partner.objects.select_for_update().get(pk=dispute.partner_id)
    return Dispute.objects.select_for_update().get(pk=dispute.pk, partner_id=dispute.partner_id)


def _require_active(dispute: Dispute) -> None:
    if dispute.status not in ACTIVE_DISPUTE_STATUSES:
        raise InvalidInput(_("dispute #%(id)s is %(status)s: it is closed")
                           % {"id": dispute.pk, "status": dispute.status},
                           code="invalid_transition",
                           details={"from": dispute.status})


def _no_pending_adjustment(dispute: Dispute) -> None:
    pending = dispute.adjustments.filter(partner_id=dispute.partner_id,
                                         status=AdjustmentStatus.PENDING_APPROVAL).first()
    if pending is not None:
        raise Conflict(
            _("adjustment #%(adjustment)s for dispute #%(dispute)s is waiting for approval; "
              "finance must approve or reject it first") % {"adjustment": pending.pk, "dispute": dispute.pk},
            code="adjustment_pending",
            details={"adjustment_id": pending.pk},
        )


# --- opening --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DisputeClaim:
    """What a partner disputes, as given; `dispute_open` checks it. By subject: the ledger line, the payout, or
    the customer's external id and/or name that is missing from its list."""

    description: str
    ledger_line_id: int | None = None
    payout_id: int | None = None
    customer_external_id: str | None = None
    customer_name: str | None = None


def _subject_fields(partner: Partner, subject: str, claim: DisputeClaim) -> dict[str, Any]:
    """The subject's fields, checked to belong to `partner` (another partner's line or payout: not found)."""
    line_id, payout_id = claim.ledger_line_id, claim.payout_id
    external_id = clean_text(claim.customer_external_id, field="customer_external_id", max_length=200, required=False)
    name = clean_text(claim.customer_name, field="customer_name", max_length=300, required=False)
    given = {k for k, v in (("ledger_line_id", line_id), ("payout_id", payout_id)) if v is not None}
    if external_id or name:
        given.add("customer")
    expected = {
        DisputeSubject.LEDGER_LINE: {"ledger_line_id"},
        DisputeSubject.PAYOUT: {"payout_id"},
        DisputeSubject.MISSING_ATTRIBUTION: {"customer"},
    }
    if subject not in expected:
        raise InvalidInput(f"subject must be one of {', '.join(DisputeSubject.values)}", code="invalid_choice",
                           details={"field": "subject"})
    if given != expected[DisputeSubject(subject)]:
        needs = {"ledger_line": "ledger_line_id", "payout": "payout_id",
                 "missing_attribution": "customer_external_id and/or customer_name"}[subject]
        raise InvalidInput(f"a {subject} dispute names {needs}, and nothing else", code="invalid_subject",
                           details={"field": "subject"})
    if subject == DisputeSubject.LEDGER_LINE:
        line = LedgerLine.objects.filter(pk=line_id or 0, partner=partner).first()
        if line is None:
            raise NotFound(_("ledger line %(id)s not found") % {"id": line_id})
        return {"ledger_line": line}
    if subject == DisputeSubject.PAYOUT:
        payout = Payout.objects.filter(pk=payout_id or 0, partner=partner).first()
        if payout is None:
            raise NotFound(_("payout %(id)s not found") % {"id": payout_id})
        return {"payout": payout}
    return {"customer_external_id": external_id, "customer_name": name}


def dispute_open(
    *, partner: Partner, subject: str, claim: DisputeClaim, actor: Actor, now: datetime | None = None
) -> Dispute:
    """Open a dispute for `partner` about `subject`, as `claim` describes it. One active dispute per line, payout
    or customer id (409)."""
    fields = _subject_fields(partner, subject, claim)
    description = clean_text(claim.description, field="description", max_length=DESCRIPTION_MAX_LENGTH)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            Partner.objects.select_for_update().get(pk=partner.pk)
            dispute = Dispute.objects.create(
                partner=partner,
                subject=subject,
                description=description,
                status=DisputeStatus.OPEN,
                opened_by_label=actor.label[:200],
                opened_by_user=actor_user(actor),
                opened_at=now,
                response_due_at=response_due(now),
                **fields,
            )
            audit_record_create(
                actor=actor, action="dispute.opened", obj=dispute,
                after={
                    "status": dispute.status,
                    "subject": subject,
                    "response_due_at": dispute.response_due_at.isoformat(),
                },
            )
            emit("dispute.updated", partner=partner, data=webhook_data(dispute))
    except IntegrityError:
        raise Conflict(_("there is already an open dispute about this %(subject)s")
                       % {"subject": subject.replace("_", " ")},
                       code="already_disputed") from None
    return dispute


# --- conversation ---------------------------------------------------------------------------------------------------


def dispute_comment_add(
    *, dispute: Dispute, text: str, actor: Actor, is_staff: bool, internal: bool = False, now: datetime | None = None
) -> DisputeComment:
    """Add a comment. A staff comment that the partner can see counts as the first staff response;
    internal notes (staff only) do not."""
    body = clean_text(text, field="text", max_length=COMMENT_MAX_LENGTH)
    if internal and not is_staff:
        raise InvalidInput(_("only staff may write internal notes"), details={"field": "internal"})
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(dispute)
        _require_active(locked)
        comment = DisputeComment.objects.create(
            dispute=locked, author_label=actor.label[:200], author_user=actor_user(actor), is_staff=is_staff,
            is_internal=internal, text=body, created_at=now,
        )
        if is_staff and not internal and locked.first_staff_response_at is None:
            _staff_responded(locked, now)
            locked.save(update_fields=["first_staff_response_at"])
        audit_record_create(actor=actor, action="dispute.comment_added", obj=locked,
                            after={"comment_id": comment.pk, "internal": internal})
    return comment


def _attachment_type(filename: str, head: bytes, content: File) -> tuple[str, str]:
    """The extension and content type of an upload, or 422 when its name or its bytes are not an accepted type."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ATTACHMENT_TYPES:
        raise InvalidInput(_("attachments must be PDF, PNG, JPEG or CSV files"), code="invalid_file_type",
                           details={"field": "file"})
    content_type, signatures = ATTACHMENT_TYPES[extension]
    if signatures is not None and not head.startswith(signatures):
        raise InvalidInput(_("the file's content is not a %(type)s file") % {"type": extension.upper()},
                           code="invalid_file_type",
                           details={"field": "file"})
    if signatures is None and not _is_text(content):
        raise InvalidInput(_("a CSV file must be text (UTF-8 or Windows-1252) without NUL bytes"),
                           code="invalid_file_type", details={"field": "file"})
    return extension, content_type


def _is_text(content: File) -> bool:
    content.seek(0)
    data = b"".join(content.chunks())
    if b"\x00" in data:
        return False
    for encoding in ("utf-8", "cp1252"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _digest(content: File) -> str:
    content.seek(0)
    sha = hashlib.sha256()
    for chunk in content.chunks():
        sha.update(chunk)
    return sha.hexdigest()


def _clean_upload(filename: str, content: File) -> tuple[str, str, str, int]:
    """(display name, extension, content type, size) of an acceptable upload."""
    size = content.size or 0
    if size <= 0:
        raise InvalidInput(_("the file is empty"), code="invalid_file", details={"field": "file"})
    if size > ATTACHMENT_MAX_BYTES:
        raise InvalidInput(_("attachments may be at most %(mb)s MB; this one has %(size)s bytes")
                           % {"mb": ATTACHMENT_MAX_BYTES // (1024 * 1024), "size": size},
                           code="file_too_large", details={"field": "file"})
    content.seek(0)
    head = content.read(16)
    extension, content_type = _attachment_type(filename, head, content)
    try:
        display = get_valid_filename(filename.replace("\\", "/").rsplit("/", 1)[-1])[-200:]
    except SuspiciousFileOperation:
        display = f"attachment.{extension}"
    return display, extension, content_type, size


def dispute_attachment_add(
    *, dispute: Dispute, filename: str, content: File, actor: Actor, is_staff: bool, now: datetime | None = None
) -> DisputeAttachment:
    """Attach a PDF, PNG, JPEG or CSV file of at most 10 MB to an active dispute. The file is stored under a
    random name; if the database write fails, the stored file is removed again."""
    display, extension, content_type, size = _clean_upload(filename or "", content)
    digest = _digest(content)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(dispute)
        _require_active(locked)
        if locked.attachments.count() >= ATTACHMENTS_PER_DISPUTE:
            raise InvalidInput(_("a dispute holds at most %(n)s attachments") % {"n": ATTACHMENTS_PER_DISPUTE},
                               code="too_many_attachments")
        attachment = DisputeAttachment(
            dispute=locked, filename=display, content_type=content_type, size=size, sha256=digest,
            uploaded_by_label=actor.label[:200], is_staff=is_staff, created_at=now,
        )
        content.seek(0)
        attachment.file.save(f"{uuid.uuid4().hex}.{extension}", content, save=False)
        try:
            attachment.save()
            audit_record_create(actor=actor, action="dispute.attachment_added", obj=locked,
                                after={"attachment_id": attachment.pk, "filename": display, "size": size,
                                       "sha256": digest})
        except Exception:
            attachment.file.storage.delete(attachment.file.name or "")
            raise
    return attachment


# --- staff decisions ------------------------------------------------------------------------------------------------


def dispute_review(*, dispute: Dispute, actor: Actor, now: datetime | None = None) -> Dispute:
    """Staff take the dispute up (open → in_review); this is a first response for the SLA."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(dispute)
        require_transition(DISPUTE_TRANSITIONS, locked.status, DisputeStatus.IN_REVIEW, "a dispute")
        _staff_responded(locked, now)
        _move(locked, DisputeStatus.IN_REVIEW, actor, now)
    return locked


def dispute_resolve(
    *, dispute: Dispute, adjustment_amount: Decimal | str, resolution: str, actor: Actor, now: datetime | None = None
) -> Dispute:
    """Resolve with an adjustment of the partner's balance, linked to the dispute. Up to the threshold the
    adjustment posts at once and the dispute becomes resolved_with_adjustment; above it the dispute waits in
    review until finance's second approval posts the adjustment (and resolves the dispute)."""
    amount = clean_adjustment_amount(adjustment_amount, field="adjustment_amount")
    text = clean_text(resolution, field="resolution", max_length=DESCRIPTION_MAX_LENGTH)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(dispute)
        require_transition(DISPUTE_TRANSITIONS, locked.status, DisputeStatus.RESOLVED_WITH_ADJUSTMENT, "a dispute")
        _no_pending_adjustment(locked)
        _staff_responded(locked, now)
        locked.resolution = text
        locked.save(update_fields=["first_staff_response_at", "resolution"])
        adjustment = adjustment_request_locked(
            partner=locked.partner, amount=amount, reason=text, actor=actor,
            dispute=locked, now=now,
        )
        locked.refresh_from_db()
        if adjustment.status != AdjustmentStatus.PENDING_APPROVAL:
            return locked  # posted: the adjustment service has resolved the dispute
        if locked.status == DisputeStatus.OPEN:
            _move(locked, DisputeStatus.IN_REVIEW, actor, now, adjustment_id=adjustment.pk)
        else:
            audit_record_create(actor=actor, action="dispute.adjustment_requested", obj=locked,
                                after={"status": locked.status, "adjustment_id": adjustment.pk})
    return locked


def dispute_reject(*, dispute: Dispute, reason: str, actor: Actor, now: datetime | None = None) -> Dispute:
    """Staff reject the claim, with the reason shown to the partner. Nothing reaches the ledger."""
    text = clean_text(reason, field="reason", max_length=DESCRIPTION_MAX_LENGTH)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(dispute)
        require_transition(DISPUTE_TRANSITIONS, locked.status, DisputeStatus.REJECTED, "a dispute")
        _no_pending_adjustment(locked)
        _staff_responded(locked, now)
        locked.resolution = text
        _move(locked, DisputeStatus.REJECTED, actor, now, reason=text)
    return locked


def dispute_withdraw(*, dispute: Dispute, actor: Actor, reason: str = "", now: datetime | None = None) -> Dispute:
    """The partner withdraws its dispute. Refused while an adjustment for it awaits approval."""
    text = clean_text(reason, field="reason", max_length=DESCRIPTION_MAX_LENGTH, required=False)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(dispute)
        require_transition(DISPUTE_TRANSITIONS, locked.status, DisputeStatus.WITHDRAWN, "a dispute")
        _no_pending_adjustment(locked)
        _move(locked, DisputeStatus.WITHDRAWN, actor, now, reason=text)
    return locked
