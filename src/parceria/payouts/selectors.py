"""Reads of payouts. A payout's status and lateness are derived, not stored, and this module owns both rules:

* current status: the latest of its status changes (by time, then id), or pending when it has none;
* late: still pending after its due date.

Every page, route, statement and service reads them through `payouts_with_status` (one SQL expression of
each rule), `current_statuses`, `late_payouts` or `payout_rows`."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from parceria.common.dbsum import exact_sums
from parceria.common.money import ledger_str
from parceria.partners.models import Partner
from parceria.payouts.models import (
    Payout,
    PayoutEmployerContribution,
    PayoutStatus,
    PayoutStatusChange,
    PayoutWithholding,
)
from parceria.payouts.withholding import EarlierInMonth, payment_month


def earlier_in_month(payment_date: date) -> dict[tuple[str, str], EarlierInMonth]:
    """What the company already paid each payee in the payment month of `payment_date`, by (payee tax id,
    currency): the gross, the taxes withheld per code and the employer contributions per code of the
    payouts whose payment date falls in that month and that have not failed (a failed payout was never
    paid: its gross goes back on the balance and is paid, and taxed, again)."""
    first = payment_month(payment_date)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    payouts = payouts_with_status(Payout.objects.filter(payment_date__range=(first, last))).exclude(
        current_status=PayoutStatus.FAILED
    )
    gross: dict[tuple[str, str], Decimal] = {}
    for key, total in exact_sums(payouts, "gross", "payee_tax_id", "currency").items():
        assert isinstance(key, tuple)
        gross[(str(key[0]), str(key[1]))] = total
    withheld: dict[tuple[str, str], dict[str, Decimal]] = {}
    contributed: dict[tuple[str, str], dict[str, Decimal]] = {}
    sources: tuple[tuple[QuerySet[Any], dict[tuple[str, str], dict[str, Decimal]]], ...] = (
        (PayoutWithholding.objects.filter(payout__in=payouts), withheld),
        (PayoutEmployerContribution.objects.filter(payout__in=payouts), contributed),
    )
    for rows, into in sources:
        for key, total in exact_sums(rows, "amount", "payout__payee_tax_id", "payout__currency", "code").items():
            assert isinstance(key, tuple)
            into.setdefault((str(key[0]), str(key[1])), {})[str(key[2])] = total
    return {
        key: EarlierInMonth(total, withheld.get(key, {}), contributed.get(key, {})) for key, total in gross.items()
    }


def payouts_with_status(queryset: QuerySet[Payout] | None = None, *, today: date | None = None) -> QuerySet[Any]:
    """Payouts annotated with `current_status` (the latest status change, or pending) and `late` (pending after
    the due date, judged on `today`, default the local date)."""
    latest = PayoutStatusChange.objects.filter(payout=OuterRef("pk")).order_by("-at", "-id").values("status")[:1]
    qs = queryset if queryset is not None else Payout.objects.all()
    qs = qs.annotate(current_status=Coalesce(Subquery(latest), Value(PayoutStatus.PENDING.value)))
    late = Q(current_status=PayoutStatus.PENDING.value, due_date__lt=today or timezone.localdate())
    return qs.annotate(late=ExpressionWrapper(late, output_field=BooleanField()))


def current_statuses(payouts: Iterable[Payout]) -> dict[int, str]:
    """The current status of each payout (by id)."""
    rows = list(payouts)
    # the payouts' partners named too, so that the read is visibly theirs (tenancy)
    ids, owners = [p.pk for p in rows], {p.partner_id for p in rows}
    chosen = Payout.objects.filter(pk__in=ids, partner_id__in=owners)
    return dict(payouts_with_status(chosen).values_list("pk", "current_status"))


def late_payouts(queryset: QuerySet[Payout] | None = None, *, today: date | None = None) -> QuerySet[Any]:
    """The payouts still pending after their due date."""
    return payouts_with_status(queryset, today=today).filter(late=True)


def pending_payouts(partner_id: int) -> list[Payout]:
    """The partner's payouts that a close made and the bank has not yet paid (or failed), oldest first."""
    payouts = payouts_with_status(Payout.objects.filter(partner_id=partner_id).select_related("batch"))
    return list(payouts.filter(current_status=PayoutStatus.PENDING).order_by("due_date", "currency", "id"))


def payout_rows(payouts: QuerySet[Payout] | Iterable[Payout], *, today: date | None = None) -> list[dict[str, Any]]:
    """Payouts with their withholdings, current status and late flag, in a fixed number of queries."""
    rows = list(payouts.select_related("batch") if isinstance(payouts, QuerySet) else payouts)
    ids = [p.pk for p in rows]
    owners = {p.partner_id for p in rows}  # named too, so that each read is visibly the rows' partners' (tenancy)
    taxes: dict[int, list[dict[str, str]]] = {pid: [] for pid in ids}
    for w in PayoutWithholding.objects.filter(payout_id__in=ids).order_by("payout_id", "code"):
        taxes[w.payout_id].append({"code": w.code, "amount": ledger_str(w.amount)})
    chosen = Payout.objects.filter(pk__in=ids, partner_id__in=owners)
    state = {
        pk: (status, late)
        for pk, status, late in payouts_with_status(chosen, today=today).values_list("pk", "current_status", "late")
    }
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
            "status": state[p.pk][0],
            "late": state[p.pk][1],
            "pix_key_type": p.pix_key_type,
            "pix_key": p.pix_key,
        }
        for p in rows
    ]


def partner_payouts(partner: Partner) -> QuerySet[Payout]:
    return Payout.objects.filter(partner=partner).select_related("batch")
