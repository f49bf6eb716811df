"""Reads of payouts: status and lateness are derived, not stored."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from parceria.common.money import ledger_str
from parceria.payouts.models import Payout, PayoutStatus, PayoutStatusChange, PayoutWithholding


def payouts_with_status(queryset: QuerySet[Payout] | None = None) -> QuerySet[Any]:
    """Payouts annotated with their current status (the latest mark, or pending)."""
    latest = PayoutStatusChange.objects.filter(payout=OuterRef("pk")).order_by("-at", "-id").values("status")[:1]
    qs = queryset if queryset is not None else Payout.objects.all()
    return qs.annotate(current_status=Coalesce(Subquery(latest), Value(PayoutStatus.PENDING.value)))


def pending_payouts(partner_id: int) -> list[Payout]:
    """The partner's payouts that a close made and the bank has not yet paid (or failed), oldest first."""
    payouts = payouts_with_status(Payout.objects.filter(partner_id=partner_id).select_related("batch"))
    return list(payouts.filter(current_status=PayoutStatus.PENDING).order_by("due_date", "currency", "id"))


def payout_rows(payouts: QuerySet[Payout] | Iterable[Payout], *, today: date | None = None) -> list[dict[str, Any]]:
    """Payouts with their withholdings, current status and late flag, in a fixed number of queries."""
    rows = list(payouts.select_related("batch") if isinstance(payouts, QuerySet) else payouts)
    ids = [p.pk for p in rows]
    taxes: dict[int, list[dict[str, str]]] = {pid: [] for pid in ids}
    for w in PayoutWithholding.objects.filter(payout_id__in=ids).order_by("payout_id", "code"):
        taxes[w.payout_id].append({"code": w.code, "amount": ledger_str(w.amount)})
    statuses = dict(
        PayoutStatusChange.objects.filter(payout_id__in=ids)
        .order_by("payout_id", "at", "id")
        .values_list("payout_id", "status")
    )
    today = today or timezone.localdate()
    return [
        {
            "id": p.pk,
            "batch_id": p.batch_id,
            "period": p.batch.period,
            "partner_id": p.partner_id,
            "currency": p.currency,
            "gross": ledger_str(p.gross),
            "withholdings": taxes[p.pk],
            "net": ledger_str(p.net),
            "due_date": p.due_date,
            "status": statuses.get(p.pk, PayoutStatus.PENDING),
            "late": statuses.get(p.pk, PayoutStatus.PENDING) == PayoutStatus.PENDING and today > p.due_date,
            "pix_key_type": p.pix_key_type,
            "pix_key": p.pix_key,
        }
        for p in rows
    ]
