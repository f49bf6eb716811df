"""The commission engine's inputs, read from the database one way (SPEC §6.3, §6.7): partners with their
versions of terms, plans, usage and FX rates.

The intake (parceria.commissions.intake), which accrues, and the what-if (parceria.commissions.whatif), which
recomputes past accruals under another plan without writing, both load them here, so the preview can never
compute from inputs the real accrual would not see. Each loader is one query, whatever the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from parceria.commissions import engine
from parceria.commissions.models import CommissionPlan
from parceria.common import fixedsql
from parceria.common.bulk import key_in
from parceria.common.dbsum import exact_sums
from parceria.common.errors import InvalidInput
from parceria.common.fx import FxBook
from parceria.customers.models import UsageRecord
from parceria.partners.models import Partner, PartnerTerms

#: Usage per customer: (day, integration partner id or None, quantity) rows, summed per day and partner.
Usage = dict[int, list[tuple[date, int | None, Decimal]]]


def engine_partners(partner_ids: Collection[int]) -> dict[int, engine.PartnerInfo]:
    """The partners as the engine sees them: status, payout currency and every version of their terms, the
    open-start version first, then by start."""
    return engine_partners_named(partner_ids)[0]


def engine_partners_named(partner_ids: Collection[int]) -> tuple[dict[int, engine.PartnerInfo], dict[int, str]]:
    """`engine_partners`, and each partner's name (for reports), from the same two queries."""
    if not partner_ids:
        return {}, {}
    terms: dict[int, list[engine.Terms]] = defaultdict(list)
    versions = (
        PartnerTerms.objects.filter(key_in("partner_id", partner_ids))
        .order_by("partner_id", "effective_from", "id")
        .values_list("partner_id", "effective_from", "tier", "integration_share_rate", "referral_rate_override")
    )
    for partner_id, effective_from, tier, share_rate, rate_override in versions:
        terms[partner_id].append(engine.Terms(effective_from, tier, share_rate, rate_override))
    for found in terms.values():  # the open-start version first
        found.sort(key=lambda v: (v.effective_from is not None, v.effective_from or timezone.now()))
    rows = list(
        Partner.objects.filter(key_in("id", partner_ids)).order_by().values_list("id", "status", "currency", "name")
    )
    partners = {pid: engine.PartnerInfo(pid, status, currency, tuple(terms[pid])) for pid, status, currency, _ in rows}
    return partners, {pid: name for pid, _, _, name in rows}


def engine_plan(plan: CommissionPlan, *, whole_period: bool = False) -> engine.Plan:
    """A plan version as the engine takes it. `whole_period`: without its effective dates, as if it had applied
    all along (the what-if's question)."""
    try:
        rates = {str(tier): Decimal(str(rate)) for tier, rate in dict(plan.referral_rates).items()}
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput(f"plan {plan} holds a referral rate that is not a decimal number") from None
    starts, ends = (None, None) if whole_period else (plan.effective_from, plan.effective_to)
    return engine.Plan(plan.pk, plan.name, plan.version, rates, Decimal(plan.entry_rate), plan.max_months, starts, ends)


def active_plans() -> list[engine.Plan]:
    """The active plan versions, newest first: the ones that accrue (drafts never do)."""
    plans = fixedsql.instances(CommissionPlan, "status = %s", [CommissionPlan.Status.ACTIVE.value],
                               order_by="effective_from DESC, version DESC")  # fixed SQL: every dashboard asks it
    return [engine_plan(plan) for plan in plans]


def engine_usage(customers: QuerySet[Any] | Collection[int], first_day: date, last_day: date) -> Usage:
    """The usage of `customers` (ids, or a query of ids) from `first_day` to `last_day` (inclusive)."""
    match = {"customer_id__in": customers} if isinstance(customers, QuerySet) else {}
    records = UsageRecord.objects.filter(day__gte=first_day, day__lte=last_day, **match)
    if not isinstance(customers, QuerySet):
        records = records.filter(key_in("customer_id", customers))
    usage: Usage = defaultdict(list)
    for key, quantity in exact_sums(records, "quantity", "customer_id", "day", "integration_partner_id").items():
        assert isinstance(key, tuple)
        customer_id, day, partner_id = key
        usage[customer_id].append((day, partner_id, quantity))
    return usage


def engine_fx(invoice_currencies: Iterable[str], partner_currencies: Iterable[str], days: Collection[date]) -> FxBook:
    """The FX rates converting each invoice currency into each partner currency over `days`, looked up with the
    intake's rule (parceria.common.fx)."""
    if not days:
        return FxBook({})
    partners = set(partner_currencies)
    pairs = {(invoice, partner) for invoice in set(invoice_currencies) for partner in partners if invoice != partner}
    return FxBook.load(pairs, min(days), max(days))
