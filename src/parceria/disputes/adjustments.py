"""Manual adjustments (SPEC §6.6): corrections of a partner's balance with a reason, an author and, above a
configurable amount, a second approver.

* |amount| ≤ settings.PARCERIA["ADJUSTMENT_SECOND_APPROVAL_ABOVE"] (in the partner's currency): the requester's
  own approval suffices and the adjustment is posted at once.
* Above it: the adjustment waits in `pending_approval` until a different finance user or key approves it.
  "Different" means another label, another user and another API key than every approval so far.
* Posting writes one ledger line through `ledger_post` (kind adjustment, rule manual) with dedupe key
  `adj:<id>`, so an adjustment reaches the ledger at most once whatever the retries; the service also checks
  for the key first, so approving an already posted adjustment is a harmless no-op.

Every write locks the partner row first (DESIGN rule 5), then the adjustment, and writes an audit record for
each state change. Permission checks (Ability.FINANCE) belong to the caller, which knows the principal.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.commissions.engine import Posting
from parceria.commissions.ledger import ledger_post
from parceria.commissions.models import LedgerKind, LedgerLine, LedgerRule
from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import Conflict, InvalidInput, PermissionDenied
from parceria.common.inputs import clean_amount, clean_text
from parceria.common.money import ledger_str, parse_amount
from parceria.disputes.models import (
    ACTIVE_DISPUTE_STATUSES,
    ADJUSTMENT_TRANSITIONS,
    DISPUTE_TRANSITIONS,
    Adjustment,
    AdjustmentApproval,
    AdjustmentStatus,
    Dispute,
    DisputeStatus,
)
from parceria.partners.models import Partner

THRESHOLD_SETTING = "ADJUSTMENT_SECOND_APPROVAL_ABOVE"
DEFAULT_THRESHOLD = "1000.00"
REASON_MAX_LENGTH = 2000


# --- small shared helpers (also used by the dispute services) -------------------------------------------------------


def require_transition(transitions: Mapping[str, frozenset[str]], current: str, target: str, what: str) -> None:
    """Refuse a status move that the TRANSITIONS table does not allow (422 invalid_transition)."""
    if target not in transitions.get(current, frozenset()):
        raise InvalidInput(
            _("%(what)s cannot move from %(from)s to %(to)s") % {"what": what, "from": current, "to": target},
            code="invalid_transition",
            details={"from": current, "to": target},
        )


def clean_adjustment_amount(value: object, *, field: str = "amount") -> Decimal:
    """An adjustment's amount: signed (positive in the partner's favour), not zero, at most 4 places."""
    return clean_amount(value, field=field, allow_negative=True, allow_zero=False)


def actor_user(actor: Actor) -> Any:
    return actor.user if getattr(actor.user, "pk", None) else None


def actor_key(actor: Actor) -> Any:
    return actor.api_key if getattr(actor.api_key, "pk", None) else None


def adjustment_threshold(currency: str) -> Decimal:
    """The largest |amount| one approver may post alone. The setting is one amount for every currency, or a
    mapping of currency to amount with an optional "default"."""
    value: Any = getattr(settings, "PARCERIA", {}).get(THRESHOLD_SETTING, DEFAULT_THRESHOLD)
    if isinstance(value, Mapping):
        value = value.get(currency, value.get("default", DEFAULT_THRESHOLD))
    return parse_amount(value)


def _snapshot(adjustment: Adjustment) -> dict[str, Any]:
    return {
        "status": adjustment.status,
        "partner_id": adjustment.partner_id,
        "amount": ledger_str(adjustment.amount),
        "currency": adjustment.currency,
        "required_approvals": adjustment.required_approvals,
        "dispute_id": adjustment.dispute_id,
    }


def _same_actor(actor: Actor, approval: AdjustmentApproval) -> bool:
    user_pk, key_pk = getattr(actor_user(actor), "pk", None), getattr(actor_key(actor), "pk", None)
    return (
        approval.approver_label == actor.label[:200]
        or (user_pk is not None and approval.approver_user_id == user_pk)
        or (key_pk is not None and approval.approver_key_id == key_pk)
    )


# --- posting --------------------------------------------------------------------------------------------------------


def _explanation(adjustment: Adjustment, approver_label: str) -> str:
    link = f"dispute #{adjustment.dispute_id}; " if adjustment.dispute_id else ""
    return (
        f"Manual adjustment: {adjustment.reason} "
        f"({link}requested by {adjustment.requested_by_label}, approved by {approver_label})"
    )


def _ledger_context(adjustment: Adjustment, now: datetime) -> tuple[dict[str, object], str | None]:
    """The posting's context, and the disputed line it corrects (if the dispute is about a ledger line)."""
    context: dict[str, object] = {"occurred_at": now}
    disputed = adjustment.dispute.ledger_line if adjustment.dispute_id and adjustment.dispute else None
    if disputed is None:
        return context, None
    context["customer_id"] = disputed.customer_id
    return context, disputed.dedupe_key


def _post(adjustment: Adjustment, actor: Actor, approver_label: str, now: datetime) -> None:
    """Write the adjustment's ledger line (once) and mark it posted. The caller holds the partner lock."""
    require_transition(ADJUSTMENT_TRANSITIONS, adjustment.status, AdjustmentStatus.POSTED, "an adjustment")
    key = adjustment.ledger_key
    if not LedgerLine.objects.filter(dedupe_key=key).exists():
        context, corrects = _ledger_context(adjustment, now)
        posting = Posting(
            partner_id=adjustment.partner_id,
            kind=LedgerKind.ADJUSTMENT,
            rule=LedgerRule.MANUAL,
            amount=adjustment.amount,
            currency=adjustment.currency,
            rate=None,
            base=None,
            explanation=_explanation(adjustment, approver_label),
            dedupe_key=key,
            reverses_key=corrects,
        )
        ledger_post([(posting, context)], created_by=actor.label, now=now)
    before = _snapshot(adjustment)
    adjustment.status, adjustment.ledger_line_id, adjustment.decided_at = AdjustmentStatus.POSTED, key, now
    adjustment.save(update_fields=["status", "ledger_line", "decided_at"])
    audit_record_create(
        actor=actor, action="adjustment.posted", obj=adjustment, before=before, after=_snapshot(adjustment)
    )
    if adjustment.dispute_id:
        _settle_dispute(adjustment, actor, now)


def _settle_dispute(adjustment: Adjustment, actor: Actor, now: datetime) -> None:
    """A posted adjustment resolves the dispute it was made for."""
    dispute = Dispute.objects.select_for_update().get(pk=adjustment.dispute_id or 0)
    if dispute.status not in ACTIVE_DISPUTE_STATUSES:
        return
    target = DisputeStatus.RESOLVED_WITH_ADJUSTMENT
    require_transition(DISPUTE_TRANSITIONS, dispute.status, target, "a dispute")
    before = {"status": dispute.status}
    dispute.status, dispute.closed_at = target, now
    dispute.closed_by_label = adjustment.requested_by_label
    dispute.save(update_fields=["status", "closed_at", "closed_by_label"])
    audit_record_create(
        actor=actor,
        action="dispute.resolved_with_adjustment",
        obj=dispute,
        before=before,
        after={"status": dispute.status, "adjustment_id": adjustment.pk, "ledger_line": adjustment.ledger_key},
    )


def _approve(adjustment: Adjustment, actor: Actor, now: datetime) -> None:
    AdjustmentApproval.objects.create(
        adjustment=adjustment,
        approver_label=actor.label[:200],
        approver_user=actor_user(actor),
        approver_key=actor_key(actor),
        approved_at=now,
    )
    approvals = adjustment.approvals.count()
    audit_record_create(
        actor=actor,
        action="adjustment.approved",
        obj=adjustment,
        after={"approvals": approvals, "required_approvals": adjustment.required_approvals},
    )
    if approvals >= adjustment.required_approvals:
        _post(adjustment, actor, actor.label, now)


# --- the services ---------------------------------------------------------------------------------------------------


def adjustment_request_locked(
    *, partner: Partner, amount: Decimal, reason: str, actor: Actor, dispute: Dispute | None, now: datetime
) -> Adjustment:
    """Create an adjustment, approved by its requester; post it when that approval suffices.
    The caller has cleaned the input and holds the partner lock in a transaction."""
    threshold = adjustment_threshold(partner.currency)
    adjustment = Adjustment.objects.create(
        partner=partner,
        amount=amount,
        currency=partner.currency,
        reason=reason,
        status=AdjustmentStatus.PENDING_APPROVAL,
        required_approvals=1 if abs(amount) <= threshold else 2,
        requested_by_label=actor.label[:200],
        requested_by_user=actor_user(actor),
        requested_by_key=actor_key(actor),
        requested_at=now,
        dispute=dispute,
    )
    audit_record_create(
        actor=actor, action="adjustment.requested", obj=adjustment, after=_snapshot(adjustment), reason=reason
    )
    _approve(adjustment, actor, now)
    return adjustment


def adjustment_request(
    *,
    partner: Partner,
    amount: Decimal | str,
    reason: str,
    actor: Actor,
    dispute: Dispute | None = None,
    now: datetime | None = None,
) -> Adjustment:
    """Ask for a manual adjustment of `partner`'s balance by the signed `amount` (partner currency).
    Posted at once up to the threshold; otherwise pending a second approver."""
    clean = clean_adjustment_amount(amount)
    text = clean_text(reason, field="reason", max_length=REASON_MAX_LENGTH)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        return adjustment_request_locked(
            partner=locked, amount=clean, reason=text, actor=actor, dispute=dispute, now=now
        )


def adjustment_approve(*, adjustment: Adjustment, actor: Actor, now: datetime | None = None) -> Adjustment:
    """A second approval. Posts the adjustment when it completes the approvals; approving an adjustment that
    is already posted changes nothing (a retried approval is safe)."""
    now = now or timezone.now()
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=adjustment.partner_id)
        locked = Adjustment.objects.select_for_update().get(pk=adjustment.pk)
        if locked.status == AdjustmentStatus.POSTED:
            return locked
        require_transition(ADJUSTMENT_TRANSITIONS, locked.status, AdjustmentStatus.POSTED, "an adjustment")
        if partner.currency != locked.currency:
            raise Conflict(
                _("partner %(partner)s is now paid in %(currency)s, but adjustment #%(id)s is in %(old)s: "
                  "reject it and request a new one")
                % {"partner": partner.pk, "currency": partner.currency, "id": locked.pk, "old": locked.currency},
                code="currency_changed",
            )
        if any(_same_actor(actor, approval) for approval in locked.approvals.all()):
            raise PermissionDenied(
                _("adjustment #%(id)s needs a second approver other than %(who)s")
                % {"id": locked.pk, "who": locked.requested_by_label},
                code="same_approver",
            )
        _approve(locked, actor, now)
        return locked


def adjustment_reject(
    *, adjustment: Adjustment, reason: str, actor: Actor, now: datetime | None = None
) -> Adjustment:
    """Refuse a pending adjustment; nothing reaches the ledger. Its dispute, if any, stays under review."""
    text = clean_text(reason, field="reason", max_length=REASON_MAX_LENGTH)
    now = now or timezone.now()
    with transaction.atomic():
        Partner.objects.select_for_update().get(pk=adjustment.partner_id)
        locked = Adjustment.objects.select_for_update().get(pk=adjustment.pk)
        require_transition(ADJUSTMENT_TRANSITIONS, locked.status, AdjustmentStatus.REJECTED, "an adjustment")
        before = _snapshot(locked)
        locked.status, locked.decided_at = AdjustmentStatus.REJECTED, now
        locked.rejected_by_label, locked.rejection_reason = actor.label[:200], text
        locked.save(update_fields=["status", "decided_at", "rejected_by_label", "rejection_reason"])
        audit_record_create(
            actor=actor, action="adjustment.rejected", obj=locked, before=before, after=_snapshot(locked), reason=text
        )
        return locked
