"""The ladder's metrics of many partners at a moment, set-based (SPEC §2.1): ten queries whatever their number. The
integration partner's metrics are in parceria.tiers.integration.

Metrics, for a partner at the moment ``now`` (``on`` is its local date, America/Sao_Paulo):

* ``training_complete`` and ``advanced_certification`` come from enablement (``training_complete``,
  ``certifications_held``; the advanced certification is ``advanced-product``).
* ``successful_implementations``: attributed customers with at least one invoice paid by ``now``.
* ``referrals_last_quarter``: customers attributed to the partner in the last full calendar quarter before ``on``.
* ``arr`` = 12 × MRR, rounded to the cent (half-even); the requirement compares the rounded value. MRR is the
  sum over the partner's *active* attributed customers of each one's current invoice, taken as monthly: the
  latest invoice paid by ``now`` whose service period starts on or before ``on`` and ends on or after the first
  day of the month before ``on``'s month (a month's slack for the next invoice to be paid), net of its refunds
  by ``now`` (a fully refunded one counts 0). ARR is in R$: an invoice in another currency converts at the rate
  of the day it was paid, looked up as the intake does (``FxBook``), rounded half-even to 4 places; one without a
  usable rate is left out and listed in the evidence (``mrr_unconverted``).
* ``csat``: the mean of the latest score (by ``now``) of each active attributed customer, rounded to 2 places
  half-even; none when no customer scored. The requirement compares the rounded value.
* ``joint_business_plan``: an approved joint business plan in force on ``on`` (as agreements'
  ``has_approved_joint_business_plan``, for many partners in one query).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from parceria.agreements.models import Agreement, AgreementStatus, AgreementType, PlanApproval
from parceria.common.dbsum import exact_sums
from parceria.common.fx import FxBook
from parceria.common.money import multiply
from parceria.customers.models import CsatScore, Customer, CustomerStatus, Invoice, Refund
from parceria.enablement.selectors import certifications_held, training_complete
from parceria.partners.tier_data import ADVANCED_CERTIFICATION
from parceria.tiers.calendar import last_full_quarter, local_start
from parceria.tiers.rules import CENT, Metrics


@dataclass
class _Mrr:
    total: Decimal = Decimal(0)
    unconverted: list[str] = field(default_factory=list)  # invoices without a usable FX rate to BRL


def _monthly_recurring_revenue(customers: Any, on: date, now: datetime) -> dict[int, _Mrr]:
    """Per partner: the sum over `customers` of each one's current invoice (the latest paid by `now` whose
    service period reaches into last month or later), net of its refunds by `now`, in BRL. An invoice in
    another currency converts at the rate of the day it was paid, with the intake's look-up (FxBook), each
    rounded half-even to 4 places as on accrual; a fully refunded invoice counts 0. Three queries."""
    month_before = (on.replace(day=1) - timedelta(days=1)).replace(day=1)
    current_invoice = (
        Invoice.objects.filter(customer=OuterRef("pk"), paid_at__lte=now, period_start__lte=on,
                               period_end__gte=month_before)
        .order_by("-period_end", "-paid_at", "-invoice_id")
        .values("invoice_id")[:1]
    )
    current_ids = customers.annotate(current=Subquery(current_invoice)).exclude(current=None).values("current")
    invoices = list(
        Invoice.objects.filter(invoice_id__in=current_ids).values_list(
            "invoice_id", "customer__partner_id", "amount", "currency", "paid_at"
        )
    )
    if not invoices:
        return {}
    refunded = Refund.objects.filter(invoice_id__in=current_ids, refunded_at__lte=now)
    refunds = exact_sums(refunded, "amount", "invoice_id")
    days = [timezone.localdate(paid_at) for *_, paid_at in invoices]
    book = FxBook.load({(currency, "BRL") for _, _, _, currency, _ in invoices}, min(days), max(days))
    result: dict[int, _Mrr] = defaultdict(_Mrr)
    for (invoice_id, partner_id, amount, currency, _), day in zip(invoices, days, strict=True):
        net = max(Decimal(amount) - refunds.get(invoice_id, Decimal(0)), Decimal(0))
        mrr = result[partner_id]
        if currency == "BRL" or net == 0:
            mrr.total += net
        elif (quote := book.quote(currency, "BRL", day)) is not None:
            mrr.total += multiply(net, quote.rate).quantize(Decimal("0.0001"), ROUND_HALF_EVEN)
        else:
            mrr.unconverted.append(invoice_id)
    return result


def partner_csat(partner_ids: Sequence[int] | None, now: datetime) -> dict[int, tuple[Decimal, int]]:
    """Per partner (of `partner_ids`, or every partner): the ``csat`` metric and how many customers it averages —
    the latest score by `now` of each active attributed customer (equal times broken by event id). One query, over
    the scores rather than the customers."""
    later = CsatScore.objects.filter(customer=OuterRef("customer"), occurred_at__lte=now).filter(
        Q(occurred_at__gt=OuterRef("occurred_at")) | Q(occurred_at=OuterRef("occurred_at"),
                                                        event_id__gt=OuterRef("event_id")))
    latest = CsatScore.objects.filter(occurred_at__lte=now, customer__partner__isnull=False,
                                      customer__status=CustomerStatus.ACTIVE).exclude(Exists(later))
    if partner_ids is not None:
        latest = latest.filter(customer__partner_id__in=list(partner_ids))
    rows = latest.order_by().values("customer__partner_id").annotate(total=Sum("score"), n=Count("event_id"))
    return {row["customer__partner_id"]: ((Decimal(row["total"]) / Decimal(row["n"])).quantize(CENT, ROUND_HALF_EVEN),
                                          row["n"]) for row in rows}


def partner_metrics(partner_ids: Sequence[int], now: datetime) -> dict[int, Metrics]:
    """The metrics of many partners at `now`: ten queries whatever their number."""
    ids = list(partner_ids)
    on = timezone.localdate(now)
    metrics = {pk: Metrics() for pk in ids}
    if not ids:
        return metrics
    for pk, done in training_complete(ids, now).items():
        metrics[pk].training_complete = done
    for pk, codes in certifications_held(ids, now).items():
        metrics[pk].advanced_certification = ADVANCED_CERTIFICATION in codes
        metrics[pk].extra["certifications"] = sorted(codes)

    implementations = (
        Customer.objects.filter(partner_id__in=ids, invoices__paid_at__lte=now)
        .values("partner_id")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    for row in implementations:
        metrics[row["partner_id"]].successful_implementations = row["n"]

    q_first, q_last = last_full_quarter(on)
    referrals = (
        Customer.objects.filter(
            partner_id__in=ids,
            attributed_at__gte=local_start(q_first),
            attributed_at__lt=local_start(q_last + timedelta(days=1)),
        )
        .values("partner_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in referrals:
        metrics[row["partner_id"]].referrals_last_quarter = row["n"]
    for m in metrics.values():
        m.extra["referral_quarter"] = [q_first.isoformat(), q_last.isoformat()]

    active = Customer.objects.filter(partner_id__in=ids, status=CustomerStatus.ACTIVE)
    for partner_id, mrr in _monthly_recurring_revenue(active, on, now).items():
        m = metrics[partner_id]
        m.arr = (mrr.total * 12).quantize(CENT, ROUND_HALF_EVEN)
        m.extra["mrr"] = format(mrr.total.quantize(Decimal("0.0001")), "f")
        if mrr.unconverted:
            m.extra["mrr_unconverted"] = sorted(mrr.unconverted)
    for m in metrics.values():
        m.extra.setdefault("mrr", "0.0000")

    csat = partner_csat(ids, now)
    for pk, m in metrics.items():
        m.csat, m.extra["csat_customers"] = csat.get(pk, (None, 0))

    plans = Agreement.objects.filter(
        partner_id__in=ids,
        type=AgreementType.JOINT_BUSINESS_PLAN,
        plan_approval=PlanApproval.APPROVED,
        start_date__lte=on,
    ).exclude(status=AgreementStatus.DRAFT)
    for plan in plans:
        if plan.in_force_on(on):
            metrics[plan.partner_id].joint_business_plan = True
    return metrics
