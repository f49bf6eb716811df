"""Writes on payouts after the close: batch approval, paid/failed marks (SPEC §7.3)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.commissions.engine import Posting
from parceria.commissions.ledger import ledger_post
from parceria.commissions.models import LedgerLine
from parceria.common.audit import Actor, audit_record_create
from parceria.common.dbsum import exact_sums
from parceria.common.errors import Conflict, InvalidInput
from parceria.common.money import ledger_str
from parceria.payouts.close import payout_line_keys
from parceria.payouts.models import (
    BatchApproval,
    BatchExport,
    Payout,
    PayoutBatch,
    PayoutStatus,
    PayoutStatusChange,
)
from parceria.payouts.selectors import current_statuses, payouts_with_status
from parceria.webhooks.outbox import emit


@dataclass(frozen=True)
class BatchState:
    totals: dict[str, Decimal]
    approvals: list[str]
    required_approvals: int

    @property
    def approved(self) -> bool:
        return len(self.approvals) >= self.required_approvals


def batch_states(batches: Sequence[PayoutBatch]) -> dict[int, BatchState]:
    """Totals per currency, approvals and the approvals required, for many batches in three queries."""
    ids = [b.pk for b in batches]
    totals: dict[int, dict[str, Decimal]] = {pk: {} for pk in ids}
    for key, total in exact_sums(Payout.objects.filter(batch_id__in=ids), "gross", "batch_id", "currency").items():
        assert isinstance(key, tuple)
        totals[int(key[0])][str(key[1])] = total
    approvals: dict[int, list[str]] = {pk: [] for pk in ids}
    rows = BatchApproval.objects.filter(batch_id__in=ids).order_by("approved_at", "id")
    for batch_id, label in rows.values_list("batch_id", "approver_label"):
        approvals[batch_id].append(label)
    limit = Decimal(str(settings.PARCERIA["BATCH_SECOND_APPROVAL_ABOVE"]))
    return {
        pk: BatchState(totals[pk], approvals[pk], 2 if any(t > limit for t in totals[pk].values()) else 1) for pk in ids
    }


def batches_with_state(limit: int = 24) -> list[tuple[PayoutBatch, BatchState]]:
    """The most recent batches (one per closed month) with their approval state, in a fixed number of queries."""
    batches = list(PayoutBatch.objects.order_by("-period")[:limit])
    states = batch_states(batches)
    return [(b, states[b.pk]) for b in batches]


class BatchStage:
    """Where a batch is on its way to the bank, in order: awaiting approval, approved (no file created yet), sent
    (a file was created, payouts still pending at the bank), settled (no payout pending: paid or failed)."""

    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    SENT = "sent"
    SETTLED = "settled"
    ALL = (AWAITING_APPROVAL, APPROVED, SENT, SETTLED)


def batch_stages(batches: Sequence[PayoutBatch], states: dict[int, BatchState] | None = None) -> dict[int, str]:
    """The stage (`BatchStage`) of each batch, in a fixed number of queries (`states`: `batch_states` of the same
    batches when the caller has them)."""
    ids = [b.pk for b in batches]
    states = batch_states(batches) if states is None else states
    exported = set(BatchExport.objects.filter(batch_id__in=ids).values_list("batch_id", flat=True).distinct())
    pending = set(
        payouts_with_status(Payout.objects.filter(batch_id__in=ids))
        .filter(current_status=PayoutStatus.PENDING).values_list("batch_id", flat=True).distinct()
    )
    stages = {}
    for pk in ids:
        if pk not in pending:
            stages[pk] = BatchStage.SETTLED if states[pk].approved or not states[pk].totals else (
                BatchStage.AWAITING_APPROVAL)
        elif not states[pk].approved:
            stages[pk] = BatchStage.AWAITING_APPROVAL
        else:
            stages[pk] = BatchStage.SENT if pk in exported else BatchStage.APPROVED
    return stages


def batch_state(batch: PayoutBatch) -> BatchState:
    return batch_states([batch])[batch.pk]


def batch_approve(*, batch: PayoutBatch, actor: Actor) -> BatchState:
    """Record `actor`'s approval. Approving twice is harmless; a batch above the second-approval total
    needs two different approvers."""
    with transaction.atomic():
        locked = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
        state = batch_state(locked)
        if actor.label in state.approvals:
            return state
        if state.approved:
            raise Conflict(_("the batch is already approved"), code="already_approved")
        try:
            with transaction.atomic():
                BatchApproval.objects.create(batch=locked, approved_by=actor.user, approver_label=actor.label[:200])
        except IntegrityError:
            return batch_state(locked)
        audit_record_create(actor=actor, action="payout_batch.approved", obj=locked)
        state = batch_state(locked)
        for payout in locked.payouts.select_related("partner").order_by("pk") if state.approved else ():
            emit("payout.approved", partner=payout.partner, data=payout_webhook_data(payout))
        return state


def payout_mark(
    *, payout: Payout, status: str, source: str, reference: str = "", actor: Actor, now: datetime | None = None
) -> PayoutStatusChange:
    """Mark a payout paid or failed. The same mark again is a no-op; the opposite mark is a conflict.
    A failed payout puts its gross back on the partner's balance with a reversing ledger line."""
    if status not in (PayoutStatus.PAID, PayoutStatus.FAILED):
        raise InvalidInput(_("a payout can be marked paid or failed, not %(status)r") % {"status": status},
                           code="invalid_status")
    with transaction.atomic():
        locked = Payout.objects.select_for_update().get(pk=payout.pk) if connection.vendor == "postgresql" else payout
        current = current_statuses([locked])[locked.pk]
        if current == status:
            return PayoutStatusChange.objects.get(payout=locked, status=status)
        if current != PayoutStatus.PENDING:
            raise Conflict(_("payout %(id)s is already %(status)s") % {"id": locked.pk, "status": current},
                           code="payout_already_settled")
        change = PayoutStatusChange.objects.create(
            payout=locked, status=status, source=source[:200], reference=reference[:200]
        )
        if status == PayoutStatus.FAILED:
            _reverse(locked, reference, actor, now or timezone.now())
        audit_record_create(actor=actor, action=f"payout.{status}", obj=locked, after={"reference": reference})
        emit(f"payout.{status}", partner=locked.partner, data={**payout_webhook_data(locked), "reference": reference})
        return change


def payout_webhook_data(payout: Payout) -> dict[str, object]:
    """A payout in webhook events (docs/webhooks.md): amounts as the API writes them (ledger_str)."""
    return {"payout_id": payout.pk, "batch_id": payout.batch_id, "currency": payout.currency,
            "gross": ledger_str(payout.gross), "net": ledger_str(payout.net), "due_date": payout.due_date,
            "payment_date": payout.payment_date}


def _reverse(payout: Payout, reference: str, actor: Actor, now: datetime) -> None:
    keys = payout_line_keys(payout)
    line_key = LedgerLine.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True).first()
    posting = Posting(
        partner_id=payout.partner_id,
        kind="payout_reversal",
        rule="payout",
        amount=payout.gross,
        currency=payout.currency,
        rate=None,
        base=None,
        dedupe_key=f"payout-reversal:{payout.pk}",
        reverses_key=line_key or keys[0],
        explanation=(
            f"Payout #{payout.pk} failed ({reference or 'no reason given'}): {payout.gross} back on the balance"
        ),
    )
    ledger_post([(posting, {"occurred_at": now})], created_by=actor.label, now=now)
